"""``stepflow run --step`` driven through a pseudo-terminal, as a person types at it."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import SIZES

pexpect = pytest.importorskip("pexpect", reason="pexpect (the test extra) drives the pseudo-terminal")
pytest.importorskip("prompt_toolkit", reason="the step extra (prompt_toolkit) is not installed")

INPUT = '{"items": [{"v": 1}, {"v": 5}]}'
PROMPT = r"\(stepflow\)"


def enter(child, line: str) -> None:
    """Type a line and press Enter (a terminal sends a carriage return)."""
    child.send(line + "\r")


@pytest.fixture
def definition(tmp_path):
    path = tmp_path / "sizes.asl.json"
    path.write_text(json.dumps(SIZES))
    return path


@pytest.fixture
def stepper(definition, tmp_path):
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "STEPFLOW_HOME": str(tmp_path / "home"),
           "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "stepflow", "run", str(definition), "--input", INPUT, "--step"],
                          env=env, encoding="utf-8", timeout=20, dimensions=(50, 160))
    yield child
    child.close(force=True)


def test_before_each_state_it_shows_the_place_the_input_and_each_stage(stepper):
    stepper.expect(r"before Prepare \(Pass\) · top level")
    stepper.expect(r"goes to\s+Sizes")
    stepper.expect(r'input\s+\{"items": \[\{"v": 1\}, \{"v": 5\}\]\}')
    stepper.expect(r"Result\s+\{\"limit\": 2\}")
    stepper.expect(r'ResultPath\s+"\$\.config"')
    stepper.expect(r"OutputPath\s+\$ \(all of it\)")
    stepper.expect(PROMPT)
    enter(stepper, "n")
    stepper.expect(r"▶ Prepare \(Pass\)")
    stepper.expect(r"\+ config")
    stepper.expect(r"before Sizes \(Map\) · top level")
    stepper.expect(r'ItemsPath\s+"\$\.items"')


def test_break_continue_print_edit_and_next_change_the_branch_a_choice_takes(stepper):
    stepper.expect(PROMPT)
    stepper.send("b IsB")
    stepper.expect(" IsBig ")  # the completion menu offers the state's name
    stepper.send("\t")  # Tab takes it: only "IsB" was typed
    enter(stepper, "")
    stepper.expect("breakpoint before IsBig")
    stepper.expect(PROMPT)
    enter(stepper, "c")
    stepper.expect(r"before IsBig \(Choice\) · Sizes #0")
    stepper.expect(r"goes to\s+Big \(\$\.v > 2\) \| Small \(Default\)")
    stepper.expect(PROMPT)
    enter(stepper, "p $.v")
    stepper.expect(r"= 1\r\n")
    enter(stepper, "p {% $states.input.v + 41 %}")
    stepper.expect(r"= 42\r\n")
    enter(stepper, 'd {"v": 9}')
    stepper.expect(r'input now \{"v": 9\}')
    enter(stepper, "n")
    stepper.expect(r"→ Big")
    stepper.expect(r"before Big \(Pass\) · Sizes #0")
    enter(stepper, "c")
    stepper.expect(r"before IsBig \(Choice\) · Sizes #1")
    enter(stepper, "c")
    stepper.expect("ended: SUCCEEDED")
    stepper.expect(r'"sizes": \[\s+"big",\s+"big"\s+\]')
    stepper.expect(pexpect.EOF)
    stepper.close()
    assert stepper.exitstatus == 0


def test_a_bad_command_says_what_went_wrong_and_q_aborts_the_run(stepper):
    stepper.expect(PROMPT)
    enter(stepper, "b Nowhere")
    stepper.expect("no state named 'Nowhere'")
    enter(stepper, "p $.missing")
    stepper.expect(r"! .*No results for path: \$\['missing'\]")
    enter(stepper, "d {not json")
    stepper.expect("d takes JSON")
    enter(stepper, "help")
    stepper.expect("n next · c continue")
    enter(stepper, "q")
    stepper.expect("ended: ABORTED")
    stepper.expect(pexpect.EOF)
    stepper.close()
    assert stepper.exitstatus == 0


def test_without_a_terminal_commands_are_read_line_by_line(definition, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "run", str(definition), "--input", INPUT, "--step", "--json"],
        input="b Small\nc\np $.v\nc\n", capture_output=True, text=True, timeout=30,
        env={**os.environ, "STEPFLOW_HOME": str(tmp_path / "home")},
    )
    assert done.returncode == 0, done.stderr
    assert "before Small (Pass) · Sizes #0" in done.stdout and "(stepflow)   = 1\n" in done.stdout
    assert json.loads(done.stdout.splitlines()[-1])["output"]["sizes"] == ["small", "big"]
