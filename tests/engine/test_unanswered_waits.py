"""StateMachine.run on a virtual clock never hangs on a task nobody inside the call can answer.

As on AWS, a callback or activity task ends by its TimeoutSeconds / HeartbeatSeconds (developer
guide, "Task state": TimeoutSeconds, HeartbeatSeconds; the task fails with States.Timeout): the
virtual clock moves to that deadline. Without one, AWS would wait up to a year; the call raises
UnansweredTask naming the state and how to answer it.
"""
from __future__ import annotations

import pytest

from stepflow import StateMachine, UnansweredTask, VirtualClock
from stepflow.services.queues import Queues

SEND = "arn:aws:states:::sqs:sendMessage"
ACTIVITY = "arn:aws:states:us-east-1:123456789012:activity:Review"


def callback(**fields) -> dict:
    return {"StartAt": "Approve", "States": {"Approve": {
        "Type": "Task", "Resource": f"{SEND}.waitForTaskToken",
        "Parameters": {"QueueUrl": "approvals", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True,
        **fields}}}


@pytest.fixture(autouse=True)
def approvals(stepflow_home):
    """The local queue the task's message goes to (nobody reads it)."""
    Queues(stepflow_home).create("approvals")


def within(seconds: float, call):
    """``call()``'s result, failing (not hanging) when it takes longer than ``seconds``."""
    import threading

    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still waiting after {seconds} s"
    return outcome[0]


def test_a_callback_task_times_out_at_its_timeout_seconds_without_hanging():
    execution = within(30, StateMachine(callback(TimeoutSeconds=3600)).run)
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    timed_out = next(e for e in execution.history if e["type"] == "TaskTimedOut")
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")
    assert (timed_out["timestamp"] - scheduled["timestamp"]).total_seconds() == 3600


def test_the_earlier_heartbeat_deadline_fires_first_and_a_catcher_takes_it():
    definition = callback(TimeoutSeconds=3600, HeartbeatSeconds=60,
                          Catch=[{"ErrorEquals": ["States.HeartbeatTimeout"], "Next": "Late"}])
    del definition["States"]["Approve"]["End"]
    definition["States"]["Approve"]["Next"] = "Done"
    definition["States"]["Done"] = {"Type": "Succeed"}
    definition["States"]["Late"] = {"Type": "Pass", "Result": "late", "End": True}
    clock = VirtualClock()
    execution = within(30, StateMachine(definition, clock=clock).run)
    assert (execution.status, execution.output) == ("SUCCEEDED", "late")
    timed_out = next(e for e in execution.history if e["type"] == "TaskTimedOut")
    assert (timed_out["timestamp"] - execution.start_date).total_seconds() == 60


def test_a_callback_task_with_no_deadline_raises_a_typed_error_naming_the_state_and_the_answer():
    with pytest.raises(UnansweredTask) as raised:
        StateMachine(callback()).run()
    message = str(raised.value)
    assert "'Approve'" in message and "send_task_success" in message and "MockConfigFile" in message
    assert raised.value.execution.status == "ABORTED"


def test_an_activity_no_worker_takes_raises_naming_the_activity():
    from stepflow.integrations.callbacks import CallbackHub

    hub = CallbackHub()
    hub.create_activity(ACTIVITY)
    machine = StateMachine({"StartAt": "Review", "States": {"Review": {"Type": "Task", "Resource": ACTIVITY, "End": True}}},
                           callbacks=hub)
    with pytest.raises(UnansweredTask, match="get_activity_task") as raised:
        machine.run()
    assert ACTIVITY in str(raised.value)


def test_parallel_branches_waiting_time_out_in_deadline_order():
    branch = lambda name, seconds: {"StartAt": name, "States": {name: {  # noqa: E731
        "Type": "Task", "Resource": f"{SEND}.waitForTaskToken", "TimeoutSeconds": seconds, "End": True,
        "Parameters": {"QueueUrl": "approvals", "MessageBody": "approve?"},
        "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": f"{name}Late"}]},
        f"{name}Late": {"Type": "Pass", "Result": seconds, "End": True}}}
    definition = {"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "Branches": [branch("Slow", 600), branch("Fast", 60)], "End": True}}}
    execution = within(30, StateMachine(definition).run)
    assert (execution.status, execution.output) == ("SUCCEEDED", [600, 60])
    timeouts = [e for e in execution.history if e["type"] == "TaskTimedOut"]
    assert [(e["timestamp"] - execution.start_date).total_seconds() for e in timeouts] == [60, 600]


def test_a_handler_that_answers_from_its_own_thread_is_still_heard():
    import threading

    def send(event, context):
        from_inside = machine.resources.callbacks
        threading.Timer(0.05, lambda: from_inside.send_success(event["MessageBody"]["token"], "yes")).start()
        return {"MessageId": "m-1"}

    machine = StateMachine(callback(), resources={SEND: send})
    assert machine.run().output == "yes"
