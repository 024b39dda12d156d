"""``stepflow run``: the --json contract outside test suites rely on, resources files, exit codes."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

FN = "arn:aws:lambda:us-east-1:123456789012:function:Greeter"
DEFINITION = {
    "StartAt": "Greet",
    "States": {"Greet": {"Type": "Task", "Resource": "${GreeterArn}", "End": True}},
}
RESOURCES = textwrap.dedent(
    f"""
    from stepflow import TaskError

    def greet(event, context):
        if event.get("reject"):
            raise TaskError("Greeting.Rejected", "not today")
        if event.get("crash"):
            raise KeyError("who")
        return {{"greeting": "Hello, " + event["who"] + "!"}}

    RESOURCES = {{"{FN}": greet}}
    SUBSTITUTIONS = {{"GreeterArn": "{FN}"}}
    """
)


@pytest.fixture
def files(tmp_path):
    definition = tmp_path / "greeter.asl.json"
    definition.write_text(json.dumps(DEFINITION))
    resources = tmp_path / "resources.py"
    resources.write_text(RESOURCES)
    return definition, resources


def stepflow(*args, cwd, env_home) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stepflow", "run", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**__import__("os").environ, "STEPFLOW_HOME": str(env_home)},
        timeout=60,
    )


def run_json(files, tmp_path, *extra):
    definition, resources = files
    done = stepflow(definition, "--resources", resources, "--json", *extra, cwd=tmp_path, env_home=tmp_path / "home")
    assert "Traceback" not in done.stderr
    return done


def test_json_prints_one_object_with_the_outcome_and_exits_0(files, tmp_path):
    done = run_json(files, tmp_path, "--input", '{"who": "Ann"}')
    assert done.returncode == 0
    result = json.loads(done.stdout)
    assert {key: result[key] for key in ("status", "output", "error", "cause")} == {
        "status": "SUCCEEDED",
        "output": {"greeting": "Hello, Ann!"},
        "error": None,
        "cause": None,
    }
    assert len(done.stdout.strip().splitlines()) == 1


def test_a_failed_run_still_exits_0_with_task_error_name_and_cause(files, tmp_path):
    done = run_json(files, tmp_path, "--input", '{"reject": true}')
    assert done.returncode == 0
    assert json.loads(done.stdout) | {"name": None, "executionArn": None} == {
        "name": None, "executionArn": None,
        "status": "FAILED",
        "output": None,
        "error": "Greeting.Rejected",
        "cause": "not today",
    }


def test_any_other_exception_fails_with_its_class_name(files, tmp_path):
    result = json.loads(run_json(files, tmp_path, "--input", '{"crash": true}').stdout)
    assert result["status"] == "FAILED"
    assert result["error"] == "KeyError"
    assert json.loads(result["cause"])["errorType"] == "KeyError"


def test_input_file_is_read_as_json(files, tmp_path):
    input_file = tmp_path / "input.json"
    input_file.write_text('{"who": "Bo"}')
    done = run_json(files, tmp_path, "--input-file", input_file)
    assert json.loads(done.stdout)["output"] == {"greeting": "Hello, Bo!"}


def test_without_json_prints_a_readable_summary(files, tmp_path):
    definition, resources = files
    done = stepflow(definition, "--resources", resources, "--input", '{"who": "Cy"}', cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 0
    assert "SUCCEEDED" in done.stdout and "Hello, Cy!" in done.stdout


def test_execution_name_option_names_the_execution(files, tmp_path):
    definition, resources = files
    done = stepflow(
        definition, "--resources", resources, "--input", '{"who": "D"}', "--name", "run-1", "--trace",
        cwd=tmp_path, env_home=tmp_path / "h",
    )
    assert done.returncode == 0
    assert "run-1" in done.stderr  # the trace names the execution


@pytest.mark.parametrize(
    "extra",
    [("--input", "{not json"), ("--input-file", "missing.json"), ("--input", "{}", "--input-file", "x.json")],
    ids=["bad-json", "missing-input-file", "both-inputs"],
)
def test_usage_errors_exit_non_zero_without_json_or_traceback(files, tmp_path, extra):
    done = run_json(files, tmp_path, *extra)
    assert done.returncode != 0
    assert done.stdout == ""


def test_a_definition_that_does_not_load_exits_non_zero_with_its_diagnostics(tmp_path):
    bad = tmp_path / "bad.asl.json"
    bad.write_text(json.dumps({"StartAt": "Nowhere", "States": {"A": {"Type": "Pass", "End": True}}}))
    done = stepflow(bad, "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 2
    result = json.loads(done.stdout)  # still exactly one JSON object
    assert (result["status"], result["error"]) == (None, "InvalidDefinition")
    assert "/StartAt" in result["cause"] and "/StartAt" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_resources_file_without_resources_is_a_usage_error(files, tmp_path):
    definition, _ = files
    empty = tmp_path / "empty.py"
    empty.write_text("X = 1\n")
    done = stepflow(definition, "--resources", empty, "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 2
    assert "RESOURCES" in done.stderr


def test_a_resources_file_that_raises_is_reported_without_traceback(files, tmp_path):
    definition, _ = files
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    done = stepflow(definition, "--resources", broken, "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 2
    assert "boom" in done.stderr and "Traceback" not in done.stderr


def test_the_run_is_saved_to_the_execution_store(files, tmp_path):
    from stepflow.store import ExecutionStore

    run_json(files, tmp_path, "--input", '{"who": "E"}', "--name", "stored-1")
    stored = ExecutionStore(tmp_path / "home").list()
    assert [s.name for s in stored] == ["stored-1"]


def test_virtual_time_makes_waits_instant(tmp_path):
    definition = tmp_path / "wait.asl.json"
    definition.write_text(json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}))
    done = stepflow(definition, "--virtual-time", "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert json.loads(done.stdout)["status"] == "SUCCEEDED"


def test_stack_binds_a_named_local_stacks_resources_and_substitutions(tmp_path):
    from pathlib import Path

    definition = Path(__file__).resolve().parents[2] / "definitions" / "rider-photo-processing-1.asl.json"
    done = stepflow(
        definition, "--stack", "riderphoto", "--virtual-time", "--json",
        "--input", '{"userId": "u", "s3Bucket": "rider-photos", "s3Key": "missing.jpg"}',
        cwd=tmp_path, env_home=tmp_path / "h",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    # The ${...} resources resolved to the stack's handlers, which ran and reported the missing photo.
    assert result["status"] == "FAILED"
    assert result["error"] == "InvalidS3ObjectException"


def test_unknown_stack_is_a_usage_error(files, tmp_path):
    definition, _ = files
    done = stepflow(definition, "--stack", "nope", "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 2
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("text", "problem"),
    [('{"a": -1e999}', "out of range"), ('{"a": NaN}', "NaN is not a valid JSON value"),
     ('{"a": "\\udcff"}', "lone surrogate (U+DCFF)"), ("[" * 2000 + "]" * 2000, "nested")],
    ids=["infinite-number", "nan", "lone-surrogate", "deep"],
)
def test_input_that_json_cannot_carry_is_a_usage_error_never_infinity_or_bad_utf8(files, tmp_path, text, problem):
    done = run_json(files, tmp_path, "--input", text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert problem in done.stderr


def test_an_argument_that_is_not_utf8_is_refused_without_printing_it(files, tmp_path):
    definition, resources = files
    argument = b'{"name": "\xff"}'.decode("utf-8", "surrogateescape")  # as Python reads such an argv
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "run", str(definition), "--resources", str(resources), "--json",
         "--input", argument],
        capture_output=True, cwd=tmp_path, env={**__import__("os").environ, "STEPFLOW_HOME": str(tmp_path / "h")},
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == b""
    done.stderr.decode("utf-8")  # whatever it says is UTF-8
    assert b"lone surrogate" in done.stderr


def test_a_pass_result_too_large_for_json_refuses_the_definition(tmp_path):
    bad = tmp_path / "huge.asl.json"
    bad.write_text('{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1e999, "End": true}}}')
    done = stepflow(bad, "--json", cwd=tmp_path, env_home=tmp_path / "h")
    assert done.returncode == 2
    assert json.loads(done.stdout)["error"] == "InvalidDefinition"  # --json: still one object
    assert "INVALID_JSON_DESCRIPTION" in done.stderr and "1e999 is out of range" in done.stderr
