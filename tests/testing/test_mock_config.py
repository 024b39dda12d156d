"""MockConfigFile mocks: the AWS developer guide's example file and machine run unchanged."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from stepflow import StateMachine
from stepflow.testing.mocks import MockConfig, MockConfigError, MockedResponse, TestCase, run_test_case

DATA = Path(__file__).parent / "data"
MOCK_FILE = DATA / "MockConfigFile.json"
LAMBDA_SUCCESS = {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}
SQS_SUCCESS = {
    "MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
    "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51",
}


@pytest.fixture
def machine() -> StateMachine:
    return StateMachine.from_file(DATA / "LambdaSQSIntegration.asl.json", name="LambdaSQSIntegration")


def test_happy_path_of_the_aws_example_answers_both_states_from_the_file(machine):
    execution = run_test_case(machine, "HappyPath", {"name": "x"}, mock_config=MockConfig.load(MOCK_FILE))

    assert execution.status == "SUCCEEDED"
    assert execution.output == SQS_SUCCESS
    lambda_step, sqs_step = execution.steps
    assert lambda_step.after_parameters == {"Payload": {"name": "x"}, "FunctionName": "HelloWorldFunction"}
    assert lambda_step.result == LAMBDA_SUCCESS
    # The mocked lambda:invoke result is the whole Invoke response, so SQSState's input is too.
    assert sqs_step.after_parameters["MessageBody"] == LAMBDA_SUCCESS


def test_retry_path_uses_numbered_and_ranged_responses_through_the_states_retrier(machine):
    execution = run_test_case(machine, "RetryPath", {}, mock_config=MockConfig.load(MOCK_FILE))

    assert execution.status == "SUCCEEDED"
    lambda_step = execution.steps[0]
    assert [(r["error"], r["delay"]) for r in lambda_step.retries] == [
        ("Lambda.ResourceNotReadyException", 2.0),
        ("Lambda.TimeoutException", 4.0),
        ("Lambda.TimeoutException", 8.0),
    ]
    assert lambda_step.result == LAMBDA_SUCCESS
    # 2 + 4 + 8 seconds of backoff on the virtual clock, at no real cost.
    assert execution.stop_date - execution.start_date == timedelta(seconds=14)
    failed = [e["taskFailedEventDetails"] for e in execution.history if e["type"] == "TaskFailed"]
    assert [(f["error"], f["cause"]) for f in failed] == [
        ("Lambda.ResourceNotReadyException", "Lambda resource is not ready."),
        ("Lambda.TimeoutException", "Lambda timed out."),
        ("Lambda.TimeoutException", "Lambda timed out."),
    ]


def test_hybrid_path_calls_the_real_handler_of_an_unmocked_state():
    sent = []
    send = {"arn:aws:states:::sqs:sendMessage": lambda event, context: sent.append(event) or {"MessageId": "m-1"}}
    machine = StateMachine.from_file(DATA / "LambdaSQSIntegration.asl.json", name="LambdaSQSIntegration", resources=send)

    execution = run_test_case(machine, "HybridPath", {"a": 1}, mock_config=MockConfig.load(MOCK_FILE))

    assert execution.status == "SUCCEEDED"
    assert execution.output == {"MessageId": "m-1"}
    assert sent[0]["MessageBody"] == LAMBDA_SUCCESS


def test_the_mock_file_is_found_through_SFN_MOCK_CONFIG_as_step_functions_local_does(machine, monkeypatch):
    monkeypatch.setenv("SFN_MOCK_CONFIG", str(MOCK_FILE))

    assert run_test_case(machine, "HappyPath").status == "SUCCEEDED"


def test_a_missing_response_for_an_invocation_fails_the_execution():
    machine = StateMachine(
        {
            "StartAt": "Flaky",
            "States": {
                "Flaky": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f"},
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}],
                    "End": True,
                }
            },
        }
    )
    case = TestCase.of({"Flaky": {"0": {"Throw": {"Error": "Boom", "Cause": "first"}}}})

    execution = run_test_case(machine, case)

    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert "no response for invocation 1" in execution.cause


def test_mocked_throw_is_caught_and_result_selector_and_result_path_apply_to_mocked_returns():
    definition = {
        "StartAt": "Lookup",
        "States": {
            "Lookup": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:lookup",
                "ResultSelector": {"id.$": "$.Item.id"},
                "ResultPath": "$.found",
                "Catch": [{"ErrorEquals": ["NotFound"], "ResultPath": "$.error", "Next": "Missing"}],
                "Next": "Done",
            },
            "Missing": {"Type": "Pass", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    machine = StateMachine(definition)

    found = run_test_case(machine, TestCase.of({"Lookup": {"Return": {"Item": {"id": 7, "x": 1}}}}), {"q": 1})
    missing = run_test_case(
        machine, TestCase.of({"Lookup": [{"Throw": {"Error": "NotFound", "Cause": "no item"}}]}), {"q": 1}
    )

    assert found.output == {"q": 1, "found": {"id": 7}}
    assert [s.name for s in found.steps] == ["Lookup", "Done"]
    # A function ARN keeps its LambdaFunction* events when mocked.
    assert "LambdaFunctionSucceeded" in [e["type"] for e in found.history]
    assert missing.output == {"q": 1, "error": {"Error": "NotFound", "Cause": "no item"}}
    assert [s.name for s in missing.steps] == ["Lookup", "Missing"]


def test_map_iterations_share_one_invocation_count_per_execution():
    machine = StateMachine(
        {
            "StartAt": "Each",
            "States": {
                "Each": {
                    "Type": "Map",
                    "MaxConcurrency": 1,
                    "ItemProcessor": {
                        "StartAt": "Work",
                        "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True}},
                    },
                    "End": True,
                }
            },
        }
    )
    case = {"Work": {"0-1": {"Return": "early"}, "2": {"Return": "late"}}}

    first = run_test_case(machine, TestCase.of(case), [1, 2, 3])
    second = run_test_case(machine, TestCase.of(case), [1, 2, 3])

    assert first.output == second.output == ["early", "early", "late"]


@pytest.mark.parametrize(
    "spec, problem",
    [
        ({"zero": {"Return": 1}}, 'MockedResponses.R."zero" must be an invocation number'),
        ({"0": {"Return": 1, "Throw": {"Error": "E"}}}, "exactly one field, Return or Throw"),
        ({"0": {"Throw": {"Cause": "c"}}}, "must be an object with an Error string"),
        ({"0-2": {"Return": 1}, "2": {"Return": 2}}, "gives invocation 2 more than one response"),
        ({"3-1": {"Return": 1}}, "is an empty range"),
    ],
)
def test_malformed_mocked_responses_are_refused_naming_the_place(spec, problem):
    with pytest.raises(MockConfigError, match=problem):
        MockedResponse.parse("R", spec)


def test_a_test_case_naming_an_undefined_response_or_an_unknown_case_is_refused(tmp_path):
    with pytest.raises(MockConfigError, match=r"StateMachines.M.TestCases.T.S names 'Nope'"):
        MockConfig({"StateMachines": {"M": {"TestCases": {"T": {"S": "Nope"}}}}, "MockedResponses": {}})
    config = MockConfig.load(MOCK_FILE)
    with pytest.raises(MockConfigError, match=r"has no test case 'SadPath' \(it has: HappyPath, HybridPath, RetryPath\)"):
        config.test_case("LambdaSQSIntegration", "SadPath")
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(MockConfigError, match="broken.json is not valid JSON"):
        MockConfig.load(broken)


def test_each_answer_is_a_fresh_value_so_a_run_cannot_change_the_config():
    response = MockedResponse.parse("R", {"0-9": {"Return": {"list": [1]}}})
    first = response.answer(0)
    first["list"].append(2)

    assert response.answer(1) == {"list": [1]}
    assert json.loads(json.dumps(response.answer(9))) == {"list": [1]}


def test_a_mocked_wait_for_task_token_state_answers_at_once_as_on_step_functions_local():
    machine = StateMachine(
        {
            "StartAt": "Approve",
            "States": {
                "Approve": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}},
                    "HeartbeatSeconds": 60,
                    "End": True,
                }
            },
        }
    )

    execution = run_test_case(machine, TestCase.of({"Approve": {"Return": {"approved": True}}}))

    assert execution.output == {"approved": True}
    assert execution.steps[0].after_parameters["MessageBody"]["token"]  # a token was generated
    assert "TaskSubmitted" not in [e["type"] for e in execution.history]


def test_numbered_responses_drive_a_polling_loop_whose_waits_cost_no_time():
    machine = StateMachine(
        {
            "StartAt": "GetStatus",
            "States": {
                "GetStatus": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:glue:getJobRun", "ResultPath": "$.run", "Next": "Done?"},
                "Done?": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.run.JobRun.JobRunState", "StringEquals": "SUCCEEDED", "Next": "Finished"}],
                    "Default": "WaitAMinute",
                },
                "WaitAMinute": {"Type": "Wait", "Seconds": 60, "Next": "GetStatus"},
                "Finished": {"Type": "Succeed"},
            },
        }
    )
    case = TestCase.of({"GetStatus": {
        "0-2": {"Return": {"JobRun": {"JobRunState": "RUNNING"}}},
        "3": {"Return": {"JobRun": {"JobRunState": "SUCCEEDED"}}},
    }})

    execution = run_test_case(machine, case, {})

    assert [s.name for s in execution.steps].count("GetStatus") == 4
    assert case.invocations("GetStatus") == 4
    assert execution.steps[-1].name == "Finished"
    assert execution.stop_date - execution.start_date == timedelta(minutes=3)


def test_a_test_case_run_without_input_starts_from_an_empty_object_as_start_execution_does():
    machine = StateMachine({"StartAt": "Echo", "States": {"Echo": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "ResultPath": "$.sent", "End": True}}})

    execution = run_test_case(machine, TestCase.of({"Echo": {"Return": {"MessageId": "1"}}}))

    assert execution.output == {"sent": {"MessageId": "1"}}


def test_an_unknown_state_machine_name_lists_the_names_and_where_names_come_from():
    config = MockConfig.load(MOCK_FILE)
    with pytest.raises(MockConfigError) as unknown:
        config.test_case("LambdaSqsIntegration", "HappyPath")
    message = str(unknown.value)
    assert "(it has: 'LambdaSQSIntegration')" in message
    assert "StateMachine.from_file" in message and "orders.asl.json -> 'orders'" in message


def test_a_mocked_state_the_machine_does_not_have_is_refused_listing_its_states(machine):
    case = TestCase.of({"LambdaStateTypo": {"Return": {}}}, "Typo")
    with pytest.raises(MockConfigError) as unknown:
        run_test_case(machine, case)
    message = str(unknown.value)
    assert "test case 'Typo' mocks 'LambdaStateTypo'" in message
    assert "its states: LambdaState, SQSState" in message
