"""CallbackHub: task tokens answered from outside, with AWS's errors and timeouts on the run's clock."""
from __future__ import annotations

import threading

import pytest

from stepflow.api.errors import InvalidToken, TaskDoesNotExist, TaskTimedOut
from stepflow.asl.errors import ASLError
from stepflow.runtime.clock import VirtualClock
from stepflow.engine.retry import error_matches
from stepflow.runtime.signals import HeartbeatTimedOut
from stepflow.integrations.callbacks import CallbackHub, new_task_token


def answer_later(action) -> threading.Thread:
    thread = threading.Thread(target=action)
    thread.start()
    return thread


def test_a_waiting_task_returns_the_output_sent_for_its_token():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open(new_task_token(), {"order": 1}, "Approve", clock)
    sender = answer_later(lambda: hub.send_success(hub.wait_for_pending("Approve").token, {"approved": True}))

    assert hub.wait(task, timeout_seconds=None, heartbeat_seconds=None, check=lambda: None) == {"approved": True}
    sender.join()


def test_send_task_failure_fails_the_task_with_the_given_error_and_cause():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open("t", {}, "Approve", clock)
    hub.send_failure("t", "Rejected", "not today")

    with pytest.raises(ASLError) as failed:
        hub.wait(task, timeout_seconds=None, heartbeat_seconds=None, check=lambda: None)
    assert (failed.value.error, failed.value.cause) == ("Rejected", "not today")


def test_a_missed_heartbeat_times_out_while_heartbeats_keep_the_task_alive():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open("t", {}, "Long", clock)

    def beat_then_fall_silent() -> None:
        clock.sleep(50)
        hub.send_heartbeat("t")
        clock.sleep(50)  # 100 s after the start but only 50 s after the heartbeat: still alive
        hub.send_heartbeat("t")
        clock.sleep(61)  # now 61 s of silence

    worker = answer_later(beat_then_fall_silent)
    with pytest.raises(HeartbeatTimedOut) as timed_out:
        hub.wait(task, timeout_seconds=None, heartbeat_seconds=60, check=lambda: None)
    worker.join()
    assert timed_out.value.error == "States.Timeout"
    assert error_matches(["States.HeartbeatTimeout"], timed_out.value)
    assert (clock.now() - task.scheduled_at).total_seconds() == 161


def test_timeout_seconds_counts_from_scheduling():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open("t", {}, "Slow", clock)
    clock.sleep(30)

    with pytest.raises(ASLError, match="States.Timeout"):
        hub.wait(task, timeout_seconds=30, heartbeat_seconds=None, check=lambda: None)


def test_tokens_that_are_unknown_malformed_or_closed_are_refused_as_aws_does():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open("t", {}, "S", clock)
    hub.send_success("t", 1)
    hub.wait(task, timeout_seconds=None, heartbeat_seconds=None, check=lambda: None)

    with pytest.raises(TaskDoesNotExist):
        hub.send_success("unknown", 1)
    with pytest.raises(InvalidToken):
        hub.send_heartbeat("")
    with pytest.raises(TaskTimedOut):
        hub.send_failure("t", "E", None)


def test_activity_tasks_queue_until_a_worker_takes_them_in_order():
    hub, clock = CallbackHub(), VirtualClock()
    arn = "arn:aws:states:us-east-1:123456789012:activity:review"
    hub.create_activity(arn)
    first = hub.open("a", {"n": 1}, "Review", clock, activity_arn=arn)
    hub.open("b", {"n": 2}, "Review", clock, activity_arn=arn)

    taken = hub.take_activity_task(arn, "worker-1", wait_seconds=0)

    assert taken is first and taken.worker_name == "worker-1" and taken.started_at == clock.now()
    assert hub.take_activity_task(arn, None, wait_seconds=0).token == "b"
    assert hub.take_activity_task(arn, None, wait_seconds=0.01) is None


def test_a_stopped_lane_ends_the_wait_and_closes_the_token():
    hub, clock = CallbackHub(), VirtualClock()
    task = hub.open("t", {}, "S", clock)

    class Stopped(Exception):
        pass

    def check() -> None:
        raise Stopped()

    with pytest.raises(Stopped):
        hub.wait(task, timeout_seconds=None, heartbeat_seconds=None, check=check)
    with pytest.raises(TaskTimedOut):
        hub.send_success("t", 1)
