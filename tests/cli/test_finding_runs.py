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


def stepflow(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stepflow", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "STEPFLOW_HOME": str(cwd / "home")}, timeout=60)


@pytest.fixture
def definition(tmp_path: Path) -> Path:
    path = tmp_path / "hold.asl.json"
    path.write_text(json.dumps(WAIT_AN_HOUR))
    return path


def test_run_prints_the_execution_name_and_arn_and_json_keeps_its_four_keys_first(tmp_path, definition):
    done = stepflow("run", definition, "--json", "--name", "first", cwd=tmp_path)
    result = json.loads(done.stdout)
    assert list(result)[:4] == ["status", "output", "error", "cause"]
    assert result["name"] == "first"
    assert result["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:hold:first"
    text = stepflow("run", definition, "--name", "second", cwd=tmp_path).stdout
    assert "arn:aws:states:us-east-1:123456789012:execution:hold:second" in text


def test_the_default_is_virtual_time_dated_now(tmp_path, definition):
    before = datetime.now(timezone.utc)
    started = time.monotonic()
    done = stepflow("run", definition, "--json", "--name", "now", cwd=tmp_path)
    assert json.loads(done.stdout)["status"] == "SUCCEEDED" and time.monotonic() - started < 30
    shown = json.loads(stepflow("executions", "show", "now", "--json", cwd=tmp_path).stdout)
    start = datetime.fromisoformat(str(shown["startDate"]).replace("Z", "+00:00"))
    assert abs((start - before).total_seconds()) < 60  # not 2024-01-01


def test_a_reused_name_is_refused_as_execution_already_exists(tmp_path, definition):
    assert stepflow("run", definition, "--name", "once", cwd=tmp_path).returncode == 0
    done = stepflow("run", definition, "--name", "once", "--json", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    # StartExecution's error for a name in use: "Execution Already Exists: '<execution ARN>'"
    assert "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:hold:once'" in done.stderr


def test_run_report_writes_the_html_report(tmp_path, definition):
    done = stepflow("run", definition, "--report", tmp_path / "run.html", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "run.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Hold" in page


def test_the_data_root_a_run_created_is_said_once(tmp_path, definition):
    first = stepflow("run", definition, cwd=tmp_path)
    assert f"created the data root {tmp_path / 'home'}" in first.stderr
    assert "created the data root" not in stepflow("run", definition, cwd=tmp_path).stderr


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
