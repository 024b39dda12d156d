"""`stepflow run` on a callback task: it says why it waits, and the task's timeout still ends it."""
import json
import subprocess
import sys
from pathlib import Path

from stepflow.services.queues import Queues

DEFINITION = {
    "StartAt": "AwaitApproval",
    "States": {
        "AwaitApproval": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.example/approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
            "TimeoutSeconds": 1,
            "End": True,
        }
    },
}


def test_a_task_waiting_for_its_token_is_announced_and_times_out(tmp_path: Path) -> None:
    definition = tmp_path / "approval.asl.json"
    definition.write_text(json.dumps(DEFINITION))
    Queues(tmp_path / "home").create("approvals")  # the local queue the message goes to
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "run", str(definition), "--json"],
        capture_output=True, text=True, timeout=60, env={"STEPFLOW_HOME": str(tmp_path / "home"), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["error"]) == ("FAILED", "States.Timeout")
    assert "waits for an answer from outside (sqs:sendMessage.waitForTaskToken)" in done.stderr
    assert "Traceback" not in done.stderr
    (message,) = Queues(tmp_path / "home").receive("approvals")
    assert "token" in json.loads(message["Body"])


def test_a_task_nobody_can_answer_and_without_a_timeout_ends_with_a_typed_error(tmp_path: Path) -> None:
    untimed = json.loads(json.dumps(DEFINITION))
    del untimed["States"]["AwaitApproval"]["TimeoutSeconds"]
    definition = tmp_path / "approval.asl.json"
    definition.write_text(json.dumps(untimed))
    Queues(tmp_path / "home").create("approvals")
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "run", str(definition), "--json"],
        capture_output=True, text=True, timeout=60, env={"STEPFLOW_HOME": str(tmp_path / "home"), "PATH": ""},
    )
    assert done.returncode == 2
    result = json.loads(done.stdout)  # still one JSON object
    assert (result["status"], result["error"]) == ("ABORTED", "UnansweredTask")
    assert "state 'AwaitApproval' waits for its task token" in done.stderr and "Traceback" not in done.stderr
