"""``stepflow bucket create|delete|put|get``: preparing a data set in the local buckets."""
from __future__ import annotations

from pathlib import Path

import pytest

from stepflow.cli import main


def test_create_put_a_folder_under_a_prefix_get_and_delete(stepflow_home: Path, tmp_path: Path, capsys):
    folder = tmp_path / "photos"
    (folder / "user_a").mkdir(parents=True)
    (folder / "user_a" / "1.jpg").write_bytes(b"one")
    (folder / "user_b.jpg").write_bytes(b"two")
    assert main(["bucket", "create", "data-set"]) == 0
    assert main(["bucket", "put", "data-set", str(folder), "--prefix", "in/"]) == 0
    capsys.readouterr()
    assert main(["bucket", "ls", "data-set"]) == 0
    assert capsys.readouterr().out.split() == ["in/user_a/1.jpg", "in/user_b.jpg"]
    assert main(["bucket", "get", "data-set", "in/user_a/1.jpg", "--output", str(tmp_path / "back.jpg")]) == 0
    assert (tmp_path / "back.jpg").read_bytes() == b"one"
    assert main(["bucket", "get", "data-set", "in/user_b.jpg"]) == 0
    assert capsys.readouterr().out.endswith("two")
    assert main(["bucket", "delete", "data-set"]) != 0  # not empty, as S3 says
    assert "BucketNotEmpty" in capsys.readouterr().err
    assert main(["bucket", "delete", "data-set", "--force"]) == 0
    assert not (stepflow_home / "buckets" / "data-set").exists()


@pytest.mark.parametrize("name", ["UPPER", "ab", "a..b", "end-", "under_score", "x" * 64])
def test_bucket_names_follow_s3_rules(stepflow_home: Path, capsys, name: str):
    assert main(["bucket", "create", name]) != 0
    assert "bucket names are 3-63 lowercase letters" in capsys.readouterr().err
    assert not (stepflow_home / "buckets").exists() or not any((stepflow_home / "buckets").iterdir())


def test_put_into_a_missing_bucket_is_refused(stepflow_home: Path, tmp_path: Path, capsys):
    (tmp_path / "f.txt").write_text("x")
    assert main(["bucket", "put", "nowhere", str(tmp_path / "f.txt")]) != 0
    assert "NoSuchBucket" in capsys.readouterr().err
