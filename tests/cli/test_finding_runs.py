"""After `stepflow run`: its name and ARN are printed, names are not reused, the report is one flag away."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

WAIT_AN_HOUR = {"StartAt": "Hold", "States": {"Hold": {"Type": "Wait", "Seconds": 3600, "End": True}}}


@pytest.fixture
def definition(definition_file) -> Path:
    return definition_file(WAIT_AN_HOUR, "hold.asl.json")


def test_run_prints_the_execution_name_and_arn_and_json_keeps_its_four_keys_first(cli, tmp_path, definition):
    done = cli("run", definition, "--json", "--name", "first")
    result = json.loads(done.stdout)
    assert list(result)[:4] == ["status", "output", "error", "cause"]
    assert result["name"] == "first"
    assert result["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:hold:first"
    text = cli("run", definition, "--name", "second").stdout
    assert "arn:aws:states:us-east-1:123456789012:execution:hold:second" in text


def test_the_default_is_virtual_time_dated_now(cli, tmp_path, definition):
    before = datetime.now(timezone.utc)
    started = time.monotonic()
    done = cli("run", definition, "--json", "--name", "now")
    assert json.loads(done.stdout)["status"] == "SUCCEEDED" and time.monotonic() - started < 30
    shown = json.loads(cli("executions", "show", "now", "--json").stdout)
    start = datetime.fromisoformat(str(shown["startDate"]).replace("Z", "+00:00"))
    assert abs((start - before).total_seconds()) < 60  # not 2024-01-01


def test_a_reused_name_is_refused_as_execution_already_exists(cli, tmp_path, definition):
    assert cli("run", definition, "--name", "once").returncode == 0
    done = cli("run", definition, "--name", "once", "--json")
    assert done.returncode == 2 and done.stdout == ""
    # StartExecution's error for a name in use: "Execution Already Exists: '<execution ARN>'"
    assert "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:hold:once'" in done.stderr


def test_run_report_writes_the_html_report(cli, tmp_path, definition):
    done = cli("run", definition, "--report", tmp_path / "run.html")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "run.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Hold" in page


def test_the_data_root_a_run_created_is_said_once(cli, tmp_path, definition):
    first = cli("run", definition)
    assert f"created the data root {tmp_path / 'home'}" in first.stderr
    assert "created the data root" not in cli("run", definition).stderr


def test_real_time_announces_a_long_wait_with_the_state_and_when_it_ends(tmp_path, definition):
    process = subprocess.Popen([sys.executable, "-m", "stepflow", "run", str(definition), "--real-time"],
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=tmp_path,
                               env={**os.environ, "STEPFLOW_HOME": str(tmp_path / "home")})
    try:
        line = process.stderr.readline()  # type: ignore[union-attr]
    finally:
        process.kill()
        process.wait()
    assert "state 'Hold' waits 3600 s of real time, until" in line and "UTC" in line
