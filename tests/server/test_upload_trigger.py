"""Uploads that start the workflow: S3 Object Created -> EventBridge rule -> StartExecution."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stepflow.services.buckets import Buckets
from stepflow.services.events import EventBus
from tests.server.conftest import ROLE, Server, boto3_client

ROOT = Path(__file__).resolve().parents[2]
ECHO = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:OnUpload"


def wire(home: Path, sfn) -> None:
    sfn.create_state_machine(name="OnUpload", definition=ECHO, roleArn=ROLE)
    Buckets(home).create("photos")
    bus = EventBus(home)
    bus.put_rule("uploads", {"source": ["aws.s3"], "detail-type": ["Object Created"],
                             "detail": {"object": {"key": [{"wildcard": "*/*"}]}}})
    bus.put_targets("uploads", [{"Id": "t", "Arn": MACHINE, "InputTransformer": {
        "InputPathsMap": {"key": "$.detail.object.key", "user": "$.detail.object.key.`split(/, 0, 1)`"},
        "InputTemplate": '{"userId": "<user>", "s3Key": "<key>"}'}}])
    bus.enable_bucket_notifications("photos")


def executions(sfn, count: int, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        listed = sfn.list_executions(stateMachineArn=MACHINE)["executions"]
        if (len(listed) >= count and all(e["status"] != "RUNNING" for e in listed)) or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)


def test_uploads_through_the_cli_and_dropped_files_each_start_one_execution(tmp_path):
    server = Server(tmp_path, "--watch").start()
    try:
        sfn = boto3_client(server.url)
        wire(tmp_path, sfn)
        photo = tmp_path / "face.jpg"
        photo.write_bytes(b"jpeg")
        put = subprocess.run(
            [sys.executable, "-m", "stepflow", "bucket", "put", "photos", str(photo), "--key", "user_a/face.jpg"],
            capture_output=True, text=True, env={**os.environ, "STEPFLOW_HOME": str(tmp_path)}, timeout=60,
        )
        assert put.returncode == 0, put.stderr
        assert "the running stepflow serve starts" in put.stdout
        dropped = tmp_path / "buckets" / "photos" / "user_b" / "dropped.jpg"
        dropped.parent.mkdir()
        dropped.write_bytes(b"jpeg too")
        (tmp_path / "buckets" / "photos" / "top-level.jpg").write_bytes(b"no user folder: no match")

        listed = executions(sfn, 2)
        inputs = sorted(json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"])["s3Key"] for e in listed)
        assert inputs == ["user_a/face.jpg", "user_b/dropped.jpg"]
        assert {e["status"] for e in listed} == {"SUCCEEDED"}
        first = json.loads(sfn.describe_execution(executionArn=listed[-1]["executionArn"])["input"])
        assert first == {"userId": "user_a", "s3Key": "user_a/face.jpg"}
    finally:
        server.stop()

    # Restarted, the server finds every object announced and every delivery done: nothing runs twice.
    again = Server(tmp_path, "--watch").start()
    try:
        time.sleep(1.5)
        assert len(executions(boto3_client(again.url), 2)) == 2
    finally:
        again.stop()


@pytest.mark.faces
def test_stack_up_wires_the_photo_bucket_to_rider_photo_processing_4(tmp_path):
    from stepflow.settings import fixtures_dir

    photo = fixtures_dir() / "1_happy_face.jpg"
    if not photo.is_file():
        pytest.skip(f"the workshop photos are not in {fixtures_dir()}")
    env = {**os.environ, "STEPFLOW_HOME": str(tmp_path / "home")}

    def stepflow(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "stepflow", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)

    up = stepflow("stack", "up", "--upload-trigger")
    put = stepflow("bucket", "put", "wildrydes-step-module-resources-riderphotos3bucket", str(photo), "--key", "user_a/1_happy_face.jpg")
    listed = stepflow("executions", "list", "--json")

    assert up.returncode == 0, up.stderr
    assert put.returncode == 0, put.stderr
    assert "event: started arn:aws:states:us-east-1:123456789012:execution:rider-photo-processing-4:" in put.stdout
    assert put.stdout.rstrip().endswith("SUCCEEDED")
    [execution] = json.loads(listed.stdout)["executions"]
    assert execution["status"] == "SUCCEEDED"
    shown = json.loads(stepflow("executions", "show", execution["executionArn"], "--json").stdout)
    assert json.loads(shown["input"]) == {
        "userId": "user_a", "s3Bucket": "wildrydes-step-module-resources-riderphotos3bucket",
        "s3Key": "user_a/1_happy_face.jpg",
    }
    item = stepflow("table", "get", "user_a")
    assert item.returncode == 0 and "user_a" in item.stdout  # PersistMetadata stored the rider


def test_a_state_machine_created_by_another_process_is_found_by_the_running_server(tmp_path):
    from stepflow.api.client import Client
    from stepflow.store import ExecutionStore

    server = Server(tmp_path).start()
    try:
        other = Client(store=ExecutionStore(tmp_path), durable=True)  # e.g. 'stepflow stack up --upload-trigger'
        other.create_state_machine(name="OnUpload", definition=ECHO, roleArn=ROLE)
        other.close()

        sfn = boto3_client(server.url)
        assert sfn.describe_state_machine(stateMachineArn=MACHINE)["name"] == "OnUpload"
        assert sfn.start_execution(stateMachineArn=MACHINE, name="works")["executionArn"].endswith(":OnUpload:works")
    finally:
        server.stop()
