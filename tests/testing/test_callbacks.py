"""Callback (.waitForTaskToken) and activity tasks, answered through the API-shaped client."""
from __future__ import annotations

import json

import pytest

from stepflow.client import Client

SEND = "arn:aws:states:::sqs:sendMessage"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:review"


def callback_machine(**task_fields) -> str:
    task = {
        "Type": "Task",
        "Resource": f"{SEND}.waitForTaskToken",
        "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": {"token.$": "$$.Task.Token", "order.$": "$.order"}},
        "ResultPath": "$.approval",
        "End": True,
        **task_fields,
    }
    states = {"Approve": task, **({"Rejected": {"Type": "Pass", "End": True}} if "Catch" in task_fields else {})}
    return json.dumps({"StartAt": "Approve", "States": states})


@pytest.fixture
def sent():
    return []


@pytest.fixture
def client(sent):
    client = Client(resources={SEND: lambda event, context: sent.append(event) or {"MessageId": "m-1"}})
    yield client
    client.close()


def start(client: Client, definition: str, input: dict, name: str = "Approvals", type: str = "STANDARD") -> str:
    arn = client.create_state_machine(name=name, definition=definition, roleArn="arn:aws:iam::123456789012:role/r", type=type)["stateMachineArn"]
    return client.start_execution(stateMachineArn=arn, input=json.dumps(input))["executionArn"]


def event_types(client: Client, execution: str) -> list[str]:
    return [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]


def test_a_callback_task_sends_its_token_and_waits_for_send_task_success(client, sent):
    execution = start(client, callback_machine(), {"order": 7})
    token = client.callbacks.wait_for_pending("Approve").token
    assert client.describe_execution(executionArn=execution)["status"] == "RUNNING"

    client.send_task_success(taskToken=token, output='{"approved": true}')

    described = client.wait_for_execution(execution)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "approval": {"approved": True}}
    assert sent[0]["MessageBody"] == {"token": token, "order": 7}
    assert event_types(client, execution) == [
        "ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted",
        "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
    ]
    submitted = client.get_execution_history(executionArn=execution)["events"][4]["taskSubmittedEventDetails"]
    assert submitted == {"resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "output": '{"MessageId":"m-1"}', "outputDetails": {"truncated": False}}


def test_send_task_failure_fails_the_task_into_its_catcher(client):
    execution = start(client, callback_machine(Catch=[{"ErrorEquals": ["Rejected"], "Next": "Rejected"}]), {"order": 1})

    client.send_task_failure(taskToken=client.callbacks.wait_for_pending().token, error="Rejected", cause="too pricey")

    described = client.wait_for_execution(execution)
    assert json.loads(described["output"]) == {"Error": "Rejected", "Cause": "too pricey"}
    history = client.get_execution_history(executionArn=execution)["events"]
    failed = next(e for e in history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["error"], failed["cause"]) == ("Rejected", "too pricey")


def test_heartbeat_seconds_is_enforced_and_a_missed_heartbeat_is_caught_as_heartbeat_timeout(client):
    definition = callback_machine(
        HeartbeatSeconds=60, Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Rejected"}]
    )
    execution = start(client, definition, {"order": 1})
    token = client.callbacks.wait_for_pending().token

    client.clock.sleep(50)
    client.send_task_heartbeat(taskToken=token)
    client.clock.sleep(59)  # 109 s since the start, 59 s since the heartbeat: still alive
    assert client.describe_execution(executionArn=execution)["status"] == "RUNNING"
    client.clock.sleep(2)

    described = client.wait_for_execution(execution)
    assert json.loads(described["output"]) == {"Error": "States.Timeout", "Cause": ""}
    assert "TaskTimedOut" in event_types(client, execution)
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")


def test_unknown_tokens_and_invalid_output_are_refused_with_the_apis_errors(client):
    start(client, callback_machine(), {"order": 1})
    token = client.callbacks.wait_for_pending().token

    with pytest.raises(client.exceptions.TaskDoesNotExist) as unknown:
        client.send_task_success(taskToken="no-such-token", output="{}")
    with pytest.raises(client.exceptions.InvalidOutput):
        client.send_task_success(taskToken=token, output="{not json")
    assert unknown.value.response["Error"]["Code"] == "TaskDoesNotExist"
    assert unknown.value.operation_name == "SendTaskSuccess"


def test_each_retry_of_a_callback_task_gets_a_new_token(client, sent):
    execution = start(client, callback_machine(Retry=[{"ErrorEquals": ["Busy"], "IntervalSeconds": 1}]), {"order": 1})
    first = client.callbacks.wait_for_pending().token
    client.send_task_failure(taskToken=first, error="Busy")
    second = client.callbacks.wait_for_pending().token
    client.send_task_success(taskToken=second, output='"ok"')

    assert client.wait_for_execution(execution)["status"] == "SUCCEEDED"
    assert first != second
    assert [m["MessageBody"]["token"] for m in sent] == [first, second]


def test_a_waiting_execution_is_described_as_running_and_not_redrivable(client):
    execution = start(client, callback_machine(), {"order": 2})
    token = client.callbacks.wait_for_pending().token

    running = client.describe_execution(executionArn=execution)
    client.send_task_success(taskToken=token, output="{}")
    succeeded = client.wait_for_execution(execution)

    assert (running["status"], running["redriveStatus"]) == ("RUNNING", "NOT_REDRIVABLE")
    assert running["redriveStatusReason"] == "Execution is RUNNING and cannot be redriven"
    assert "stopDate" not in running and "output" not in running
    assert succeeded["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
    assert [e["status"] for e in client.list_executions(stateMachineArn=running["stateMachineArn"])["executions"]] == ["SUCCEEDED"]


def test_stop_execution_aborts_a_waiting_execution_with_its_error_and_cause(client):
    execution = start(client, callback_machine(), {"order": 1})
    token = client.callbacks.wait_for_pending().token

    client.stop_execution(executionArn=execution, error="Cancelled", cause="by the test")

    described = client.describe_execution(executionArn=execution)
    assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Cancelled", "by the test")
    assert described["redriveStatus"] == "REDRIVABLE"
    aborted = client.get_execution_history(executionArn=execution)["events"][-1]
    assert aborted["type"] == "ExecutionAborted"
    assert aborted["executionAbortedEventDetails"] == {"error": "Cancelled", "cause": "by the test"}
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")


def activity_machine(**task_fields) -> str:
    task = {"Type": "Task", "Resource": ACTIVITY, "End": True, **task_fields}
    return json.dumps({"StartAt": "Review", "States": {"Review": task}})


def test_an_activity_worker_takes_the_task_and_answers_it(client):
    assert client.create_activity(name="review")["activityArn"] == ACTIVITY
    execution = start(client, activity_machine(HeartbeatSeconds=30), {"photo": "a.jpg"})

    task = client.get_activity_task(activityArn=ACTIVITY, workerName="reviewer-1")
    client.send_task_heartbeat(taskToken=task["taskToken"])
    client.send_task_success(taskToken=task["taskToken"], output='{"verdict": "ok"}')

    assert json.loads(task["input"]) == {"photo": "a.jpg"}
    described = client.wait_for_execution(execution)
    assert json.loads(described["output"]) == {"verdict": "ok"}
    history = client.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in history][2:5] == ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]
    assert history[2]["activityScheduledEventDetails"] == {
        "resource": ACTIVITY, "input": '{"photo":"a.jpg"}', "inputDetails": {"truncated": False}, "heartbeatInSeconds": 30,
    }
    assert history[3]["activityStartedEventDetails"] == {"workerName": "reviewer-1"}


def test_an_activity_nobody_takes_times_out_after_timeout_seconds(client):
    client.create_activity(name="review")
    execution = start(client, activity_machine(TimeoutSeconds=300), {})
    client.callbacks.wait_for_pending("Review")

    client.clock.sleep(300)

    described = client.wait_for_execution(execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert "ActivityTimedOut" in event_types(client, execution)


def test_get_activity_task_returns_nothing_when_no_task_comes_and_refuses_unknown_activities():
    client = Client(activity_poll_seconds=0.01)
    client.create_activity(name="idle")

    assert client.get_activity_task(activityArn="arn:aws:states:us-east-1:123456789012:activity:idle") == {}
    with pytest.raises(client.exceptions.ActivityDoesNotExist):
        client.get_activity_task(activityArn="arn:aws:states:us-east-1:123456789012:activity:nope")


def test_lambda_invoke_wait_for_task_token_passes_the_token_in_the_payload():
    received = []
    client = Client(resources={"notify": lambda event, context: received.append(event) or {"queued": True}})
    definition = json.dumps({
        "StartAt": "Notify",
        "States": {"Notify": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "notify", "Payload": {"token.$": "$$.Task.Token"}}, "End": True,
        }},
    })
    execution = start(client, definition, {})
    token = client.callbacks.wait_for_pending().token
    client.send_task_success(taskToken=token, output='{"done": 1}')

    assert client.wait_for_execution(execution)["output"] == '{"done":1}'
    assert received == [{"token": token}]


def test_a_callback_task_timing_out_is_recorded_as_aws_records_it(client):
    execution = start(client, callback_machine(TimeoutSeconds=5), {"order": 1})
    client.callbacks.wait_for_pending()

    client.clock.sleep(5)

    client.wait_for_execution(execution)
    events = client.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events][-2:] == ["TaskTimedOut", "ExecutionFailed"]
    assert events[-2]["taskTimedOutEventDetails"] == {
        "resourceType": "sqs", "resource": "sendMessage.waitForTaskToken", "error": "States.Timeout"
    }
    assert events[-1]["executionFailedEventDetails"] == {"error": "States.Timeout"}
    assert events[2]["taskScheduledEventDetails"]["timeoutInSeconds"] == 5


def test_an_activity_that_does_not_exist_fails_the_state_with_states_runtime(client):
    client.create_activity(name="review")
    client.delete_activity(activityArn=ACTIVITY)

    execution = start(client, activity_machine(), {"Value1": "Hello"})

    described = client.wait_for_execution(execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Runtime")
    assert described["cause"] == (
        "An error occurred while executing the state 'Review' (entered at the event id #2). "
        f"The activity {ACTIVITY} does not exist."
    )
    assert event_types(client, execution) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]


def test_an_activity_failure_and_a_nameless_worker_are_recorded_as_aws_records_them(client):
    client.create_activity(name="review")
    execution = start(client, activity_machine(), {"Value1": "Hello"})

    task = client.get_activity_task(activityArn=ACTIVITY)
    client.send_task_failure(taskToken=task["taskToken"], error="Programmatic Error", cause='{"Value1":"Hello"}')

    client.wait_for_execution(execution)
    events = client.get_execution_history(executionArn=execution)["events"]
    assert [e["type"] for e in events] == [
        "ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivityFailed", "ExecutionFailed",
    ]
    assert events[3]["activityStartedEventDetails"] == {}
    assert events[4]["activityFailedEventDetails"] == {"error": "Programmatic Error", "cause": '{"Value1":"Hello"}'}
    assert events[5]["executionFailedEventDetails"] == {"error": "Programmatic Error", "cause": '{"Value1":"Hello"}'}


def test_a_jsonata_callback_task_reads_its_token_from_states_context(client, sent):
    definition = json.dumps({
        "QueryLanguage": "JSONata",
        "StartAt": "Approve",
        "States": {"Approve": {
            "Type": "Task", "Resource": f"{SEND}.waitForTaskToken",
            "Arguments": {"QueueUrl": "q", "MessageBody": {"token": "{% $states.context.Task.Token %}"}},
            "Output": "{% $states.result.decision %}",
            "End": True,
        }},
    })
    execution = start(client, definition, {})
    token = client.callbacks.wait_for_pending().token
    client.send_task_success(taskToken=token, output='{"decision": "yes"}')

    assert client.wait_for_execution(execution)["output"] == '"yes"'
    assert sent[0]["MessageBody"] == {"token": token}


def test_the_executions_timeout_seconds_ends_a_callback_wait(client):
    definition = json.loads(callback_machine())
    definition["TimeoutSeconds"] = 100
    execution = start(client, json.dumps(definition), {"order": 1})
    token = client.callbacks.wait_for_pending().token

    client.clock.sleep(100)

    described = client.wait_for_execution(execution)
    timed_out = client.get_execution_history(executionArn=execution)["events"][-1]
    assert described["status"] == "TIMED_OUT" and "error" not in described  # DescribeExecution leaves it out
    assert (timed_out["type"], timed_out["executionTimedOutEventDetails"]["error"]) == ("ExecutionTimedOut", "States.Timeout")
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_success(taskToken=token, output="{}")


def test_an_activity_workers_heartbeat_counts_from_its_pickup(client):
    client.create_activity(name="review")
    execution = start(client, activity_machine(HeartbeatSeconds=10), {})
    client.callbacks.wait_for_pending("Review")
    client.clock.sleep(30)  # queued for 30 s: the heartbeat only starts when a worker takes the task
    task = client.get_activity_task(activityArn=ACTIVITY, workerName="slow")
    assert client.describe_execution(executionArn=execution)["status"] == "RUNNING"

    client.clock.sleep(11)

    assert client.wait_for_execution(execution)["error"] == "States.Timeout"
    events = client.get_execution_history(executionArn=execution)["events"]
    assert events[-2]["type"] == "ActivityTimedOut"
    assert events[-2]["activityTimedOutEventDetails"] == {"error": "States.Timeout"}
    with pytest.raises(client.exceptions.TaskTimedOut):
        client.send_task_heartbeat(taskToken=task["taskToken"])


def test_a_callback_inside_a_parallel_branch_follows_the_time_the_test_moves(client):
    branch_task = json.loads(callback_machine(TimeoutSeconds=5))["States"]["Approve"]
    definition = json.dumps({"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True,
        "Branches": [{"StartAt": "Approve", "States": {"Approve": branch_task}}],
    }}})
    execution = start(client, definition, {"order": 1})
    client.callbacks.wait_for_pending("Approve")

    client.clock.sleep(5)

    described = client.wait_for_execution(execution, timeout=10)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")


def test_callbacks_in_map_iterations_are_answered_each_with_its_own_token(client):
    item_task = json.loads(callback_machine())["States"]["Approve"]
    item_task.pop("ResultPath")
    definition = json.dumps({"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.orders", "End": True,
        "ItemProcessor": {"StartAt": "Approve", "States": {"Approve": item_task}},
    }}})
    execution = start(client, definition, {"orders": [{"order": 1}, {"order": 2}]})

    for _ in range(2):
        task = client.callbacks.wait_for_pending("Approve")
        client.send_task_success(taskToken=task.token, output=json.dumps({"approved": task.input["MessageBody"]["order"]}))

    assert json.loads(client.wait_for_execution(execution)["output"]) == [{"approved": 1}, {"approved": 2}]
