"""When a Map iteration or Parallel branch fails, AWS aborts the siblings still running:
``TaskStateAborted`` / ``WaitStateAborted``, ``MapIterationAborted``, then ``MapStateFailed`` /
``ParallelStateFailed``, and nothing the aborted work does later reaches the history."""
from __future__ import annotations

import threading
import time

from stepflow import RealClock, StateMachine, TaskError, VirtualClock
from stepflow.engine.execution import StopRequest

FN = "arn:aws:lambda:us-east-1:123456789012:function:Item"
SLOW = "arn:aws:lambda:us-east-1:123456789012:function:Slow"


def types(execution) -> list[str]:
    return [event["type"] for event in execution.history]


def test_a_failing_iteration_aborts_the_running_task_of_another():
    slow_started, slow_done = threading.Event(), threading.Event()

    def item(event, context):
        if event == "bad":
            slow_started.wait(5)
            raise TaskError("Item.Bad", "no")
        slow_started.set()
        time.sleep(1.0)
        slow_done.set()
        return "late"

    definition = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": FN, "End": True}}},
                "End": True,
            }
        },
    }
    began = time.monotonic()
    execution = StateMachine(definition, resources={FN: item}).run(["bad", "slow"], clock=VirtualClock())
    assert time.monotonic() - began < 0.9  # the engine did not wait for the slow handler
    assert execution.error == "Item.Bad"
    seen = types(execution)
    assert seen[-5:] == ["MapIterationFailed", "TaskStateAborted", "MapIterationAborted", "MapStateFailed",
                         "ExecutionFailed"]
    assert "LambdaFunctionSucceeded" not in seen
    aborted = execution.history[seen.index("MapIterationAborted")]
    assert aborted["mapIterationAbortedEventDetails"] == {"name": "Each", "index": 1}
    # The abandoned handler's eventual result is discarded.
    length = len(execution.history)
    assert slow_done.wait(5)
    time.sleep(0.05)
    assert len(execution.history) == length


def test_a_failing_branch_aborts_a_real_time_wait_in_another():
    def fail_soon(event, context):
        time.sleep(0.2)
        raise TaskError("Branch.Failed", "no")

    definition = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 30, "End": True}}},
                    {"StartAt": "Fail", "States": {"Fail": {"Type": "Task", "Resource": SLOW, "End": True}}},
                ],
                "End": True,
            }
        },
    }
    began = time.monotonic()
    execution = StateMachine(definition, resources={SLOW: fail_soon}).run({}, clock=RealClock())
    assert time.monotonic() - began < 5
    seen = types(execution)
    assert seen[-3:] == ["WaitStateAborted", "ParallelStateFailed", "ExecutionFailed"]
    assert "WaitStateExited" not in seen


def test_stop_execution_wakes_a_real_time_wait_and_ends_with_execution_aborted_alone():
    definition = {"StartAt": "Pause", "States": {"Pause": {"Type": "Wait", "Seconds": 30, "End": True}}}
    stop = StopRequest()
    threading.Timer(0.2, stop.stop, args=("Cancelled", "by the test")).start()
    began = time.monotonic()
    execution = StateMachine(definition).run({}, clock=RealClock(), stop=stop)
    assert time.monotonic() - began < 5
    assert types(execution) == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
    assert (execution.status, execution.error, execution.cause) == ("ABORTED", "Cancelled", "by the test")
