"""The graph, executions, report and explain commands, run as a user runs them."""
from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
EVERY_STATE_TYPE = REPO / "tests/render/definitions/every-state-type.asl.json"
RIDER_PHOTO = REPO / "tests/render/definitions/rider-photo-processing-parallel.asl.json"
RESOURCES = REPO / "tests/render/work_resources.py"


def stepflow(home: Path, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "STEPFLOW_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-m", "stepflow", *arguments], capture_output=True, text=True,
                          env=environment, timeout=120, check=False)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A data root holding two runs of the every-state-type machine: one failed, one succeeded."""
    home = tmp_path_factory.mktemp("home")
    for name, execution_input in (("routed", {"size": 20, "kind": "big", "numbers": [1, 2, 3]}), ("direct", {"size": 1, "numbers": [4, 5]})):
        done = stepflow(home, "run", str(EVERY_STATE_TYPE), "--resources", str(RESOURCES), "--virtual-time",
                        "--name", name, "--input", json.dumps(execution_input))
        assert done.returncode == 0, done.stderr
    return home


def test_list_prints_list_executions_json_newest_first(home):
    done = stepflow(home, "executions", "list", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert list(listed) == ["executions"]
    assert [e["name"] for e in listed["executions"]] == ["direct", "routed"]
    first = listed["executions"][1]
    assert set(first) == {"executionArn", "stateMachineArn", "name", "status", "startDate", "stopDate", "redriveCount"}
    assert first["executionArn"] == "arn:aws:states:us-east-1:123456789012:execution:every-state-type:routed"
    assert first["stateMachineArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:every-state-type"


def test_list_filters_by_status_and_state_machine(home):
    failed = json.loads(stepflow(home, "executions", "list", "--status", "failed", "--json").stdout)
    assert [(e["name"], e["status"]) for e in failed["executions"]] == [("routed", "FAILED")]
    other = json.loads(stepflow(home, "executions", "list", "--state-machine", "nothing-like-it", "--json").stdout)
    assert other == {"executions": []}
    table = stepflow(home, "executions", "list", "--state-machine", "every-state-type").stdout.splitlines()
    assert table[0].split() == ["NAME", "STATUS", "STARTED", "STOPPED", "STATE", "MACHINE"]
    assert [line.split()[0] for line in table[1:]] == ["direct", "routed"]


def test_show_prints_describe_execution_json(home):
    failed = json.loads(stepflow(home, "executions", "show", "routed", "--json").stdout)
    assert failed["status"] == "FAILED" and (failed["error"], failed["cause"]) == ("Broken", "an item failed")
    assert json.loads(failed["input"]) == {"size": 20, "kind": "big", "numbers": [1, 2, 3]}
    assert "output" not in failed  # DescribeExecution sets output only for a succeeded execution
    succeeded = json.loads(stepflow(home, "executions", "show", "direct", "--json").stdout)
    assert succeeded["status"] == "SUCCEEDED" and "error" not in succeeded
    assert isinstance(succeeded["output"], str) and succeeded["outputDetails"] == {"included": True}
    assert succeeded["startDate"] <= succeeded["stopDate"]


def test_history_prints_get_execution_history_json(home):
    events = json.loads(stepflow(home, "executions", "history", "routed", "--json").stdout)["events"]
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionFailed"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["executionFailedEventDetails"] == {"error": "Broken", "cause": "an item failed"}
    # AWS CLI v2's form at AWS's millisecond precision, as Execution.history_json() prints it.
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}000)?\+00:00", e["timestamp"]) for e in events)
    table = stepflow(home, "executions", "history", "routed").stdout.splitlines()
    assert table[0].split()[:4] == ["ID", "PREV", "TIMESTAMP", "TYPE"]
    assert any(line.split()[3:] == ["MapIterationStarted", "PerItem", "#2"] for line in table)


def test_an_unknown_execution_is_a_clear_error(home):
    done = stepflow(home, "executions", "show", "no-such-run")
    assert done.returncode == 2
    assert "no execution 'no-such-run' in the execution store" in done.stderr and "Traceback" not in done.stderr


def test_graph_prints_mermaid_and_dot(home, tmp_path):
    mermaid = stepflow(home, "graph", str(RIDER_PHOTO))
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart TD\n")
    dot = stepflow(home, "graph", str(RIDER_PHOTO), "--format", "dot", "--output", str(tmp_path / "g.dot"))
    assert dot.returncode == 0 and dot.stdout == ""
    assert (tmp_path / "g.dot").read_text().startswith("digraph StateMachine {")


def test_graph_with_an_execution_draws_the_path_taken(home):
    done = stepflow(home, "graph", str(EVERY_STATE_TYPE), "--execution", "routed")
    assert done.returncode == 0, done.stderr
    assert "class s_PerItem caught" in done.stdout
    assert "s_Route ==>|" in done.stdout  # the edge taken out of the Choice


def test_graph_with_an_execution_of_another_machine_says_so(home):
    done = stepflow(home, "graph", str(RIDER_PHOTO), "--execution", "routed")
    assert done.returncode == 2
    assert "execution 'routed' did not run" in done.stderr and "no state named 'Prepare'" in done.stderr


def test_svg_without_graphviz_is_drawn_with_the_built_in_layout(home, tmp_path):
    done = stepflow(home, "graph", str(RIDER_PHOTO), "--format", "svg", env={"PATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<svg") and 'id="node_s_FaceDetection"' in done.stdout
    assert "Graphviz 'dot' is not installed" in done.stderr and "apt-get install graphviz" in done.stderr


@pytest.mark.skipif(subprocess.run(["which", "dot"], capture_output=True).returncode != 0, reason="no Graphviz")
def test_svg_with_graphviz(home):
    done = stepflow(home, "graph", str(EVERY_STATE_TYPE), "--execution", "routed", "--format", "svg")
    assert done.returncode == 0 and done.stdout.startswith("<svg")


def test_report_writes_one_html_file(home, tmp_path):
    output = tmp_path / "routed.html"
    done = stepflow(home, "report", "routed", "--output", str(output))
    assert done.returncode == 0, done.stderr
    html = output.read_text()
    assert html.startswith("<!DOCTYPE html>") and 'id="flow_s_Handle"' in html


def test_run_trace_shows_every_stage(home):
    done = stepflow(home, "run", str(EVERY_STATE_TYPE), "--resources", str(RESOURCES), "--virtual-time",
                    "--input", '{"size": 1, "numbers": [7]}', "--trace")
    assert done.returncode == 0, done.stderr
    assert "▶ Prepare (Pass)  SUCCEEDED" in done.stderr
    assert "+ batch: " in done.stderr and "\x1b[" not in done.stderr  # not a terminal: plain


def test_explain_runs_one_state_with_a_given_result():
    done = stepflow(REPO, "explain", str(RIDER_PHOTO), "FaceDetection", "--input", '{"s3Key": "a.jpg"}',
                    "--result", '{"Confidence": 99.5}')
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "▶ FaceDetection (Task)  SUCCEEDED"
    assert '+ detectedFaceDetails: {"Confidence": 99.5}' in done.stdout
    assert done.stdout.rstrip().endswith("→ CheckFaceDuplicate")


def test_explain_shows_a_catch_at_work():
    done = stepflow(REPO, "explain", str(RIDER_PHOTO), "FaceDetection", "--input", '{"s3Key": "a.jpg"}',
                    "--error", "PhotoDoesNotMeetRequirementError", "--cause", "Face is wearing sunglasses")
    assert done.returncode == 0, done.stderr
    assert "caught" in done.stdout and "PhotoDoesNotMeetRequirementError: Face is wearing sunglasses" in done.stdout
    assert '+ errorInfo: {"Error": "PhotoDoesNotMeetRequirementError", "Cause": "Face is wearing sunglasses"}' in done.stdout
    assert done.stdout.rstrip().endswith("→ PhotoDoesNotMeetRequirement")


def test_explain_finds_a_state_inside_a_map_and_shows_its_retries():
    done = stepflow(REPO, "explain", str(EVERY_STATE_TYPE), "Right", "--input", "{}", "--error", "States.TaskFailed")
    assert done.returncode == 0, done.stderr
    assert "retry 2" in done.stdout and "failed" in done.stdout.splitlines()[-1]


def test_explain_a_task_without_a_result_asks_for_one():
    done = stepflow(REPO, "explain", str(RIDER_PHOTO), "FaceDetection", "--input", "{}")
    assert done.returncode == 2 and "give --result JSON" in done.stderr
