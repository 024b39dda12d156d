"""Retry and Catch on a Lambda task, as recorded on AWS.

Evidence: localstack/localstack
``tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json``
(test_lambda_invoke_with_retry_base, test_lambda_invoke_with_retry_extended_input) with the templates
``templates/scenarios/statemachines/lambda_invoke_with_retry_base.json5`` and
``lambda_invoke_with_retry_extended_input.json5``.
"""
from __future__ import annotations

import json

from .recorded import FUNCTION_ARN, assert_links, details, run
from .shared import raise_exception

ATTEMPT = ["LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionFailed"]


def retry_then_catch(**task_fields) -> dict:
    return {
        "StartAt": "InvokeLambdaWithRetry",
        "States": {
            "InvokeLambdaWithRetry": {
                "Type": "Task",
                "Resource": FUNCTION_ARN,
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "HandleError"}],
                "End": True,
                **task_fields,
            },
            "HandleError": {"Type": "Pass", "End": True},
        },
    }


def test_three_retries_then_catch_repeat_the_lambda_events_within_one_state_visit():
    state_input = {"Value1": "HelloWorld!", "Value2": None}
    execution = run(
        retry_then_catch(ResultSelector={"Retries.$": "$$.State.RetryCount"}),
        state_input,
        {FUNCTION_ARN: raise_exception},
    )
    attempts = [(event_type, 2 + 3 * attempt + offset) for attempt in range(4) for offset, event_type in enumerate(ATTEMPT)]
    assert_links(
        execution,
        [
            ("ExecutionStarted", 0),
            ("TaskStateEntered", 0),
            *attempts,
            ("TaskStateExited", 14),
            ("PassStateEntered", 15),
            ("PassStateExited", 16),
            ("ExecutionSucceeded", 17),
        ],
    )
    assert all(details(execution, 3 + 3 * attempt)["input"] == state_input for attempt in range(4))
    causes = [json.loads(details(execution, 5 + 3 * attempt)["cause"]) for attempt in range(4)]
    assert len({cause["requestId"] for cause in causes}) == 4  # one Lambda request per attempt
    caught = details(execution, 15)["output"]
    assert caught["Error"] == "Exception"
    assert json.loads(caught["Cause"]) == causes[-1]
    assert details(execution, 16)["name"] == "HandleError"
    assert execution.output == caught


def test_each_retry_renders_parameters_again_with_the_new_retry_count():
    execution = run(
        retry_then_catch(
            Parameters={"ThisContextObject.$": "$$", "ThisState.$": "$"},
            ResultPath="$.state_output",
            ResultSelector={"FinalRetryCount.$": "$$.State.RetryCount"},
        ),
        {"Value1": "HelloWorld!", "Value2": None},
        {FUNCTION_ARN: raise_exception},
    )
    scheduled = [details(execution, 3 + 3 * attempt)["input"] for attempt in range(4)]
    assert [given["ThisContextObject"]["State"]["RetryCount"] for given in scheduled] == [0, 1, 2, 3]
    assert all(given["ThisContextObject"]["State"]["Name"] == "InvokeLambdaWithRetry" for given in scheduled)
    assert all(given["ThisState"] == {"Value1": "HelloWorld!", "Value2": None} for given in scheduled)
