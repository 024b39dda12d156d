"""The progress line counts a Map's items as their events arrive, and stays quiet off a terminal."""
from __future__ import annotations

import io

from stepflow.machine import StateMachine
from stepflow.render.progress import ProgressLine

_MAP = {"StartAt": "ProcessItems", "States": {"ProcessItems": {
    "Type": "Map", "ItemsPath": "$.items", "ToleratedFailureCount": 10,
    "ItemProcessor": {"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work", "End": True}}},
    "End": True}}}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _history(items: int) -> list[dict]:
    def work(event, context):
        if event % 100 == 7:
            raise ValueError("bad item")
        return event

    machine = StateMachine(_MAP, resources={"arn:aws:lambda:us-east-1:123456789012:function:work": work})
    execution = machine.run({"items": list(range(items))})
    assert execution.status == "SUCCEEDED"
    return execution.history


def test_a_map_shows_items_done_out_of_all_with_failures():
    history = _history(500)
    progress = ProgressLine(_Terminal(), interval=0)
    iterations_seen = 0
    for event in history:
        progress(event)
        if event["type"] == "MapIterationSucceeded" or event["type"] == "MapIterationFailed":
            iterations_seen += 1
            if iterations_seen == 250:
                assert progress.text().startswith("ProcessItems: 250/500 items")
    failed = sum(1 for e in history if e["type"] == "MapIterationFailed")
    assert failed == 5
    assert progress.maps["ProcessItems"] == [500, 500, 5]
    assert progress.text() == f"{len(history)} events"  # the Map is done: only the count stays


def test_the_line_is_rewritten_at_most_once_per_interval():
    stream = _Terminal()
    moments = iter(float(i) / 10 for i in range(10_000))
    progress = ProgressLine(stream, interval=1.0, now=lambda: next(moments))
    for event in _history(20)[:50]:
        progress(event)
    assert stream.getvalue().count("\r") == 5  # 50 events, one tenth of a second apart
    progress.finish()
    assert stream.getvalue().endswith("\r")


def test_nothing_is_written_off_a_terminal():
    stream = io.StringIO()
    progress = ProgressLine(stream, interval=0)
    for event in _history(20):
        progress(event)
    progress.finish()
    assert stream.getvalue() == ""


def test_the_line_redraws_on_a_timer_while_no_event_comes():
    import time

    stream = _Terminal()
    moments = [0.0]
    progress = ProgressLine(stream, interval=0.01, now=lambda: moments[0]).start()
    progress({"id": 1, "type": "WaitStateEntered", "stateEnteredEventDetails": {"name": "Hold", "input": "{}"}})
    moments[0] = 42.0  # 42 s later, no further event
    deadline = time.monotonic() + 5
    while "Hold for 42 s" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.finish()
    assert "\rHold for 42 s · 1 events" in stream.getvalue()
