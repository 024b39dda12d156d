"""The rider-photo workflow at scale: definitions/rider-photo-batch.asl.json."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from stepflow.riderphoto.batch import (
    BATCH_DEFINITION, SINGLE_DEFINITION, batch_photos, prepare, run_batch, run_loop,
)
from stepflow.settings import fixtures_dir


def test_each_child_runs_the_rider_photo_workflow_unchanged():
    batch = json.loads(BATCH_DEFINITION.read_text())["States"]["EnrollPhotos"]
    single = json.loads(SINGLE_DEFINITION.read_text())
    processor = batch["ItemProcessor"]
    assert processor["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert (processor["StartAt"], processor["States"]) == (single["StartAt"], single["States"])
    assert batch["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"


def test_keys_name_one_photo_per_person():
    if not (fixtures_dir() / "manifest.json").is_file():
        pytest.skip(f"the fixture photos are not at {fixtures_dir()} (set STEPFLOW_FIXTURES)")
    keys = batch_photos(fixtures_dir())
    users = [key.split("/")[0] for key in keys]
    assert len(users) == len(set(users))
    assert "ws_happy_girl/1_happy_face.jpg" in keys


@pytest.mark.faces
def test_the_batch_gives_each_photo_the_outcome_of_a_single_run(tmp_path: Path):
    if not (fixtures_dir() / "manifest.json").is_file():
        pytest.skip(f"the fixture photos are not at {fixtures_dir()} (set STEPFLOW_FIXTURES)")
    chosen = {k: v for k, v in batch_photos(fixtures_dir()).items()
              if k.split("/")[1] in ("1_happy_face.jpg", "2_sunglass_face.jpg", "4_no_face.jpg", "single_obama_a.jpg")}
    prepare(tmp_path / "loop", chosen)
    prepare(tmp_path / "batch", chosen)
    loop = run_loop(tmp_path / "loop")
    batch = run_batch(tmp_path / "batch", "threads", "threads:2")
    assert batch.outcomes == loop.outcomes
    assert batch.outcomes["ws_happy_girl/1_happy_face.jpg"] == "enrolled"
    assert batch.outcomes[next(k for k in chosen if k.endswith("2_sunglass_face.jpg"))] == "PhotoDoesNotMeetRequirementError"
    shutil.rmtree(tmp_path, ignore_errors=True)
