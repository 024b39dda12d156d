"""Retry and Catch in the run loop: delays on the clock, attempts, catcher output, what is never caught."""
from __future__ import annotations

from datetime import datetime, timezone

from stepflow import StateMachine, TaskError, VirtualClock

FN = "arn:aws:lambda:us-east-1:123456789012:function:Flaky"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def failing(*errors: str):
    """A handler that raises the given ASL errors in turn, then succeeds; records its events."""
    calls: list = []

    def handler(event, context):
        calls.append(event)
        if len(calls) <= len(errors):
            raise TaskError(errors[len(calls) - 1], f"attempt {len(calls)}")
        return "done"

    handler.calls = calls
    return handler


def run(task: dict, handler, state_input=None, extra_states: dict | None = None):
    states = {"Work": {"Type": "Task", "Resource": FN, "End": True, **task}, **(extra_states or {})}
    machine = StateMachine({"StartAt": "Work", "States": states}, resources={FN: handler})
    return machine.run(state_input if state_input is not None else {}, clock=VirtualClock(START))


def scheduled_offsets(execution) -> list[float]:
    return [
        (e["timestamp"] - START).total_seconds()
        for e in execution.history
        if e["type"] == "LambdaFunctionScheduled"
    ]


def test_retry_guide_example_backs_off_by_the_rate():
    # Guide: IntervalSeconds 3, MaxAttempts 2, BackoffRate 1.5 -> retries after 3 s and 4.5 s.
    retry = [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5}]
    execution = run({"Retry": retry}, failing("States.Timeout", "States.Timeout"))
    assert execution.output == "done"
    assert scheduled_offsets(execution) == [0, 3, 7.5]
    assert [r["delay"] for r in execution.steps[0].retries] == [3, 4.5]


def test_retry_gives_up_after_max_attempts_and_fails_with_the_last_error():
    retry = [{"ErrorEquals": ["ErrorA"], "IntervalSeconds": 1, "MaxAttempts": 2}]
    execution = run({"Retry": retry}, failing("ErrorA", "ErrorA", "ErrorA"))
    assert (execution.error, execution.cause) == ("ErrorA", "attempt 3")
    assert scheduled_offsets(execution) == [0, 1, 3]


def test_max_attempts_zero_never_retries():
    retry = [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]
    handler = failing("ErrorA")
    execution = run({"Retry": retry}, handler)
    assert execution.error == "ErrorA"
    assert len(handler.calls) == 1


def test_max_delay_seconds_caps_the_backoff():
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 10, "MaxAttempts": 3, "MaxDelaySeconds": 5}]
    execution = run({"Retry": retry}, failing("E", "E", "E"))
    assert [r["delay"] for r in execution.steps[0].retries] == [2, 5, 5]


def test_context_retry_count_counts_the_retries_of_this_entry():
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 3}]
    handler = failing("E", "E")
    execution = run({"Retry": retry, "Parameters": {"attempt.$": "$$.State.RetryCount"}}, handler)
    assert execution.status == "SUCCEEDED"
    assert [call["attempt"] for call in handler.calls] == [0, 1, 2]


def test_catch_guide_example_puts_the_error_at_resultpath_and_goes_to_next():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Recover", "ResultPath": "$.error"}]
    execution = run(
        {"Catch": catch},
        failing("CustomError"),
        {"foo": "bar"},
        {"Recover": {"Type": "Pass", "End": True}},
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"foo": "bar", "error": {"Error": "CustomError", "Cause": "attempt 1"}}
    work, recover = execution.steps
    assert (work.status, work.next, work.error) == ("CAUGHT", "Recover", "CustomError")
    types = [e["type"] for e in execution.history]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_catch_without_resultpath_replaces_the_input_with_the_error_output():
    catch = [{"ErrorEquals": ["E"], "Next": "Recover"}]
    execution = run({"Catch": catch}, failing("E"), {"a": 1}, {"Recover": {"Type": "Pass", "End": True}})
    assert execution.output == {"Error": "E", "Cause": "attempt 1"}


def test_retry_runs_before_catch_and_catch_takes_the_error_once_retries_are_spent():
    retry = [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 1}]
    catch = [{"ErrorEquals": ["E"], "Next": "Recover", "ResultPath": "$.caught"}]
    handler = failing("E", "E")
    execution = run({"Retry": retry, "Catch": catch}, handler, {}, {"Recover": {"Type": "Pass", "End": True}})
    assert len(handler.calls) == 2
    assert execution.output == {"caught": {"Error": "E", "Cause": "attempt 2"}}


def test_first_matching_catcher_wins():
    catch = [
        {"ErrorEquals": ["Other"], "Next": "A"},
        {"ErrorEquals": ["E"], "Next": "B"},
        {"ErrorEquals": ["States.ALL"], "Next": "A"},
    ]
    extra = {"A": {"Type": "Pass", "Result": "A", "End": True}, "B": {"Type": "Pass", "Result": "B", "End": True}}
    assert run({"Catch": catch}, failing("E"), {}, extra).output == "B"


def test_states_runtime_is_never_caught_even_by_states_all():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
    execution = run(
        {"Catch": catch, "InputPath": "$.missing"},
        failing(),
        {},
        {"Recover": {"Type": "Pass", "End": True}},
    )
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"


def test_data_limit_exceeded_is_caught_by_states_all_as_aws_records():
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
    execution = run(
        {"Catch": catch},
        lambda event, context: "x" * 300_000,
        {},
        {"Recover": {"Type": "Pass", "End": True}},
    )
    assert execution.status == "SUCCEEDED"
    assert execution.output["Error"] == "States.DataLimitExceeded"


def test_states_task_failed_catches_handler_errors_but_not_timeouts():
    catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Recover"}]
    extra = {"Recover": {"Type": "Pass", "Result": "recovered", "End": True}}
    assert run({"Catch": catch}, failing("AnyError"), {}, extra).output == "recovered"
    assert run({"Catch": catch}, failing("States.Timeout"), {}, extra).error == "States.Timeout"
