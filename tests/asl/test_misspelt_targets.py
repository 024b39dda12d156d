"""A misspelt state name is one problem with "did you mean", its follow-on findings folded under it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stepflow import DefinitionError, StateMachine
from stepflow.asl.validate import validate_definition

TYPO = {"StartAt": "Start", "States": {
    "Start": {"Type": "Pass", "Next": "ChargeCard"},
    "ChargeCrad": {"Type": "Pass", "Next": "Ship"},
    "Ship": {"Type": "Pass", "Next": "Notify"},
    "Notify": {"Type": "Pass", "Next": "Done"},
    "Done": {"Type": "Succeed"},
    "Orphan": {"Type": "Succeed"},
}}


def test_the_aws_shaped_list_keeps_every_diagnostic_while_people_read_one_problem():
    diagnostics = validate_definition(TYPO)
    # ValidateStateMachineDefinition's list is unchanged: the missing target and each unreachable state.
    assert [d.location for d in diagnostics] == [
        "/States/Start/Next", "/States/ChargeCrad", "/States/Ship", "/States/Notify", "/States/Done", "/States/Orphan"]
    assert diagnostics[0].message == "Missing 'Next' target: ChargeCard"
    with pytest.raises(DefinitionError) as invalid:
        StateMachine(TYPO)
    text = str(invalid.value)
    assert "2 problem(s)" in text  # the typo, and Orphan which no correction reaches
    assert "did you mean 'ChargeCrad'?" in text
    assert "and so not reachable: ChargeCrad, Ship, Notify, Done" in text
    assert 'State "Orphan" is not reachable.' in text and 'State "Ship" is not reachable.' not in text


def test_validate_and_graph_print_the_same_folded_list(tmp_path):
    path = tmp_path / "typo.asl.json"
    path.write_text(json.dumps(TYPO))

    def stepflow(*args):
        return subprocess.run([sys.executable, "-m", "stepflow", *args, str(path)], capture_output=True, text=True)

    validated, drawn = stepflow("validate"), stepflow("graph")
    assert validated.returncode == 1 and drawn.returncode == 2
    for output in (validated.stdout, drawn.stderr):
        assert "did you mean 'ChargeCrad'?" in output
        assert "and so not reachable: ChargeCrad, Ship, Notify, Done" in output
        assert output.count("not reachable") == 2  # the folded line and Orphan's own
