"""The CLI contract outside scripts rely on: stack up/down, bucket put, collections, tables."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepflow.settings import fixtures_dir

ROOT = Path(__file__).resolve().parents[2]
OUTPUT_KEYS = json.loads((ROOT / "fixtures" / "riderphoto" / "stack-outputs.json").read_text())["outputs"]


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def stepflow(home, *args):
    env = {**os.environ, "STEPFLOW_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "stepflow", *args], capture_output=True, text=True, env=env
    )


def test_stack_up_json_is_one_object_keyed_by_the_workshop_output_names(home):
    done = stepflow(home, "stack", "up", "--json")
    assert done.returncode == 0, done.stderr
    outputs = json.loads(done.stdout)
    assert list(outputs) == OUTPUT_KEYS
    assert (home / "buckets" / outputs["RiderPhotoS3Bucket"] / "1_happy_face.jpg").is_file()


def test_stack_up_twice_gives_the_same_outputs(home):
    first = stepflow(home, "stack", "up", "--json")
    second = stepflow(home, "stack", "up", "--json")
    assert second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_stack_up_without_json_lists_outputs_as_key_value_lines(home):
    done = stepflow(home, "stack", "up")
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["Key", "Value"]
    assert [line.split()[0] for line in lines[2:]] == OUTPUT_KEYS


def test_stack_down_removes_what_up_created(home):
    stepflow(home, "stack", "up")
    done = stepflow(home, "stack", "down")
    assert done.returncode == 0, done.stderr
    assert not home.exists()


def test_bucket_put_stores_the_file_under_its_name_or_key(home):
    outputs = json.loads(stepflow(home, "stack", "up", "--json").stdout)
    bucket = outputs["RiderPhotoS3Bucket"]
    photo = fixtures_dir() / "single_obama_a.jpg"
    assert stepflow(home, "bucket", "put", bucket, str(photo)).returncode == 0
    assert stepflow(home, "bucket", "put", bucket, str(photo), "--key", "riders/o.jpg").returncode == 0
    assert (home / "buckets" / bucket / "single_obama_a.jpg").read_bytes() == photo.read_bytes()
    listed = stepflow(home, "bucket", "ls", bucket).stdout.split()
    assert "riders/o.jpg" in listed and "single_obama_a.jpg" in listed


@pytest.mark.parametrize("key", ["../escape.jpg", "/abs.jpg", "a\\b.jpg"])
def test_bucket_put_refuses_escaping_keys_without_a_traceback(home, tmp_path, key):
    bucket = json.loads(stepflow(home, "stack", "up", "--json").stdout)["RiderPhotoS3Bucket"]
    photo = fixtures_dir() / "single_obama_a.jpg"
    done = stepflow(home, "bucket", "put", bucket, str(photo), "--key", key)
    assert done.returncode == 2
    assert "refused key" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "escape.jpg").exists()


def test_bucket_put_of_a_missing_file_is_a_clear_error(home, tmp_path):
    stepflow(home, "stack", "up")
    done = stepflow(home, "bucket", "put", "wildrydes-step-module-resources-riderphotos3bucket",
                    str(tmp_path / "missing.jpg"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_collection_commands_print_aws_cli_shaped_json(home):
    created = stepflow(home, "collection", "create", "--collection-id", "extra")
    assert json.loads(created.stdout)["StatusCode"] == 200
    again = stepflow(home, "collection", "create", "--collection-id", "extra")
    assert again.returncode == 2 and "ResourceAlreadyExistsException" in again.stderr
    assert json.loads(stepflow(home, "collection", "list-faces", "--collection-id", "extra").stdout)["Faces"] == []
    assert json.loads(stepflow(home, "collection", "list").stdout)["CollectionIds"] == ["extra"]
    described = json.loads(stepflow(home, "collection", "describe", "--collection-id", "extra").stdout)
    assert described["FaceCount"] == 0
    assert described["CollectionARN"] == "aws:rekognition:us-east-1:123456789012:collection/extra"
    deleted = stepflow(home, "collection", "delete", "--collection-id", "extra")
    assert json.loads(deleted.stdout) == {"StatusCode": 200}


def test_table_scan_lists_items_and_get_reads_one(home):
    stepflow(home, "stack", "up")
    from stepflow.riderphoto.stack import Stack

    stack = Stack(home)
    stack.tables.put_item(stack.table, {"Username": "user_a", "faceId": "f"})
    scanned = json.loads(stepflow(home, "table", "scan").stdout)
    assert scanned["Items"] == [{"Username": "user_a", "faceId": "f"}] and scanned["Count"] == 1
    assert json.loads(stepflow(home, "table", "get", "user_a").stdout) == {
        "Item": {"Username": "user_a", "faceId": "f"}}
    assert json.loads(stepflow(home, "table", "get", "nobody").stdout) == {}


@pytest.mark.faces
def test_run_with_the_stack_binds_the_six_functions_and_prints_json(home):
    from pathlib import Path

    bucket = json.loads(stepflow(home, "stack", "up", "--json").stdout)["RiderPhotoS3Bucket"]
    definition = Path(__file__).resolve().parents[2] / "definitions" / "rider-photo-processing-4.asl.json"
    runs = {}
    for user, key in (("user_a", "1_happy_face.jpg"), ("user_b", "2_sunglass_face.jpg")):
        event = json.dumps({"userId": user, "s3Bucket": bucket, "s3Key": key})
        done = stepflow(home, "run", str(definition), "--stack", "riderphoto", "--input", event, "--json")
        assert done.returncode == 0, done.stderr
        runs[user] = json.loads(done.stdout)
    assert runs["user_a"]["status"] == "SUCCEEDED"
    assert runs["user_a"]["output"]["parallelResult"][1]["thumbnail"]["s3key"] == "resized-1_happy_face.jpg"
    assert runs["user_b"]["output"] == {"messageToSend": {
        "title": "PhotoDoesNotMeetRequirementError", "message": "Face is wearing sunglasses"}}
    scanned = json.loads(stepflow(home, "table", "scan").stdout)
    assert [item["Username"] for item in scanned["Items"]] == ["user_a"]


def test_stack_up_keeps_smtp_settings_for_the_notification(home):
    from stepflow.riderphoto.stack import Stack

    stepflow(home, "stack", "up", "--smtp-host", "mail.local", "--smtp-to", "ops@wildrydes.test")
    stepflow(home, "stack", "up", "--smtp-port", "2525")
    assert Stack(home).settings() == {
        "SmtpHost": "mail.local", "SmtpTo": "ops@wildrydes.test", "SmtpPort": "2525"}


@pytest.mark.faces
def test_concurrent_runs_in_separate_processes_register_one_face_once(home):
    from pathlib import Path

    from stepflow.riderphoto.stack import Stack

    bucket = json.loads(stepflow(home, "stack", "up", "--json").stdout)["RiderPhotoS3Bucket"]
    definition = Path(__file__).resolve().parents[2] / "definitions" / "rider-photo-processing-4.asl.json"
    env = {**os.environ, "STEPFLOW_HOME": str(home)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "stepflow", "run", str(definition), "--stack", "riderphoto",
             "--json", "--input",
             json.dumps({"userId": f"user_{i}", "s3Bucket": bucket, "s3Key": "1_happy_face.jpg"})],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        for i in range(3)
    ]
    results = [json.loads(run.communicate()[0]) for run in runs]
    registered = [r for r in results if r["status"] == "SUCCEEDED" and "parallelResult" in r["output"]]
    assert len(registered) == 1
    for result in results:
        if result not in registered:  # caught at the search, or failed by the index's re-check
            title = (result["output"] or {}).get("messageToSend", {}).get("title")
            assert "FaceAlreadyExistsError" in (title, result["error"])
    stack = Stack(home)
    assert len(stack.collections.list_faces("rider-photos")) == 1
    assert [item["Username"] for item in stack.tables.scan(stack.table)] == [
        registered[0]["output"]["userId"]]
