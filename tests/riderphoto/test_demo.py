"""``stepflow demo`` runs the workshop's validation and exits 0 only when every outcome is right."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from stepflow.riderphoto import demo
from stepflow.store import ExecutionStore

pytestmark = pytest.mark.faces


def test_demo_reports_every_outcome_as_the_workshop_describes(tmp_path):
    out = io.StringIO()
    assert demo.run_demo(tmp_path / "home", out) is True
    text = out.getvalue()
    assert "every outcome is as the workshop describes" in text
    for expected in ("Face is wearing sunglasses", "Detected 3 faces in the photo.",
                     "Detected 0 faces in the photo.", "FaceAlreadyExistsError",
                     "resized-1_happy_face.jpg", "resized-single_obama_a.jpg"):
        assert expected in text
    runs = json.loads(demo.VALIDATION_FILE.read_text())["runs"]
    stored = ExecutionStore(tmp_path / "home").list()
    sdk_runs = [e for e in stored if e.state_machine_arn.endswith(f":{demo.SDK_MACHINE}")]
    assert len(stored) == 2 * len(runs) and len(sdk_runs) == len(runs)  # definition 4, then sdk
    # the SDK definition reached Rekognition, DynamoDB and SES itself: Task events name them
    services = {event.get("taskScheduledEventDetails", {}).get("resourceType")
                for execution in sdk_runs for event in execution.history}
    assert {"aws-sdk:rekognition", "dynamodb", "aws-sdk:sesv2"} <= services


def test_demo_fails_when_an_outcome_differs(tmp_path):
    validation = demo.load_validation()
    validation["runs"][1]["expect"]["message"] = "something else"
    wrong = tmp_path / "validation.json"
    wrong.write_text(json.dumps(validation))
    out = io.StringIO()
    assert demo.run_demo(tmp_path / "home", out, validation_file=wrong) is False
    assert "NOT as the workshop describes" in out.getvalue()
    assert out.getvalue().count(" user_b 2_sunglass_face.jpg: message") == 2  # both definitions
    assert f"{demo.SDK_MACHINE} user_b 2_sunglass_face.jpg: message" in out.getvalue()


def stepflow(*args):
    return subprocess.run([sys.executable, "-m", "stepflow", *args], capture_output=True,
                          text=True, env={**os.environ, "STEPFLOW_DEBUG": "1"})


def test_cli_demo_exits_0_on_a_fresh_home(tmp_path):
    done = stepflow("demo", "--home", str(tmp_path / "fresh"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "states visited" in done.stdout


def test_cli_demo_refuses_a_home_that_is_not_empty(tmp_path):
    (tmp_path / "something").write_text("keep me")
    done = stepflow("demo", "--home", str(tmp_path))
    assert done.returncode == 2 and "not empty" in done.stderr
    assert (tmp_path / "something").read_text() == "keep me"
