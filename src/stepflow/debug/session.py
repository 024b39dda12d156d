"""A stepping session: run a state machine one state at a time, like a debugger.

The execution runs on a thread of its own with the engine's ``visit_state`` hook set to
``DebugSession._visit``, which wraps ``run_state``: before a state runs it decides whether to
pause (every state while stepping, only breakpoints while resuming); a paused lane blocks until
the user's thread says go, and then runs on the input and variables the user may have changed.
This is Python's ``bdb`` idea (hooks in the run loop, not a second interpreter).

Parallel branches and Map iterations run one after another, in index order, unless an executor is
given (``InOrderExecutor``): stepping is then repeatable, and the virtual clock still gives each
branch its own timeline from the fork, so timestamps are those of a concurrent run. With a
concurrent executor, lanes that reach a pause queue up and are shown one at a time; ``step()``
prefers the lane it stepped (and the lanes nested in it) so one lane can be followed.
"""
from __future__ import annotations

import copy
import json
import threading
import uuid
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Union

from stepflow.asl.errors import ASLError, StepflowError
from stepflow.asl.jsonata import compile_expression, is_expression
from stepflow.asl.paths import VARIABLES, PathNotFound, PathSyntaxError, compile_path
from stepflow.engine.execution import Execution, StopRequest
from stepflow.engine.history import History
from stepflow.engine.states.base import CompiledState, Lane, run_state
from stepflow.engine.trace import Scope, StepRecord
from stepflow.runtime.arns import execution_arn
from stepflow.runtime.clock import Clock, VirtualClock
from stepflow.runtime.signals import Stopped

if TYPE_CHECKING:
    from stepflow.machine import StateMachine

_POLL_SECONDS = 0.05  # how often a waiting user thread re-checks a lane stopped from elsewhere


@dataclass(frozen=True)
class PendingStep:
    """The state about to run, as a callable breakpoint sees it."""

    name: str
    state_type: str
    lane: Scope
    input: Any
    variables: dict[str, Any]


# A breakpoint: a state's name, or a predicate over the step about to run.
Breakpoint = Union[str, Callable[[PendingStep], bool]]


class DebugError(StepflowError):
    """A stepping command that cannot be done now (the execution has ended), or a breakpoint that failed."""


class InOrderExecutor(Executor):
    """Never starts what it is given, so ``fan_out`` runs each branch or iteration itself, in order
    (its contract: a submitted worker whose Future can be cancelled is run by the caller)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        return Future()


@dataclass(eq=False)
class _Pause:
    """A lane blocked before ``state``; ``data`` and ``variables`` are working copies to edit."""

    state: CompiledState
    lane: Lane
    original: Any
    data: Any
    variables_original: dict[str, Any]
    variables: dict[str, Any]
    go: threading.Event = field(default_factory=threading.Event)
    visit_ended: bool = False
    lane_ended: bool = False
    record: StepRecord | None = None

    def family(self, scope: Scope) -> bool:
        """Whether ``scope`` is this pause's lane or a lane nested in it."""
        return scope[: len(self.lane.scope)] == self.lane.scope


class DebugSession:
    """One execution run step by step on the virtual clock; it starts paused before the first state.

    ``state`` is the state about to run (None once the execution ended), ``lane`` where it runs
    (``()`` the top level, ``("Fan", 1)`` branch 1 of Fan, ``("Items", 3)`` iteration 3 of Items),
    ``data`` and ``variables`` what it will run on (edit them, in place or by assigning, before a
    step), ``history`` and ``steps`` what happened so far, ``execution`` the finished Execution.
    """

    def __init__(
        self,
        machine: StateMachine,
        input: Any,
        *,
        breakpoints: Iterable[Breakpoint] = (),
        name: str | None = None,
        clock: Clock | None = None,
        executor: Executor | None = None,
        resources: Any = None,
    ) -> None:
        self.machine = machine
        self.breakpoints: list[Breakpoint] = list(breakpoints)
        self.name = name or str(uuid.uuid4())
        self._input = input
        self._clock = clock or VirtualClock()
        self._history = History(self._clock)
        self._stop = StopRequest()
        self._cond = threading.Condition()
        self._waiting: list[_Pause] = []
        self._paused: _Pause | None = None
        self._stepping = True  # pause before every state (else only at breakpoints)
        self._quitting = False
        self._steps: list[StepRecord] = []
        self._stepped: _Pause | None = None  # the pause ``step()`` released last, to follow its lane
        self._finished = False
        self._execution: Execution | None = None
        self._failure: BaseException | None = None
        self._breakpoint_error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="stepflow-debug", daemon=True,
            args=(input, executor or InOrderExecutor(), resources),
        )
        self._thread.start()
        self._wait_for(lambda: bool(self._waiting))

    # What the user looks at.

    @property
    def state(self) -> str | None:
        """The name of the state about to run; None once the execution has ended."""
        return self._paused.state.name if self._paused else None

    @property
    def state_type(self) -> str | None:
        return self._paused.state.type if self._paused else None

    @property
    def lane(self) -> Scope | None:
        """Where the paused state runs: ``()`` at the top level, ``(state, index, ...)`` inside."""
        return self._paused.lane.scope if self._paused else None

    @property
    def data(self) -> Any:
        """The input the paused state will run on (a copy: change it in place or assign it)."""
        return self._require().data

    @data.setter
    def data(self, value: Any) -> None:
        self._require().data = value

    @property
    def variables(self) -> dict[str, Any]:
        """The variables the paused state will read (a copy: change it in place or assign it)."""
        return self._require().variables

    @variables.setter
    def variables(self, value: dict[str, Any]) -> None:
        if not isinstance(value, dict):
            raise DebugError(f"variables must be a dict of name -> JSON value, got {type(value).__name__}")
        self._require().variables = value

    def evaluate(self, expression: str) -> Any:
        """A JSONPath (``$.a.b``, ``$var``) or JSONata expression (``{% $states.input.a %}``, or bare:
        ``$count(...)``) evaluated against the paused state's data and variables, as it would see them."""
        pause = self._require()
        text = expression.strip()
        if not is_expression(text):
            try:
                path = compile_path(text)
            except PathSyntaxError as problem:
                if not text.startswith("$"):
                    raise DebugError(f"{text!r} is neither a JSONPath nor a JSONata expression: {problem}") from None
            else:
                token = VARIABLES.set(pause.variables)
                try:
                    return path.find(pause.data)
                except PathNotFound as missing:
                    raise DebugError(str(missing)) from None
                finally:
                    VARIABLES.reset(token)
            text = "{% " + text + " %}"
        try:
            return compile_expression(text, "expression").evaluate({"input": pause.data}, pause.variables)
        except ASLError as failed:
            raise DebugError(f"{failed.error}: {failed.cause}") from None
        except StepflowError as invalid:  # a JSONata syntax error
            raise DebugError(str(invalid)) from None

    @property
    def paused_state(self) -> CompiledState | None:
        """The compiled state about to run (its data-flow fields, for displays)."""
        return self._paused.state if self._paused else None

    @property
    def history(self) -> list[dict[str, Any]]:
        """The execution's history events so far, as ``get_execution_history`` shapes them."""
        return list(self._history.events)

    @property
    def steps(self) -> list[StepRecord]:
        """The state visits so far, in the order they were entered."""
        return list(self._steps)

    @property
    def done(self) -> bool:
        return self._finished

    @property
    def execution(self) -> Execution | None:
        """The finished Execution, as ``StateMachine.run`` returns it; None while it runs."""
        return self._execution

    # Moving on.

    def step(self) -> StepRecord:
        """Run the paused state and pause before the next one (in the same lane when it has one).

        Returns the visit's StepRecord. A Parallel or Map state is stepped into: the next pause is
        its first branch's or iteration's first state, and its record fills in as they run.
        """
        pause = self._require()
        self._release(pause, stepping=True)
        self._stepped = pause
        self._wait_for(lambda: self._next_after(pause))
        return self._record_of(pause)

    def resume(self) -> str | None:
        """Run to the next breakpoint (or the end); returns the state paused before, or None."""
        self._release(self._require(), stepping=False)
        self._stepped = None
        self._wait_for(lambda: bool(self._waiting))
        return self.state

    def quit(self) -> Execution:
        """Stop the execution where it is (it ends ABORTED, as StopExecution ends it)."""
        if not self._finished:
            self._stop.stop()
            with self._cond:
                self._quitting = True
                waiting, self._waiting, self._paused = self._waiting, [], None
            for pause in waiting:
                pause.go.set()
            self._thread.join()
        self._raise_failure()
        return self._execution  # type: ignore[return-value]

    def snapshot(self) -> Execution:
        """The execution so far (the finished one once done): status RUNNING, its history and steps."""
        if self._execution is not None:
            return self._execution
        history = self.history
        return Execution(
            execution_arn=execution_arn(self.machine.name, self.name), name=self.name,
            state_machine_arn=self.machine.arn, input=self._input, definition=self.machine.definition,
            start_date=history[0]["timestamp"], history=history, steps=self.steps,
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter shows the graph with the path so far and the steps, and where it is paused."""
        from stepflow.render.notebook import execution_bundle

        return execution_bundle(self.snapshot(), paused_before=self.state)

    def __enter__(self) -> DebugSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.quit()

    def __repr__(self) -> str:
        if self._execution is not None:
            return f"<DebugSession {self._execution.name}: {self._execution.status}>"
        if self._paused is None:
            return "<DebugSession running>"
        where = f" in {self.lane}" if self.lane else ""
        return f"<DebugSession paused before {self.state!r}{where}>"

    # The engine's side: every state visit of the execution comes through here.

    def _run(self, input: Any, executor: Executor, resources: Any) -> None:
        execution: Execution | None = None
        try:
            execution = self.machine.run(
                input, name=self.name, clock=self._clock, executor=executor, resources=resources,
                stop=self._stop, history=self._history, visit_state=self._visit,
            )
        except BaseException as failure:  # a bug, not the execution's own outcome: re-raised to the user
            self._failure = failure
        finally:
            with self._cond:
                self._execution, self._finished = execution, True
                self._cond.notify_all()

    def _visit(self, state: CompiledState, data: Any, lane: Lane) -> StepRecord:
        self._steps = lane.run.steps  # the run's own list, read as it grows
        pause = self._pause_before(state, data, lane)
        if pause is not None:
            pause.go.wait()
            if self._quitting:
                raise Stopped()
            data = pause.data if pause.data != pause.original else pause.original
            changed = {k: v for k, v in pause.variables.items() if pause.variables_original.get(k, _MISSING) != v}
            if changed:
                lane.variables.assign(changed, state.name)
        try:
            record = run_state(state, data, lane)
        except BaseException:
            self._visit_ended(pause, lane, lane_ended=True)
            raise
        self._visit_ended(pause, lane, lane_ended=record.next is None)
        return record

    def _pause_before(self, state: CompiledState, data: Any, lane: Lane) -> _Pause | None:
        """Queue a pause when stepping or at a breakpoint; None to run the state straight on."""
        variables = dict(lane.variables.visible)
        with self._cond:
            stepping, quitting = self._stepping, self._quitting
        if quitting:
            raise Stopped()
        if not stepping and not self._at_breakpoint(PendingStep(state.name, state.type, lane.scope, data, variables)):
            return None
        pause = _Pause(state, lane, data, copy.deepcopy(data), variables, copy.deepcopy(variables))
        with self._cond:
            self._waiting.append(pause)
            self._cond.notify_all()
        return pause

    def _at_breakpoint(self, pending: PendingStep) -> bool:
        for point in list(self.breakpoints):
            if isinstance(point, str):
                if point == pending.name:
                    return True
                continue
            try:
                if point(pending):
                    return True
            except Exception as error:  # stop there, and tell the user why
                self._breakpoint_error = DebugError(
                    f"breakpoint {getattr(point, '__name__', repr(point))} raised {type(error).__name__}: {error} before state {pending.name!r}"
                )
                return True
        return False

    def _visit_ended(self, pause: _Pause | None, lane: Lane, lane_ended: bool) -> None:
        if pause is None:
            return
        with self._cond:
            pause.visit_ended, pause.lane_ended = True, lane_ended
            self._cond.notify_all()

    # The user's side.

    def _require(self) -> _Pause:
        self._raise_failure()
        if self._paused is None:
            raise DebugError("the execution has ended: nothing is paused (see session.execution)")
        return self._paused

    def _release(self, pause: _Pause, stepping: bool) -> None:
        _check_edits(pause)
        with self._cond:
            self._stepping = stepping
            self._paused = None
            self._waiting.remove(pause)
            released = [pause]
            if not stepping:  # lanes queued while stepping go on unless they wait at a breakpoint
                for other in list(self._waiting):
                    pending = PendingStep(other.state.name, other.state.type, other.lane.scope,
                                          other.data, other.variables)
                    if not self._at_breakpoint(pending):
                        self._waiting.remove(other)
                        released.append(other)
        for each in released:
            each.go.set()

    def _next_after(self, pause: _Pause) -> bool:
        """After stepping ``pause``: a pause in its lane (or one nested in it) has come, or that lane
        cannot go on and some other pause has, or the execution ended."""
        if any(pause.family(other.lane.scope) for other in self._waiting):
            return True
        lane_over = pause.lane_ended or pause.lane.stop.is_set()
        return lane_over and bool(self._waiting)

    def _wait_for(self, ready: Callable[[], bool]) -> None:
        """Block until ``ready()`` or the end; then pause at the best queued lane."""
        with self._cond:
            while not (self._finished or ready()):
                self._cond.wait(_POLL_SECONDS)
            if not self._finished and self._waiting:
                self._paused = self._choose()
        if self._finished:
            self._thread.join()
        self._raise_failure()

    def _choose(self) -> _Pause:
        """The pause to show: the stepped lane's own or nested first, else the first to arrive."""
        if self._stepped is not None:
            for other in self._waiting:
                if self._stepped.family(other.lane.scope):
                    return other
        return self._waiting[0]

    def _record_of(self, pause: _Pause) -> StepRecord:
        """The StepRecord of ``pause``'s visit (the latest of its state in its lane)."""
        for record in reversed(self._steps):
            if record.scope == pause.lane.scope and record.name == pause.state.name:
                return record
        raise DebugError(f"no record of state {pause.state.name!r}")  # the visit never started

    def _raise_failure(self) -> None:
        error, self._breakpoint_error = self._breakpoint_error, None
        if self._failure is not None:
            raise self._failure
        if error is not None:
            raise error


_MISSING = object()


def _check_edits(pause: _Pause) -> None:
    """The user's edits must be JSON, and variables can be changed or added but not removed (ASL
    has no way to unset one)."""
    where = f"before state {pause.state.name!r}"
    try:
        json.dumps(pause.data, allow_nan=False)
        json.dumps(pause.variables, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise DebugError(f"the data and variables {where} must be JSON values: {error}") from None
    removed = sorted(set(pause.variables_original) - set(pause.variables))
    if removed:
        raise DebugError(f"variables cannot be removed {where} (only changed or added): {', '.join(removed)}")
