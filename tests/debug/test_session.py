"""DebugSession: stepping an execution state by state, breakpoints, lanes, edits before a step."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from stepflow import StateMachine, TaskError
from stepflow.debug import DebugError

from .conftest import SIZES

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}".format

ITEMS = {"items": [{"v": 1}, {"v": 5}, {"v": 2}]}


def test_a_session_starts_paused_before_the_first_state_and_steps_one_state_at_a_time():
    session = StateMachine(SIZES).debug(ITEMS)
    assert (session.state, session.state_type, session.lane, session.data) == ("Prepare", "Pass", (), ITEMS)
    assert [e["type"] for e in session.history] == ["ExecutionStarted"]
    record = session.step()
    assert record.name == "Prepare" and record.output == {**ITEMS, "config": {"limit": 2}}
    assert session.state == "Sizes" and session.data == record.output
    assert session.execution is None and not session.done


def test_stepping_a_map_state_enters_its_iterations_in_order_one_lane_at_a_time():
    session = StateMachine(SIZES).debug(ITEMS)
    session.step()
    session.step()  # into the Map
    seen = []
    while session.lane != ():
        seen.append((session.lane, session.state))
        session.step()
    assert seen == [
        (("Sizes", 0), "IsBig"), (("Sizes", 0), "Small"),
        (("Sizes", 1), "IsBig"), (("Sizes", 1), "Big"),
        (("Sizes", 2), "IsBig"), (("Sizes", 2), "Small"),
    ]
    assert session.state == "Rest"
    assert session.steps[1].name == "Sizes" and session.steps[1].output["sizes"] == ["small", "big", "small"]


def test_changing_the_data_before_a_choice_changes_the_branch_it_takes():
    machine = StateMachine(SIZES)
    session = machine.debug(ITEMS, breakpoints=["IsBig"])
    assert session.resume() == "IsBig" and session.lane == ("Sizes", 0)
    session.data["v"] = 10  # edited in place
    choice = session.step()
    assert choice.input == {"v": 10} and choice.next == "Big"
    assert session.state == "Big" and session.lane == ("Sizes", 0)
    session.resume()
    session.data = {"v": 0}  # or replaced
    assert session.step().next == "Small"
    while session.resume() is not None:
        pass
    assert session.execution.status == "SUCCEEDED"
    assert session.execution.output["sizes"] == ["big", "small", "small"]
    plain = machine.run(ITEMS)
    assert plain.output["sizes"] == ["small", "big", "small"]
    # The edited run records the edited input where the state entered, as a real run would.
    entered = [e for e in session.execution.history if e["type"] == "ChoiceStateEntered"]
    assert entered[0]["stateEnteredEventDetails"]["input"] == '{"v":10}'


def test_resume_stops_at_each_breakpoint_then_runs_to_the_end_with_the_same_history_as_run():
    machine = StateMachine(SIZES)
    session = machine.debug(ITEMS, breakpoints=["IsBig", "Done"])
    stops = []
    while (state := session.resume()) is not None:
        stops.append((state, session.lane))
    assert stops == [("IsBig", ("Sizes", 0)), ("IsBig", ("Sizes", 1)), ("IsBig", ("Sizes", 2)), ("Done", ())]
    execution = session.execution
    plain = machine.run(ITEMS, name=execution.name)
    assert execution.output == plain.output
    assert [(e["type"], e["id"], e["previousEventId"]) for e in execution.history] == [
        (e["type"], e["id"], e["previousEventId"]) for e in plain.history
    ]
    # The one-hour Wait ran on the virtual clock.
    assert (execution.stop_date - execution.start_date).total_seconds() == pytest.approx(3600, abs=1)


def test_a_breakpoint_can_be_a_callable_over_the_step_about_to_run():
    session = StateMachine(SIZES).debug(
        ITEMS, breakpoints=[lambda step: step.name == "IsBig" and step.input["v"] > 4]
    )
    assert session.resume() == "IsBig"
    assert session.lane == ("Sizes", 1) and session.data == {"v": 5}
    assert session.resume() is None


def test_a_breakpoint_that_raises_stops_there_and_says_why():
    def broken(step):
        return step.input["missing"]

    session = StateMachine(SIZES).debug(ITEMS, breakpoints=[broken])
    with pytest.raises(DebugError, match=r"breakpoint broken raised KeyError: 'missing' before state 'Sizes'"):
        session.resume()
    assert session.state == "Sizes"


def test_variables_can_be_read_and_changed_before_a_step():
    definition = {
        "QueryLanguage": "JSONata", "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"count": 1}, "Next": "Use"},
            "Use": {"Type": "Pass", "Output": "{% $count * 10 %}", "End": True},
        },
    }
    session = StateMachine(definition).debug({})
    session.step()
    assert session.variables == {"count": 1}
    session.variables["count"] = 4
    session.variables["extra"] = True
    assert session.step().output == 40
    assert session.execution.output == 40
    with pytest.raises(DebugError, match="the execution has ended"):
        session.variables


def test_edits_must_be_json_and_variables_cannot_be_removed():
    definition = {"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"a": 1}, "Next": "Use"},
        "Use": {"Type": "Pass", "End": True}}}
    session = StateMachine(definition).debug({})
    session.data = {"when": object()}
    with pytest.raises(DebugError, match="before state 'Set' must be JSON values"):
        session.step()
    session.data = {}
    session.step()
    session.variables = {}
    with pytest.raises(DebugError, match="variables cannot be removed before state 'Use'.*: a"):
        session.step()


def parallel_of_passes(*prefixes: str, branches: int) -> dict:
    """A Parallel state "Both" whose branch i chains Pass states named prefix+i; the last one's result is i."""
    def branch(i: int) -> dict:
        names = [f"{prefix}{i}" for prefix in prefixes]
        states = {name: {"Type": "Pass", "Next": after} for name, after in zip(names, names[1:])}
        states[names[-1]] = {"Type": "Pass", "Result": i, "End": True}
        return {"StartAt": names[0], "States": states}

    return {"StartAt": "Both", "States": {"Both": {
        "Type": "Parallel", "End": True, "Branches": [branch(i) for i in range(branches)]}}}


def test_parallel_branches_stop_at_a_breakpoint_one_at_a_time_even_when_they_run_concurrently():
    definition = parallel_of_passes("Work", "Mark", branches=3)
    names = {"Mark0", "Mark1", "Mark2"}
    with ThreadPoolExecutor(4) as pool:
        session = StateMachine(definition).debug({}, breakpoints=[lambda step: step.name in names], executor=pool)
        lanes = []
        while session.resume() is not None:
            lanes.append(session.lane)
            assert session.state == f"Mark{session.lane[1]}"
    assert sorted(lanes) == [("Both", 0), ("Both", 1), ("Both", 2)]
    assert session.execution.output == [0, 1, 2]


def test_step_follows_the_lane_it_stepped_while_other_branches_wait():
    definition = parallel_of_passes("A", "B", "C", branches=2)
    # The pool's threads hold the paused branches: the session is ended before the pool shuts down.
    with ThreadPoolExecutor(4) as pool:
        session = StateMachine(definition).debug({}, executor=pool)
        session.step()  # into the Parallel state: some branch's first state is shown
        first = session.lane
        index = first[1]
        followed = []
        for _ in range(3):
            followed.append((session.lane, session.state))
            session.step()
        other_lane, other_state = session.lane, session.state
        session.quit()
    assert followed == [(first, f"A{index}"), (first, f"B{index}"), (first, f"C{index}")]
    other = 1 - index
    assert other_lane == ("Both", other) and other_state == f"A{other}"


def test_retries_and_catch_show_in_the_stepped_record_and_the_catcher_is_the_next_state():
    calls = []

    def flaky(event, context):
        calls.append(event)
        raise TaskError("Flaky", f"attempt {len(calls)}")

    definition = {"StartAt": "Call", "States": {
        "Call": {"Type": "Task", "Resource": ARN("flaky"), "Next": "Done",
                 "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 30, "MaxAttempts": 2}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}]},
        "Recover": {"Type": "Pass", "End": True},
        "Done": {"Type": "Succeed"}}}
    started = time.monotonic()
    session = StateMachine(definition, resources={ARN("flaky"): flaky}).debug({"id": 7})
    record = session.step()
    assert time.monotonic() - started < 5  # 30 s + 60 s of retry intervals on the virtual clock
    assert record.status == "CAUGHT" and len(record.retries) == 2 and len(calls) == 3
    assert [r["delay"] for r in record.retries] == [30, 60]
    assert session.state == "Recover"
    assert session.data == {"id": 7, "error": {"Error": "Flaky", "Cause": "attempt 3"}}


def test_an_uncaught_failure_ends_the_session_with_the_failed_execution():
    definition = {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "E", "Cause": "c"}}}
    session = StateMachine(definition).debug({})
    record = session.step()
    assert record.status == "FAILED" and session.state is None and session.done
    assert (session.execution.status, session.execution.error) == ("FAILED", "E")
    with pytest.raises(DebugError):
        session.step()


def test_quit_aborts_the_execution_where_it_paused():
    session = StateMachine(SIZES).debug(ITEMS, breakpoints=["IsBig"])
    session.resume()
    execution = session.quit()
    assert execution.status == "ABORTED" and session.state is None
    assert execution.history[-1]["type"] == "ExecutionAborted"
    assert [s.name for s in execution.steps] == ["Prepare", "Sizes"]
