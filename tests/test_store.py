"""The execution store keeps every field across process restarts and under concurrent writers."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from stepflow.asl.errors import StepflowError
from stepflow.engine.execution import Execution
from stepflow.engine.trace import StepRecord
from stepflow.store import ExecutionNotFound, ExecutionStore

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:RiderPhotoProcessing"
START = datetime(2026, 11, 26, 10, 0, 0, 123000, tzinfo=timezone.utc)


def _execution(name: str, status: str = "SUCCEEDED", machine: str = MACHINE, minutes: int = 0) -> Execution:
    arn = machine.replace(":stateMachine:", ":execution:") + f":{name}"
    return Execution(
        execution_arn=arn, name=name, state_machine_arn=machine, input={"key": "photo.jpg", "n": 1.5},
        definition={"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
        start_date=START + timedelta(minutes=minutes), status=status,
        output={"ok": True} if status == "SUCCEEDED" else None,
        error="Boom" if status == "FAILED" else None, cause="it broke" if status == "FAILED" else None,
        stop_date=START + timedelta(minutes=minutes, seconds=2),
        history=[{"timestamp": START, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                  "executionStartedEventDetails": {"input": '{"key":"photo.jpg"}', "inputDetails": {"truncated": False}}}],
        steps=[StepRecord(name="A", state_type="Pass", scope=("Fan", 0), input={"key": "photo.jpg"},
                          after_input_path={"key": "photo.jpg"}, output={"ok": True},
                          retries=[{"error": "E", "cause": "c", "delay": 1.0}], entered_event_id=2, exited_event_id=3)],
    )


def test_a_saved_execution_reads_back_with_every_field(tmp_path):
    store = ExecutionStore(tmp_path)
    original = _execution("first")
    store.save(original)
    loaded = store.get(original.execution_arn)
    for attribute in ("execution_arn", "name", "state_machine_arn", "status", "input", "output", "error",
                      "cause", "start_date", "stop_date", "definition"):
        assert getattr(loaded, attribute) == getattr(original, attribute), attribute
    assert loaded.history == [{**original.history[0], "timestamp": "2026-11-26T10:00:00.123000+00:00"}]
    step = loaded.steps[0]
    assert isinstance(step, StepRecord)
    assert (step.name, step.scope, step.input, step.output, step.retries, step.exited_event_id) == (
        "A", ("Fan", 0), {"key": "photo.jpg"}, {"ok": True}, [{"error": "E", "cause": "c", "delay": 1.0}], 3)
    assert loaded.start_date.tzinfo is not None


def test_an_execution_is_found_by_name_and_a_missing_one_is_a_clear_error(tmp_path):
    store = ExecutionStore(tmp_path)
    store.save(_execution("by-name"))
    assert store.get("by-name").name == "by-name"
    with pytest.raises(ExecutionNotFound, match="no execution 'nope' in the execution store"):
        store.get("nope")


def test_a_name_shared_by_two_state_machines_asks_for_the_arn(tmp_path):
    store = ExecutionStore(tmp_path)
    store.save(_execution("same"))
    store.save(_execution("same", machine=MACHINE + "Other"))
    with pytest.raises(StepflowError, match="2 executions are named 'same'; give the ARN"):
        store.get("same")


def test_saving_again_updates_the_execution_in_place(tmp_path):
    store = ExecutionStore(tmp_path)
    running = _execution("again", status="RUNNING")
    store.save(running)
    running.status, running.output = "SUCCEEDED", {"done": 1}
    store.save(running)
    assert [(e.status, e.output) for e in store.list()] == [("SUCCEEDED", {"done": 1})]


def test_list_is_newest_first_and_filters_by_state_machine_and_status(tmp_path):
    store = ExecutionStore(tmp_path)
    store.save(_execution("old", minutes=0))
    store.save(_execution("new", status="FAILED", minutes=5))
    store.save(_execution("other", machine=MACHINE + "Other", minutes=9))
    assert [e.name for e in store.list()] == ["other", "new", "old"]
    assert [e.name for e in store.list(state_machine="RiderPhotoProcessing")] == ["new", "old"]
    assert [e.name for e in store.list(state_machine=MACHINE)] == ["new", "old"]
    assert [e.name for e in store.list(status="failed")] == ["new"]
    assert [e.name for e in store.list(state_machine="RiderPhotoProcessing", status="SUCCEEDED")] == ["old"]


def test_the_store_survives_a_restart_of_the_process(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from pathlib import Path
        from test_store import _execution
        from stepflow.store import ExecutionStore
        ExecutionStore(Path(sys.argv[1])).save(_execution("from-another-process", status="FAILED"))
    """)
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True)
    loaded = ExecutionStore(tmp_path).get("from-another-process")
    assert (loaded.status, loaded.error, loaded.cause, loaded.input) == (
        "FAILED", "Boom", "it broke", {"key": "photo.jpg", "n": 1.5})
    assert (tmp_path / "executions.sqlite3").exists()


def test_concurrent_writers_lose_nothing(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).parent)!r})
        from pathlib import Path
        from test_store import _execution
        from stepflow.store import ExecutionStore
        store = ExecutionStore(Path(sys.argv[1]))
        for i in range(15):
            store.save(_execution(f"p{{sys.argv[2]}}-{{i}}", minutes=i))
    """)
    processes = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(n)]) for n in range(3)]
    store = ExecutionStore(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: store.save(_execution(f"t-{i}", minutes=i)), range(20)))
    assert all(p.wait(timeout=60) == 0 for p in processes)
    names = {e.name for e in store.list()}
    assert len(names) == 3 * 15 + 20
