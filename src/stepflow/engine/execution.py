"""An execution: the result object users get back, and the per-run state the engine threads through.

``execute`` runs a compiled machine once: ExecutionStarted, the top-level lane (see
``states.base.run_lane``), then ExecutionSucceeded / ExecutionFailed / ExecutionTimedOut.
"""
from __future__ import annotations

import threading
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Callable, Literal, Mapping

from stepflow.asl.errors import TIMEOUT, ASLError, StepflowError
from stepflow.engine.compile import CompiledMachine
from stepflow.engine.context import base_context
from stepflow.engine.history import (
    HISTORY_LIMIT_CAUSE, HISTORY_LIMIT_ERROR, History, HistoryLimitReached, history_json,
)
from stepflow.engine.payloads import PayloadEncoder
from stepflow.engine.states.base import Lane, VisitState, run_lane, run_state
from stepflow.engine.trace import StepRecord
from stepflow.integrations.resources import Resources
from stepflow.runtime.arns import DEFAULT_ROLE_ARN
from stepflow.runtime.clock import Clock, VirtualClock
from stepflow.runtime.signals import ExecutionTimedOut, Stopped, StopRequest, StopSignal

Status = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]

# Threads for Parallel branches and Map iterations when the caller brings no executor. Nesting
# never needs more (see states/fanout.py); this only bounds how many handlers run at once.
DEFAULT_WORKERS = 64


_SHARED: ThreadPoolExecutor | None = None
_SHARED_LOCK = threading.Lock()


def shared_executor() -> Executor:
    """One thread pool for the Parallel branches and Map iterations of every run that brings no
    executor: its threads outlive a run, so a warm run starts its branches without creating
    threads. Sharing is safe: a fan-out runs any branch the pool has not started itself
    (``states/fanout.py``), so a busy pool slows runs but never blocks them."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = ThreadPoolExecutor(DEFAULT_WORKERS, thread_name_prefix="stepflow")
        return _SHARED


@dataclass(frozen=True)
class Redrive:
    """Where a redriven execution goes on (RedriveExecution): after its ``events``, the top-level
    ``state`` that did not succeed runs again on the ``state_input`` it had entered with."""

    events: list[dict[str, Any]]
    state: str
    state_input: Any
    count: int


@dataclass(eq=False)
class Execution:
    """One run of a state machine, shaped like DescribeExecution plus its history and steps."""

    execution_arn: str
    name: str
    state_machine_arn: str
    input: Any
    definition: dict[str, Any]
    start_date: datetime
    status: Status = "RUNNING"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    stop_date: datetime | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    map_runs: list[Any] = field(default_factory=list)  # the Distributed Maps' MapRun records

    def history_json(self) -> dict[str, Any]:
        """``{"events": [...]}`` exactly as ``aws stepfunctions get-execution-history`` prints it."""
        return history_json(self.history)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter shows the graph with the path taken and the steps (see ``stepflow.render.notebook``)."""
        from stepflow.render.notebook import execution_bundle

        return execution_bundle(self)


class Run:
    """What every lane of one execution shares: clock, history, resources, `$$`, steps, deadline."""

    def __init__(
        self,
        *,
        clock: Clock,
        history: History,
        resources: Resources,
        base_context: dict[str, Any],
        deadline: datetime | None,
        executor: Executor | None,
        map_run_settings: Any = None,
        visit_state: VisitState = run_state,
    ) -> None:
        self.clock = clock
        self.history = history
        self.resources = resources
        self.base_context = base_context
        self.deadline = deadline
        self.steps: list[StepRecord] = []
        self.payloads = PayloadEncoder()
        self.map_run_settings = map_run_settings  # engine.maprun.settings.MapRunSettings, or None
        self.map_run_records: list[Any] = []
        self._executor = executor
        # The execution's own stop (StopExecution), once ``execute`` made it.
        self.stop_request: StopSignal | None = None
        # What the run loop calls for every state visit (see states.base.VisitState).
        self.visit_state = visit_state
        # Nobody outside the call can answer a task token: waits settle (integrations/callbacks.py);
        # ``unanswered`` is the task that could never be answered, once one stopped the run.
        self.settle_waits = False
        self.unanswered: Any = None

    @property
    def executor(self) -> Executor:
        """The caller's executor, or the thread pool every run without one shares."""
        return self._executor if self._executor is not None else shared_executor()

    def check_deadline(self) -> None:
        if self.deadline is not None and self.clock.now() >= self.deadline:
            raise ExecutionTimedOut()

    def sleep(self, seconds: float, stop: StopSignal | None = None) -> None:
        """Sleep ``seconds``; when that reaches the top-level deadline, sleep to it and time out.

        On real time a ``stop`` set meanwhile ends the sleep at once with Stopped.
        """
        if self.deadline is not None:
            remaining = (self.deadline - self.clock.now()).total_seconds()
            if seconds >= remaining:
                self._pause(remaining, stop)
                raise ExecutionTimedOut()
        self._pause(seconds, stop)

    def sleep_until(self, moment: datetime, stop: StopSignal | None = None) -> None:
        if self.deadline is not None and moment >= self.deadline:
            self._until(self.deadline, stop)
            raise ExecutionTimedOut()
        self._until(moment, stop)

    def _until(self, moment: datetime, stop: StopSignal | None) -> None:
        if self.clock.wait_until(moment, stop):
            raise Stopped()

    def _pause(self, seconds: float, stop: StopSignal | None) -> None:
        if self.clock.wait(seconds, stop):
            raise Stopped()


def execute(
    machine: CompiledMachine,
    input: Any,
    *,
    execution_arn: str,
    name: str,
    state_machine_arn: str,
    state_machine_name: str,
    definition: dict[str, Any],
    resources: Resources,
    clock: Clock,
    executor: Executor | None = None,
    stop: StopRequest | None = None,
    history: History | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    settle_waits: bool = False,
    map_runs: Any = None,
    redrive: Redrive | None = None,
    visit_state: VisitState = run_state,
) -> Execution:
    """Run ``machine`` once on ``input``; never raises for what happens inside the execution, but
    for UnansweredTask: with ``settle_waits`` (nobody outside can answer a task token), a task
    waiting for an answer with no deadline left stops the run instead of hanging it.

    ``stop`` lets another thread abort the run; ``history`` (empty) lets it read the events while
    the run goes on; ``on_event`` is called with each event as it is recorded (from any thread);
    ``map_runs`` (a MapRunSettings) says where Distributed Map children run. ``redrive`` goes on
    from a failed run instead of starting (ExecutionRedriven, then its state);
    ``visit_state`` runs each state visit in place of ``run_state`` (a debugger's wrapper).
    """
    history = history if history is not None else History(clock)
    if on_event is not None:
        history.on_event = on_event
    if redrive is None:
        history.execution_started(input, DEFAULT_ROLE_ARN)
    else:
        history.execution_redriven(redrive.events, redrive.count)
    start = history.events[0]["timestamp"]
    execution = Execution(
        execution_arn=execution_arn,
        name=name,
        state_machine_arn=state_machine_arn,
        input=input,
        definition=definition,
        start_date=start,
    )
    run = Run(
        clock=clock,
        history=history,
        resources=resources,
        base_context=base_context(
            execution_id=execution_arn,
            name=name,
            input=input,
            start_time=start,
            role_arn=DEFAULT_ROLE_ARN,
            machine_id=state_machine_arn,
            machine_name=state_machine_name,
        ),
        deadline=(start if redrive is None else clock.now()) + timedelta(seconds=machine.timeout_seconds)
        if machine.timeout_seconds
        else None,
        executor=executor,
        map_run_settings=map_runs,
        visit_state=visit_state,
    )
    execution.map_runs = run.map_run_records
    stop = stop or StopRequest()
    run.stop_request = stop
    run.settle_waits = settle_waits
    # AWS links the first state's Entered event to 0, not to ExecutionStarted (every recording).
    lane = Lane(run, (), 0 if redrive is None else history.last_event_id, stop)
    root, data = machine.root, input
    if redrive is not None:
        root, data = replace(root, start_at=redrive.state), redrive.state_input
    try:
        execution.output = run_lane(root, data, lane)
        execution.status = "SUCCEEDED"
        history.execution_succeeded(run.payloads.encode(execution.output), lane.last_event_id)
    except ASLError as error:
        _end(execution, history, "FAILED", error.error, error.cause, lane)
    except ExecutionTimedOut:
        _end(execution, history, "TIMED_OUT", TIMEOUT, None, lane)
    except Stopped:
        _end(execution, history, "ABORTED", stop.error, stop.cause, lane)
    except HistoryLimitReached:  # its ExecutionFailed is recorded
        execution.status, execution.error, execution.cause = "FAILED", HISTORY_LIMIT_ERROR, HISTORY_LIMIT_CAUSE
    execution.stop_date = clock.now()
    execution.history = history.events
    execution.steps = run.steps
    if run.unanswered is not None:
        raise UnansweredTask(run.unanswered.state_name, run.unanswered.activity_arn, execution)
    return execution


class UnansweredTask(StepflowError):
    """A task waits for an answer that nothing inside the call can send, and no deadline ends it
    (the run is stopped, ABORTED, and kept as ``execution``)."""

    def __init__(self, state_name: str, activity_arn: str | None, execution: Execution) -> None:
        if activity_arn is None:
            waits = "for its task token (.waitForTaskToken)"
            answer = ("call client.send_task_success / send_task_failure with the token "
                      f"(client.callbacks.wait_for_pending({state_name!r}).token)")
        else:
            waits = f"for a worker of activity {activity_arn}"
            answer = "let a worker call client.get_activity_task, then send_task_success with its token"
        super().__init__(
            f"state {state_name!r} waits {waits}, which nothing inside this call can answer, and it has "
            "no TimeoutSeconds or HeartbeatSeconds to end the wait. To answer it, start the execution "
            f"with stepflow.client.Client.start_execution and {answer}; or mock the state in a "
            "MockConfigFile test case; or give the state a TimeoutSeconds."
        )
        self.state_name = state_name
        self.execution = execution


def single_state_lane(
    machine: Any,
    state_input: Any,
    *,
    execution_id: str,
    name: str,
    resources: Resources | None = None,
    context: Mapping[str, Any] | None = None,
) -> Lane:
    """A lane to run states of ``machine`` (a StateMachine) outside an execution, as ``explain`` and
    TestState do: virtual time, a history that has started, no deadline. ``resources`` replaces the
    machine's resources; ``context`` overrides fields of the context object."""
    clock = VirtualClock()
    history = History(clock)
    started = history.execution_started(state_input, DEFAULT_ROLE_ARN)
    default_context = base_context(
        execution_id=execution_id, name=name, input=state_input, start_time=clock.now(),
        role_arn=DEFAULT_ROLE_ARN, machine_id=machine.arn, machine_name=machine.name,
    )
    run = Run(
        clock=clock, history=history, resources=machine.resources if resources is None else resources,
        base_context={**default_context, **(context or {})}, deadline=None, executor=None,
    )
    return Lane(run, (), started)


def _end(
    execution: Execution, history: History, status: Status, error: str | None, cause: str | None, lane: Lane
) -> None:
    execution.status, execution.error, execution.cause = status, error, cause
    # A timeout or abort can happen while branches run; the closing event then follows the latest.
    previous = lane.last_event_id if status == "FAILED" else history.last_event_id
    try:
        history.execution_ended_in_error(status, error, cause, previous)
    except HistoryLimitReached:  # a concurrent branch filled the history first: its end stands
        execution.error, execution.cause = HISTORY_LIMIT_ERROR, HISTORY_LIMIT_CAUSE
        execution.status = "FAILED"
