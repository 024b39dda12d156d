"""The pytest plugin's fixtures and the path/history assertions, used as a test suite would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepflow.settings import data_root
from stepflow.testing import (
    assert_history_contains,
    assert_not_visited,
    assert_states_visited,
    history_types,
    states_visited,
    step,
)

DATA = Path(__file__).parent / "data"
BRANCHING = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"}],
            "Default": "Small",
        },
        "Big": {"Type": "Wait", "Seconds": 86400, "Next": "Both"},
        "Small": {"Type": "Pass", "Next": "Both"},
        "Both": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "Left", "States": {"Left": {"Type": "Pass", "End": True}}}],
            "End": True,
        },
    },
}


def test_stepflow_home_is_an_empty_data_root_of_this_test_only(stepflow_home, tmp_path):
    assert data_root() == stepflow_home.resolve()
    assert stepflow_home.is_relative_to(tmp_path) and not any(stepflow_home.iterdir())


def test_make_state_machine_runs_on_the_tests_virtual_clock(make_state_machine, virtual_clock):
    machine = make_state_machine(BRANCHING)

    execution = machine.run({"n": 11})

    assert (execution.stop_date - execution.start_date).total_seconds() == 86400
    assert virtual_clock.now() == execution.stop_date


def test_path_assertions_pass_on_the_path_taken_and_explain_a_different_one(make_state_machine):
    execution = make_state_machine(BRANCHING).run({"n": 3})

    assert_states_visited(execution, ["Check", "Small", "Both"])
    assert_states_visited(execution, ["Left"], scope=("Both", 0))
    assert_not_visited(execution, "Big")
    assert states_visited(execution) == ["Check", "Small", "Both"]
    assert step(execution, "Check").next == "Small"
    with pytest.raises(AssertionError, match=r"actual:   \['Check', 'Small', 'Both'\]\n  expected: \['Check', 'Big', 'Both'\]"):
        assert_states_visited(execution, ["Check", "Big", "Both"])
    with pytest.raises(AssertionError, match=r"states \['Small'\] were entered"):
        assert_not_visited(execution, "Small")
    with pytest.raises(AssertionError, match="visited 1 time"):
        step(execution, "Small", 1)


def test_history_assertions_match_types_in_order_and_details_by_subset(make_state_machine, sfn_client):
    execution = make_state_machine(BRANCHING).run({"n": 3})

    assert_history_contains(execution, [
        "ExecutionStarted",
        ("ChoiceStateExited", {"name": "Check"}),
        "ParallelStateStarted",
        ("PassStateEntered", {"name": "Left"}),
        "ExecutionSucceeded",
    ])
    with pytest.raises(AssertionError, match="no WaitStateEntered in the history"):
        assert_history_contains(execution, ["WaitStateEntered"])
    with pytest.raises(AssertionError, match="no ExecutionStarted"):  # order matters
        assert_history_contains(execution, ["ExecutionSucceeded", "ExecutionStarted"])
    arn = sfn_client.create_state_machine(name="B", definition=json.dumps(BRANCHING), roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    run = sfn_client.start_execution(stateMachineArn=arn, input='{"n": 3}')["executionArn"]
    sfn_client.wait_for_execution(run)
    assert history_types(sfn_client.get_execution_history(executionArn=run)) == history_types(execution)


def test_sfn_client_shares_the_virtual_clock(sfn_client, virtual_clock):
    assert sfn_client.clock is virtual_clock


def test_the_plugin_is_registered_and_reads_the_mock_file_option(tmp_path):
    suite = tmp_path / "test_suite.py"
    suite.write_text(
        "import json\n"
        f"DEFINITION = open({str(DATA / 'LambdaSQSIntegration.asl.json')!r}).read()\n"
        "def test_happy_path(sfn_client, mock_config):\n"
        "    assert 'LambdaSQSIntegration' in mock_config.test_cases\n"
        "    arn = sfn_client.create_state_machine(name='LambdaSQSIntegration', definition=DEFINITION,\n"
        "                                          roleArn='arn:aws:iam::123456789012:role/r')['stateMachineArn']\n"
        "    run = sfn_client.start_execution(stateMachineArn=arn + '#HappyPath', input='{}')['executionArn']\n"
        "    assert sfn_client.wait_for_execution(run)['status'] == 'SUCCEEDED'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SFN_MOCK_CONFIG"}

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite),
         "--stepflow-mock-config", str(DATA / "MockConfigFile.json")],
        cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
