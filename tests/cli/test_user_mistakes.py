"""Every user mistake ends with a typed message naming the place and exit 2, never 'internal error'."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

PASS = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
FN = "arn:aws:lambda:us-east-1:123456789012:function:Greeter"
GREETER = {"StartAt": "Greet", "States": {"Greet": {"Type": "Task", "Resource": FN, "End": True}}}


def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr
    return done.stderr


@pytest.fixture
def definition(definition_file) -> Path:
    return definition_file(PASS, "pass.asl.json")


def test_graph_output_in_a_missing_folder_names_the_folder(cli, tmp_path, definition):
    done = cli("graph", definition, "--output", tmp_path / "nope" / "g.mmd")
    refused(done, "--output", str(tmp_path / "nope"), "does not exist")


def test_report_output_in_a_missing_folder_names_the_folder(cli, tmp_path, definition):
    assert cli("run", definition, "--name", "r1").returncode == 0
    done = cli("report", "r1", "--output", tmp_path / "nope" / "r.html")
    refused(done, "--output", "does not exist")


def test_a_non_utf8_input_file_is_named(cli, tmp_path, definition):
    (tmp_path / "in.json").write_bytes(b'{"name": "\xe9"}')
    refused(cli("run", definition, "--input-file", tmp_path / "in.json"), "in.json", "not UTF-8")


def test_stepflow_home_pointing_at_a_file_names_the_setting(cli, tmp_path, definition):
    (tmp_path / "afile").write_text("x")
    refused(cli("run", definition, home=tmp_path / "afile"), "STEPFLOW_HOME=", "is a file")
    refused(cli("executions", "list", home=tmp_path / "afile" / "below"), "STEPFLOW_HOME=")


def test_stepflow_home_where_nothing_can_be_created_names_the_setting(cli, tmp_path, definition):
    # /proc refuses new folders even to root, so this holds whoever runs the tests.
    refused(cli("run", definition, home="/proc/stepflow-home"), "STEPFLOW_HOME")


def test_a_folder_given_as_resources_is_named(cli, tmp_path, definition):
    refused(cli("run", definition, "--resources", tmp_path), "is a folder")


def test_an_exception_while_the_resources_file_imports_shows_its_file_and_line(cli, tmp_path, definition):
    (tmp_path / "res.py").write_text("import os\n\nRESOURCES = {}\n{}['missing']\n")
    refused(cli("run", definition, "--resources", tmp_path / "res.py"),
            f"{tmp_path / 'res.py'}, line 4", "KeyError")


def test_a_resources_file_imports_the_modules_beside_it(cli, tmp_path):
    (tmp_path / "greeting.py").write_text("def greet(event, context):\n    return 'hi ' + event['who']\n")
    (tmp_path / "res.py").write_text(f"from greeting import greet\nRESOURCES = {{'{FN}': greet}}\n")
    (tmp_path / "greeter.asl.json").write_text(json.dumps(GREETER))
    done = cli("run", tmp_path / "greeter.asl.json", "--resources", tmp_path / "res.py",
                    "--input", '{"who": "Bo"}', "--json")
    assert json.loads(done.stdout)["output"] == "hi Bo", done.stderr
