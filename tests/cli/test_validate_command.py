"""`stepflow validate`: per-file diagnostics, OK for clean files, JSON output, exit statuses."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepflow.cli import main

GOOD = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Next": "Done"}, "Done": {"Type": "Succeed"}}}
BAD = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Next": "Nowhere"}, "Done": {"Type": "Succeed"}}}
WARNED = {"StartAt": "Hello", "States": {"Hello": {"Type": "Pass", "Parameters": {"a": "$.x"}, "End": True}}}


def write(folder: Path, name: str, content: object) -> str:
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_clean_file_prints_ok_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    good = write(tmp_path, "good.asl.json", GOOD)
    assert main(["validate", good]) == 0
    assert capsys.readouterr().out == f"{good}: OK\n"


def test_each_problem_is_printed_with_file_severity_code_and_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    bad = write(tmp_path, "bad.asl.json", BAD)
    assert main(["validate", bad]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{bad}: ERROR MISSING_TRANSITION_TARGET at /States/Hello/Next: Missing 'Next' target: Nowhere" in lines
    assert f'{bad}: ERROR MISSING_TRANSITION_TARGET at /States/Done: State "Done" is not reachable.' in lines
    assert f"{bad}: OK" not in lines


def test_warnings_alone_still_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    warned = write(tmp_path, "warned.json", WARNED)
    assert main(["validate", warned]) == 0
    out = capsys.readouterr().out
    assert f"{warned}: WARNING NO_DOLLAR at /States/Hello/Parameters/a:" in out
    assert out.endswith(f"{warned}: OK\n")


def test_json_output_is_shaped_like_validate_state_machine_definition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    good, bad = write(tmp_path, "good.json", GOOD), write(tmp_path, "bad.json", BAD)
    assert main(["validate", "--json", good, bad]) == 1
    reports = json.loads(capsys.readouterr().out)
    assert reports[0] == {"file": good, "result": "OK", "diagnostics": [], "truncated": False}
    assert reports[1]["result"] == "FAIL"
    assert {"severity": "ERROR", "code": "MISSING_TRANSITION_TARGET",
            "message": "Missing 'Next' target: Nowhere", "location": "/States/Hello/Next"} in reports[1]["diagnostics"]


def test_json_leaves_out_the_location_of_whole_document_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    loop = write(tmp_path, "loop.json", {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}})
    assert main(["validate", "--json", loop]) == 1
    [report] = json.loads(capsys.readouterr().out)
    assert report["diagnostics"] == [
        {"severity": "ERROR", "code": "MISSING_END_STATE", "message": "Workflow has no terminal state"}
    ]


def test_json_syntax_error_is_a_diagnostic_with_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    broken = write(tmp_path, "broken.json", '{"StartAt": "A",\n "States": }')
    assert main(["validate", broken]) == 1
    out = capsys.readouterr().out
    assert "ERROR INVALID_JSON_DESCRIPTION" in out and "line 2, column 12" in out


def test_unreadable_file_exits_2_and_the_other_files_are_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    good = write(tmp_path, "good.json", GOOD)
    missing = str(tmp_path / "missing.json")
    assert main(["validate", missing, good]) == 2
    captured = capsys.readouterr()
    assert "missing.json" in captured.err
    assert f"{good}: OK" in captured.out


def test_no_file_is_a_usage_error_without_traceback():
    done = subprocess.run([sys.executable, "-m", "stepflow", "validate"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "usage: stepflow validate" in done.stderr
    assert "Traceback" not in done.stderr


MANY_MISTAKES = Path(__file__).resolve().parents[1] / "asl" / "definitions" / "many-mistakes.asl.json"


def test_every_mistake_in_a_definition_is_reported_in_one_run(capsys: pytest.CaptureFixture[str]):
    assert main(["validate", "--json", str(MANY_MISTAKES)]) == 1
    [report] = json.loads(capsys.readouterr().out)
    assert sorted((d["code"], d["location"]) for d in report["diagnostics"]) == sorted([
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Parameters/photo.$"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Retry/0"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Detect/Retry/1/BackoffRate"),
        ("MISSING_TRANSITION_TARGET", "/States/Detect/Catch/0/Next"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Decide/Choices/0"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Store"),
        ("MISSING_TRANSITION_TARGET", "/States/Store/Branches/0/States/Index/Next"),
        ("MISSING_TRANSITION_TARGET", "/States/Store/Branches/0/States/Reject"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Store/Branches/1/States/Thumbnail"),
        ("DUPLICATE_STATE_NAME", "/States/Reject"),
        ("SCHEMA_VALIDATION_FAILED", "/States/Reject"),
        ("MISSING_TRANSITION_TARGET", "/States/Orphan"),
    ])
