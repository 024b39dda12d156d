"""The AWS CLI against ``stepflow serve`` with ``--endpoint-url``: the issue's "done when" commands."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.server.conftest import ROLE

AWS = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
pytestmark = pytest.mark.skipif(AWS is None, reason="the AWS CLI is not installed (pip install awscli)")


@pytest.fixture
def aws(server, tmp_path):
    env = {
        **os.environ, "AWS_ACCESS_KEY_ID": "any", "AWS_SECRET_ACCESS_KEY": "any", "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }

    def run(*args: str) -> dict:
        done = subprocess.run(
            [AWS, "stepfunctions", "--endpoint-url", server.url, "--output", "json", *args],
            capture_output=True, text=True, env=env, timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}

    return run


def test_the_aws_cli_creates_starts_describes_redrives_publishes_and_aliases(aws, tmp_path):
    definition = tmp_path / "machine.json"
    definition.write_text(json.dumps({"StartAt": "Prepare", "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky", "End": True},
    }}))
    arn = aws("create-state-machine", "--name", "CliMachine", "--definition", f"file://{definition}", "--role-arn", ROLE)["stateMachineArn"]
    execution = aws("start-execution", "--state-machine-arn", arn, "--input", '{"id": "cli"}')["executionArn"]
    described = aws("describe-execution", "--execution-arn", execution)
    while described["status"] == "RUNNING":
        time.sleep(0.05)
        described = aws("describe-execution", "--execution-arn", execution)
    assert (described["status"], described["error"]) == ("FAILED", "Flaky")

    aws("redrive-execution", "--execution-arn", execution)
    described = aws("describe-execution", "--execution-arn", execution)
    while described["status"] == "RUNNING":
        time.sleep(0.05)
        described = aws("describe-execution", "--execution-arn", execution)
    history = aws("get-execution-history", "--execution-arn", execution)["events"]
    version = aws("publish-state-machine-version", "--state-machine-arn", arn, "--description", "first")
    alias = aws("create-state-machine-alias", "--name", "prod", "--routing-configuration",
                f"stateMachineVersionArn={version['stateMachineVersionArn']},weight=100")

    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert "ExecutionRedriven" in [e["type"] for e in history]
    assert version["stateMachineVersionArn"] == f"{arn}:1"
    assert alias["stateMachineAliasArn"] == f"{arn}:prod"
    assert aws("describe-state-machine", "--state-machine-arn", f"{arn}:1")["description"] == "first"
