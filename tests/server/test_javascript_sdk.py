"""The AWS SDK for JavaScript v3 (``@aws-sdk/client-sfn``) from node against ``stepflow serve``.

The SDK is installed outside the repository (``.ci/run`` puts it in ``~/.cache/stepflow-node``;
``STEPFLOW_NODE_MODULES`` names another ``node_modules`` folder).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent / "js" / "workshop.mjs"
NODE_MODULES = Path(os.environ.get("STEPFLOW_NODE_MODULES", Path.home() / ".cache" / "stepflow-node" / "node_modules"))


def test_the_javascript_sdk_creates_starts_and_describes(server, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (NODE_MODULES / "@aws-sdk" / "client-sfn").is_dir():
        pytest.skip(f"@aws-sdk/client-sfn is not installed in {NODE_MODULES} (.ci/run installs it)")
    # ESM resolves packages from the script's folder upwards: run a copy beside the SDK's modules.
    script = NODE_MODULES.parent / "stepflow-workshop.mjs"
    shutil.copyfile(SCRIPT, script)

    done = subprocess.run([node, str(script), server.url], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:FromNode"
    assert seen["creationDateIsDate"] and seen["startDateIsDate"]  # the SDK parsed the epoch timestamps
    assert (seen["status"], json.loads(seen["output"])) == ("SUCCEEDED", {"from": "node"})
    assert seen["eventTypes"] == ["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
    assert "FromNode" in seen["names"]
    assert seen["missing"]["name"] == "ExecutionDoesNotExist" and seen["missing"]["status"] == 400
