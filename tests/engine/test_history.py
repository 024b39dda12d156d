"""The history log: events shaped like GetExecutionHistory's, ids and ARNs as AWS gives them."""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest

from stepflow.runtime.clock import VirtualClock
from stepflow.engine.history import EventType, History, details_key, format_timestamp, state_events
from stepflow.integrations.base import task_names
from stepflow.runtime.arns import InvalidName, execution_arn, state_machine_arn

START = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(START)


@pytest.fixture
def history(clock: VirtualClock) -> History:
    return History(clock)


def test_a_lambda_task_execution_reads_like_aws_history(history: History, clock: VirtualClock):
    arn = "arn:aws:lambda:us-east-1:123456789012:function:HelloFunction"
    history.execution_started({"who": "AWS"})
    history.state_entered("Task", "HelloWorld", {"who": "AWS"})
    history.lambda_function_scheduled(arn, '{"who":"AWS"}', timeout_in_seconds=60)
    history.lambda_function_started()
    clock.sleep(0.215)
    history.lambda_function_succeeded('"Hello, AWS!"')
    history.state_exited("Task", "HelloWorld", "Hello, AWS!")
    history.execution_succeeded('"Hello, AWS!"')
    events = history.to_json()["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]
    assert [(e["id"], e["previousEventId"]) for e in events] == [(i, i - 1) for i in range(1, 8)]
    assert events[0]["executionStartedEventDetails"] == {
        "input": '{"who":"AWS"}',
        "inputDetails": {"truncated": False},
        "roleArn": "arn:aws:iam::123456789012:role/stepflow-local-execution-role",
    }
    assert events[2]["lambdaFunctionScheduledEventDetails"] == {
        "resource": arn, "input": '{"who":"AWS"}', "inputDetails": {"truncated": False},
        "timeoutInSeconds": 60,
    }
    assert "lambdaFunctionStartedEventDetails" not in events[3]
    assert set(events[3]) == {"timestamp", "type", "id", "previousEventId"}
    assert events[4]["lambdaFunctionSucceededEventDetails"] == {
        "output": '"Hello, AWS!"', "outputDetails": {"truncated": False}
    }
    assert events[5]["stateExitedEventDetails"]["name"] == "HelloWorld"
    assert events[4]["timestamp"] == "2024-05-01T12:00:00.215000+00:00"
    assert events[0]["timestamp"] == "2024-05-01T12:00:00+00:00"


def test_event_keys_come_in_aws_order(history: History):
    history.state_entered("Pass", "P", {})
    assert list(history.events[0]) == [
        "timestamp", "type", "id", "previousEventId", "stateEnteredEventDetails"
    ]


def test_inputs_and_outputs_are_compact_json_strings(history: History):
    history.state_exited("Pass", "P", {"list": [1, 2], "text": "é"})
    assert history.events[0]["stateExitedEventDetails"]["output"] == '{"list":[1,2],"text":"é"}'


def test_events_keep_datetimes_like_boto3_and_json_has_strings(history: History):
    history.execution_started({})
    assert history.events[0]["timestamp"] == START
    json.dumps(history.to_json())  # serializable as is


def test_timestamps_are_cut_to_aws_millisecond_precision():
    assert format_timestamp(START + timedelta(microseconds=215_999)) == "2024-05-01T12:00:00.215000+00:00"


def test_service_integration_events_name_resource_type_and_resource(history: History):
    resource = task_names("arn:aws:states:::lambda:invoke")
    history.task_scheduled(resource, '{"FunctionName":"f","Payload":{"a":1}}', timeout_in_seconds=60,
                           heartbeat_in_seconds=10)
    history.task_started(resource)
    history.task_succeeded(resource, '{"StatusCode":200}')
    history.task_ended_in_error(EventType.TaskFailed, resource, "Lambda.Unknown", "boom")
    events = history.events
    assert events[0]["taskScheduledEventDetails"] == {
        "resourceType": "lambda", "resource": "invoke", "region": "us-east-1",
        "parameters": '{"FunctionName":"f","Payload":{"a":1}}',
        "timeoutInSeconds": 60, "heartbeatInSeconds": 10,
    }
    assert events[1]["taskStartedEventDetails"] == {"resourceType": "lambda", "resource": "invoke"}
    assert events[2]["taskSucceededEventDetails"]["output"] == '{"StatusCode":200}'
    assert events[3]["taskFailedEventDetails"] == {
        "resourceType": "lambda", "resource": "invoke", "error": "Lambda.Unknown", "cause": "boom"
    }


def test_sdk_integration_resource_type_keeps_the_service():
    assert task_names("arn:aws:states:::aws-sdk:s3:getObject") == ("aws-sdk:s3", "getObject")


def test_versioned_sync_integration_keeps_the_version_in_the_resource():
    assert task_names("arn:aws:states:::states:startExecution.sync:2") == (
        "states", "startExecution.sync:2"
    )


@pytest.mark.parametrize(
    "arn", ["arn:aws:lambda:us-east-1:123456789012:function:F", "arn:aws:states:::lambda", "arn:aws:states:::aws-sdk:s3"]
)
def test_arns_that_are_not_service_integrations_are_refused(arn: str):
    with pytest.raises(ValueError, match="not a service integration"):
        task_names(arn)


def test_error_events_leave_out_an_absent_cause(history: History):
    history.execution_ended_in_error("FAILED", "States.Runtime", None)
    history.execution_ended_in_error("TIMED_OUT", "States.Timeout", "too slow")
    history.execution_ended_in_error("ABORTED", None, None)
    events = history.events
    assert events[0]["executionFailedEventDetails"] == {"error": "States.Runtime"}
    assert events[1]["executionTimedOutEventDetails"] == {"error": "States.Timeout", "cause": "too slow"}
    assert events[2]["type"] == "ExecutionAborted" and events[2]["executionAbortedEventDetails"] == {}


def test_parallel_branches_point_back_to_the_started_event(history: History):
    history.state_entered("Parallel", "Fork", {})
    started = history.container_event("Parallel", "started")
    first = history.state_entered("Pass", "A", {}, previous_event_id=started)
    second = history.state_entered("Pass", "B", {}, previous_event_id=started)
    events = history.events
    assert events[started - 1]["type"] == "ParallelStateStarted"
    assert "parallelStateStartedEventDetails" not in events[started - 1]
    assert events[first - 1]["previousEventId"] == events[second - 1]["previousEventId"] == started


def test_map_events_carry_length_and_iteration_index(history: History):
    history.container_event("Map", "started", length=3)
    history.map_iteration("started", "ProcessItems", 2)
    history.map_iteration("failed", "ProcessItems", 2)
    history.container_event("Map", "failed")
    events = history.events
    assert events[0]["mapStateStartedEventDetails"] == {"length": 3}
    assert events[1]["mapIterationStartedEventDetails"] == {"name": "ProcessItems", "index": 2}
    assert events[2]["type"] == "MapIterationFailed"
    assert events[3]["type"] == "MapStateFailed" and "mapStateFailedEventDetails" not in events[3]


def test_state_events_follow_aws_names_for_every_state_type():
    assert state_events("Task").entered == "TaskStateEntered"
    assert state_events("Task").aborted == "TaskStateAborted"
    assert state_events("Choice").exited == "ChoiceStateExited"
    assert state_events("Choice").aborted is None
    assert state_events("Wait").aborted == "WaitStateAborted"
    assert state_events("Map").started == "MapStateStarted"
    assert state_events("Pass").started is None
    assert state_events("Succeed").exited == "SucceedStateExited"


def test_a_fail_state_has_no_exited_event(history: History):
    assert state_events("Fail").exited is None
    with pytest.raises(ValueError, match="Fail state has no Exited"):
        history.state_exited("Fail", "Oops", {})


def test_unknown_state_type_is_refused():
    with pytest.raises(ValueError, match="unknown state type 'Sleep'"):
        state_events("Sleep")


def test_details_keys_follow_aws_naming():
    assert details_key("PassStateEntered") == "stateEnteredEventDetails"
    assert details_key("MapStateExited") == "stateExitedEventDetails"
    assert details_key("LambdaFunctionTimedOut") == "lambdaFunctionTimedOutEventDetails"
    assert details_key("MapIterationAborted") == "mapIterationAbortedEventDetails"
    assert details_key("ParallelStateSucceeded") is None


def test_misspelt_event_types_and_fields_are_refused(history: History):
    with pytest.raises(ValueError):
        history.append("TaskStateEnterd")
    with pytest.raises(ValueError, match="no field"):
        history.append(EventType.TaskStateEntered, {"name": "T", "Input": "{}"})
    with pytest.raises(ValueError, match="carry no details"):
        history.append(EventType.LambdaFunctionStarted, {"resource": "x"})


def test_previous_event_id_must_name_an_earlier_event(history: History):
    history.execution_started({})
    with pytest.raises(ValueError, match="not an earlier event"):
        history.append(EventType.PassStateEntered, {"name": "P"}, previous_event_id=2)


def test_assigned_variables_are_recorded_as_json_strings(history: History):
    history.state_exited("Pass", "P", {}, assigned_variables={"total": 3, "name": "x"})
    details = history.events[0]["stateExitedEventDetails"]
    assert details["assignedVariables"] == {"total": "3", "name": '"x"'}
    assert details["assignedVariablesDetails"] == {"truncated": False}


def test_concurrent_appends_get_unique_consecutive_ids(history: History):
    def writer() -> None:
        for _ in range(200):
            history.state_entered("Pass", "P", {})

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e["id"] for e in history.events] == list(range(1, 1201))
    assert history.last_event_id == 1200


def test_arns_use_the_default_account_and_region():
    assert state_machine_arn("RiderPhoto") == "arn:aws:states:us-east-1:123456789012:stateMachine:RiderPhoto"
    assert execution_arn("RiderPhoto", "run-1") == (
        "arn:aws:states:us-east-1:123456789012:execution:RiderPhoto:run-1"
    )
    assert execution_arn("M", "e", region="eu-west-1", account="111122223333") == (
        "arn:aws:states:eu-west-1:111122223333:execution:M:e"
    )


@pytest.mark.parametrize("name", ["", "x" * 81, "has space", "a/b", "colon:name", "star*", "tab\tname"])
def test_names_aws_refuses_raise_invalid_name(name: str):
    with pytest.raises(InvalidName, match="Invalid Name"):
        execution_arn("Machine", name)


def test_names_with_dashes_underscores_and_unicode_are_accepted():
    assert execution_arn("Machine", "run_2024-05-01.é").endswith(":run_2024-05-01.é")


def test_on_event_sees_each_event_once_recorded_in_order(clock: VirtualClock):
    seen: list[tuple[int, str]] = []
    history = History(clock, on_event=lambda event: seen.append((event["id"], event["type"])))
    history.execution_started({})
    history.state_entered("Pass", "P", {})
    assert seen == [(1, "ExecutionStarted"), (2, "PassStateEntered")]


def test_events_is_a_new_list_each_time_so_later_events_do_not_appear_in_it(history: History):
    history.execution_started({})
    taken = history.events
    history.state_entered("Pass", "P", {})
    assert len(taken) == 1 and len(history.events) == 2


def test_typed_entered_and_exited_helpers_build_the_same_events_as_append(history: History):
    fast = History(VirtualClock(START))
    history.append("TaskStateEntered", {"name": "T", "input": "{}", "inputDetails": {"truncated": False}})
    fast.state_entered_json(EventType.TaskStateEntered, "T", "{}")
    details = {"name": "T", "output": "1", "outputDetails": {"truncated": False},
               "assignedVariables": {"x": "1"}, "assignedVariablesDetails": {"truncated": False}}
    history.append("TaskStateExited", details)
    fast.state_exited_json(EventType.TaskStateExited, "T", "1", assigned_json={"x": "1"})
    assert fast.events == history.events
