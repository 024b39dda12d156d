"""What every state type shares: the compiled state, the lane it runs in, and running it once.

``run_state`` is the one place a state visit happens (entered event, data flow, the type's work,
Retry, Catch, exited event, StepRecord). The run loop calls it for every state; a single-state test
(like AWS's TestState) or a mock hook can call it directly with a lane of its own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from stepflow.asl.errors import QUERY_EVALUATION_ERROR, ASLError
from stepflow.asl.jsonata import CLOCK
from stepflow.asl.paths import VARIABLES, StateDataError
from stepflow.engine.context import state_context
from stepflow.engine.dataflow import CatcherOutput, Dataflow, payload_json
from stepflow.engine.history import EventType, state_events
from stepflow.engine.retry import CatchPolicy, RetryPolicy
from stepflow.engine.trace import Scope, StepRecord
from stepflow.engine.variables import VariableScope
from stepflow.runtime.signals import Stopped, StopSignal

if TYPE_CHECKING:
    from stepflow.engine.execution import Run


@dataclass(eq=False)
class Lane:
    """One sequential run of states: the top level, a Parallel branch or a Map iteration.

    ``last_event_id`` is what the next event's previousEventId points at: within a lane, events
    chain one to the next, as in AWS's history.
    """

    run: Run
    scope: Scope
    last_event_id: int
    stop: StopSignal = field(default_factory=StopSignal)
    # The last state output and its JSON text, so the next StateEntered reuses the text.
    last_output: tuple[Any, str] | None = None
    # The workflow variables this lane reads (its own and its enclosing lanes') and writes.
    variables: VariableScope = field(default_factory=VariableScope)
    # Set by a Parallel/Map state whose branch or iteration failed it: run_state then records the
    # ...StateFailed event, unless a Retry runs the state again (AWS records none between attempts).
    branch_failed: bool = False

    def follow(self, event_id: int) -> int:
        """Make ``event_id`` (just appended after ``last_event_id``) the lane's latest event."""
        self.last_event_id = event_id
        return event_id

    def check(self) -> None:
        """Raise when this lane must not start another state (stopped, or past the deadline)."""
        if self.stop.is_set():
            raise Stopped()
        self.run.check_deadline()

    def sleep(self, seconds: float) -> None:
        """Sleep on the execution's clock, but never past its deadline; raise Stopped when the
        lane is stopped meanwhile (a real-time sleep wakes at once)."""
        self.run.sleep(seconds, self.stop)

    def sleep_until(self, moment: datetime) -> None:
        """Sleep until ``moment`` (a Wait state's Timestamp), but never past the deadline."""
        self.run.sleep_until(moment, self.stop)

    def child(self, scope: Scope, last_event_id: int, stop: StopSignal) -> Lane:
        """A branch or iteration lane: it reads this lane's variables, and its own die with it."""
        return Lane(self.run, scope, last_event_id, stop, variables=self.variables.child())


class CompiledState:
    """A state ready to run: its data flow, transitions and error handling, compiled once.

    Subclasses (one module per state type) supply ``work``: what the state does with its
    effective input. ``execute`` is the whole data flow around it; Fail overrides it.
    """

    def __init__(
        self,
        name: str,
        type_: str,
        flow: Dataflow,
        next_state: str | None,
        *,
        retry: RetryPolicy | None = None,
        catch: CatchPolicy | None = None,
        catch_outputs: tuple[CatcherOutput, ...] = (),
        needs_context: bool = True,
    ) -> None:
        self.name = name
        self.type = type_
        self.flow = flow
        self.next = next_state
        self.retry = retry
        self.catch = catch
        self.catch_outputs = catch_outputs
        self.needs_context = needs_context
        events = state_events(type_)
        self.entered_event, self.exited_event, self.aborted_event = events.entered, events.exited, events.aborted

    def execute(self, state_input: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        data = self.flow.effective_input(state_input, context, record)
        result = self.work(data, context, record, lane)
        return self.flow.state_output(state_input, result, context, record)

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        """The state type's own behaviour: its result from its effective input."""
        raise NotImplementedError


def error_output(error: ASLError) -> dict[str, Any]:
    """The value a catcher passes on: ``{"Error": ..., "Cause": ...}``. An error without a cause
    (a task's States.Timeout) has ``"Cause": ""`` there, as AWS records, though its events omit it."""
    return {"Error": error.error, "Cause": "" if error.cause is None else error.cause}


def run_state(state: CompiledState, state_input: Any, lane: Lane) -> StepRecord:
    """Run one state once: the visit's StepRecord says where to go next (``record.next``, None at
    the end) and what it produced; an error no Catch handles is raised after being recorded."""
    run = lane.run
    record = StepRecord(
        state.name, state.type, lane.scope, input=state_input, next=state.next,
        query_language=state.flow.query_language,
    )
    run.steps.append(record)
    carried = lane.last_output
    input_json = carried[1] if carried is not None and carried[0] is state_input else run.payloads.encode(state_input)
    record.entered_event_id = lane.follow(
        run.history.state_entered_json(state.entered_event, state.name, input_json, lane.last_event_id)
    )
    entered_time = run.clock.now() if state.needs_context else None
    retry = state.retry.fresh() if state.retry is not None else None
    retry_count = 0
    # Every expression of this visit reads the variables as they were on entry (AWS).
    token = VARIABLES.set(lane.variables.visible)
    clock_token = CLOCK.set(run.clock.now)
    try:
        while True:
            context = (
                state_context(  # type: ignore[arg-type]
                    run.base_context, state.name, entered_time, retry_count if retry is not None else None
                )
                if state.needs_context
                else run.base_context
            )
            try:
                output = state.execute(state_input, context, record, lane)
                output_json = payload_json(output, state.name, run.payloads.encode)
                assigned_json = _assign(record, lane)
                break
            except Stopped:
                _aborted(state, lane)
                raise
            except StateDataError as problem:
                error: ASLError = problem.at_state(state.name, record.entered_event_id)
            except ASLError as raised:
                error = raised
            # The ASLError itself, so States.HeartbeatTimeout can tell a missed heartbeat apart.
            delay = retry.next_delay(error) if retry is not None else None
            if delay is None:
                if lane.branch_failed:
                    lane.follow(run.history.container_event(state.type, "failed", lane.last_event_id))
                lane.branch_failed = False
                return _handle_error(state, state_input, error, context, record, lane)
            lane.branch_failed = False
            record.retries.append({"error": error.error, "cause": error.cause, "delay": delay})
            try:
                lane.sleep(delay)
            except Stopped:
                _aborted(state, lane)
                raise
            retry_count += 1
    finally:
        VARIABLES.reset(token)
        CLOCK.reset(clock_token)
    return _exit(state, record, output, output_json, assigned_json, lane)


def _aborted(state: CompiledState, lane: Lane) -> None:
    """A running Task, Wait, Parallel or Map state was stopped by a failing sibling branch or
    iteration: ``<Type>StateAborted`` (AWS). A StopExecution ends the history with ExecutionAborted
    alone, as before (no recording shows AWS's events for it)."""
    stop_request = lane.run.stop_request
    if state.aborted_event is not None and not (stop_request is not None and stop_request.is_set()):
        lane.follow(lane.run.history.state_aborted(state.type, lane.last_event_id))


def _assign(record: StepRecord, lane: Lane) -> dict[str, str] | None:
    """Set the variables the visit assigned; their JSON texts for the StateExited event."""
    if record.assigned is None:
        return None
    return lane.variables.assign(record.assigned, record.name)


def _exit(
    state: CompiledState,
    record: StepRecord,
    output: Any,
    output_json: str,
    assigned_json: dict[str, str] | None,
    lane: Lane,
) -> StepRecord:
    record.reach("output", output)
    lane.last_output = (output, output_json)
    record.exited_event_id = lane.follow(
        lane.run.history.state_exited_json(
            state.exited_event, state.name, output_json, lane.last_event_id, assigned_json  # type: ignore[arg-type]
        )
    )
    return record


def _handle_error(
    state: CompiledState, state_input: Any, error: ASLError, context: dict, record: StepRecord, lane: Lane
) -> StepRecord:
    """Catch the error (the catcher's Next, its Output / ResultPath and Assign) or record and raise it.

    A catcher whose own Output or Assign fails fails the state with that error, uncaught (AWS).
    """
    record.error, record.cause = error.error, error.cause
    catcher = state.catch.find(error) if state.catch is not None else None
    if catcher is None:
        record.status, record.assigned = "FAILED", None  # a failed visit assigns nothing
        location = getattr(error, "location", None)
        if location is not None or error.error == QUERY_EVALUATION_ERROR:
            # A JSONata evaluation failed: AWS records it, and where when a field's expression did.
            details = {"error": error.error, "cause": error.cause, "location": location, "state": state.name}
            if location is None:
                del details["location"]
            history, previous = lane.run.history, lane.last_event_id
            if state.type == "Map":  # recorded: linked past MapStateEntered, then MapStateFailed
                previous = history.events[record.entered_event_id - 1]["previousEventId"]
            lane.follow(history.append(EventType.EvaluationFailed, details, previous))
            if state.type == "Map":
                lane.follow(history.container_event("Map", "failed", lane.last_event_id))
        raise error
    index = state.catch.catchers.index(catcher)  # type: ignore[union-attr]
    try:
        output = state.catch_outputs[index](state_input, error_output(error), context, record)
        output_json = payload_json(output, state.name, lane.run.payloads.encode)
        assigned_json = _assign(record, lane)
    except ASLError as failed:
        if isinstance(failed, StateDataError):
            failed = failed.at_state(state.name, record.entered_event_id)
        record.status, record.error, record.cause = "FAILED", failed.error, failed.cause
        raise failed from None
    record.status = "CAUGHT"
    record.next = catcher.Next
    return _exit(state, record, output, output_json, assigned_json, lane)


@dataclass(eq=False)
class CompiledBranch:
    """``StartAt`` + compiled ``States``: the whole machine, a Parallel branch or a Map processor."""

    start_at: str
    states: dict[str, CompiledState]


# How the run loop runs one state visit: ``run_state`` itself, or a wrapper around it that a
# debugger passes to ``execute`` to pause before a state and change its input (see stepflow.debug).
VisitState = Callable[[CompiledState, Any, Lane], StepRecord]


def run_lane(branch: CompiledBranch, state_input: Any, lane: Lane) -> Any:
    """The run loop: state after state until one ends the lane; returns the lane's output.

    An error no Catch handles propagates as ASLError; a stop or timeout as Stopped / ExecutionTimedOut.
    """
    states = branch.states
    state = states[branch.start_at]
    data = state_input
    visit = lane.run.visit_state
    while True:
        lane.check()
        record = visit(state, data, lane)
        data = record.output
        if record.next is None:
            return data
        state = states[record.next]
