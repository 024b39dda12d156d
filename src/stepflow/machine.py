"""``StateMachine``: load, check and compile a definition once, then run it any number of times."""
from __future__ import annotations

import os
import random
import uuid
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Callable

from stepflow.asl.json_values import check_execution_input
from stepflow.asl.loader import load_definition
from stepflow.asl.substitutions import check_substitutions, substitute
from stepflow.asl.validate import parse_definition
from stepflow.engine.compile import CompileOptions, CompiledMachine, compile_machine
from stepflow.engine.execution import Execution, Redrive, StopRequest, execute
from stepflow.engine.history import History
from stepflow.engine.maprun.child import check_shippable
from stepflow.engine.maprun.executors import map_executor as resolve_map_executor
from stepflow.engine.maprun.settings import MapRunSettings
from stepflow.engine.states.base import VisitState, run_state
from stepflow.integrations.callbacks import CallbackHub
from stepflow.integrations.resources import Resources
from stepflow.integrations.table import resolve
from stepflow.runtime.arns import check_name, execution_arn, state_machine_arn
from stepflow.runtime.clock import Clock, VirtualClock

DEFAULT_NAME = "StateMachine"

# ``run()``'s input when none is given: ``{}``, as StartExecution without input. ``run(None)`` runs
# with JSON null, as StartExecution with input "null" does.
NO_INPUT: Any = object()


class StateMachine:
    """A state machine definition bound to local resources.

    ``definition`` is a dict, JSON text or a file path. ``resources`` maps a Task Resource ARN to a
    Lambda-style ``handler(event, context)``; ``substitutions`` fill SAM-style ``${Name}`` placeholders
    first. ``clock`` (default: a fresh VirtualClock per run) and ``executor`` (default: a thread pool
    per run) apply to every run unless ``run`` is given its own. ``callbacks`` is where callback and
    activity tasks wait for their tokens (share one hub between machines answered by one client).
    ``map_executor`` is where Distributed Map children run: threads (default), ``"processes[:N]"``,
    a ``distributed.Client``, a Dask scheduler address or ``"local:N"`` (see
    ``engine/maprun/executors.py``); what it starts is released by ``close()``.
    Machines given one ``state_machines`` dict register in it by ARN and can start each other
    (``states:startExecution``); ``data_root`` is where the local services keep their data
    (default: ``STEPFLOW_HOME`` when a task runs).
    A definition with problems raises DefinitionError listing all of them.
    """

    def __init__(
        self,
        definition: dict[str, Any] | str | os.PathLike[str],
        *,
        resources: dict[str, Callable[..., Any]] | None = None,
        substitutions: dict[str, str] | None = None,
        name: str | None = None,
        clock: Clock | None = None,
        executor: Executor | None = None,
        rng: random.Random | None = None,
        callbacks: CallbackHub | None = None,
        map_executor: Any = None,
        state_machines: dict[str, Any] | None = None,
        data_root: str | os.PathLike[str] | None = None,
    ) -> None:
        self.resources = Resources(
            resources or {}, callbacks=callbacks, state_machines=state_machines,
            data_root=Path(data_root) if data_root is not None else None,
        )
        self.definition: dict[str, Any] = substitute(
            load_definition(definition), check_substitutions(substitutions or {})
        )
        self.name = check_name(name or DEFAULT_NAME, "state machine")
        self.arn = state_machine_arn(self.name)
        self.clock = clock
        self.executor = executor
        options = CompileOptions(bind=lambda resource, state: resolve(resource, self.resources, state), rng=rng)
        self.compiled: CompiledMachine = compile_machine(parse_definition(self.definition), options)
        # Machines sharing one ``state_machines`` dict can start each other (states:startExecution).
        self.resources.state_machines[self.arn] = self
        self.map_runs = MapRunSettings(
            executor=None if map_executor is None else resolve_map_executor(map_executor),
            handlers=dict(resources or {}),
        )
        if self.map_runs.executor is not None and self.map_runs.executor.ships:
            check_shippable(self.map_runs.handlers or {})  # say which handler, before any run

    def close(self) -> None:
        """Stop what ``map_executor`` started (worker processes, a local Dask cluster)."""
        if self.map_runs.executor is not None:
            self.map_runs.executor.close()

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], **kwargs: Any) -> StateMachine:
        """Load a definition file; the machine is named after the file unless ``name`` is given."""
        kwargs.setdefault("name", _name_from_file(path))
        return cls(os.fspath(path), **kwargs)

    def run(
        self,
        input: Any = NO_INPUT,
        *,
        name: str | None = None,
        clock: Clock | None = None,
        executor: Executor | None = None,
        resources: Resources | None = None,
        stop: StopRequest | None = None,
        history: History | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
        redrive: Redrive | None = None,
        visit_state: VisitState = run_state,
        outside_answers: bool | None = None,
    ) -> Execution:
        """Run once on ``input`` (a JSON value, None being JSON null; omitted means ``{}`` as
        StartExecution without input) and return the finished Execution, whatever its status.
        ``resources`` stands in for the machine's resources for this run only (e.g. a test case's
        mocked responses); ``stop`` and ``history`` let another thread abort the run and follow its
        events; ``on_event`` is called with each history event as it is recorded (see ``execute``);
        ``redrive`` goes on from a failed run (RedriveExecution); ``visit_state`` wraps each state
        visit (a debugger's pause, see ``debug``).

        ``outside_answers`` says whether another thread may answer task tokens while this call
        blocks (default: only when a ``stop`` is given, as the client's start_execution does).
        Without, a virtual-time run never hangs on a callback or activity task: time moves to its
        timeout, and one with no timeout raises UnansweredTask naming the state."""
        execution_name = check_name(name or str(uuid.uuid4()))
        if input is not NO_INPUT:
            check_execution_input(input)
        return execute(
            self.compiled,
            {} if input is NO_INPUT else input,
            execution_arn=execution_arn(self.name, execution_name),
            name=execution_name,
            state_machine_arn=self.arn,
            state_machine_name=self.name,
            definition=self.definition,
            resources=resources or self.resources,
            clock=clock or self.clock or VirtualClock(),
            executor=executor or self.executor,
            stop=stop,
            history=history,
            on_event=on_event,
            settle_waits=not (stop is not None if outside_answers is None else outside_answers),
            map_runs=self.map_runs,
            redrive=redrive,
            visit_state=visit_state,
        )

    def debug(self, input: Any = NO_INPUT, *, breakpoints: Any = (), **kwargs: Any) -> Any:
        """A stepping session paused before the first state (see ``stepflow.debug.DebugSession``)."""
        from stepflow.debug.session import DebugSession

        return DebugSession(self, {} if input is NO_INPUT else input, breakpoints=breakpoints, **kwargs)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """Jupyter shows the graph (see ``stepflow.render.notebook``)."""
        from stepflow.render.notebook import machine_bundle

        return machine_bundle(self)


def _name_from_file(path: str | os.PathLike[str]) -> str:
    """``definitions/rider-photo-processing-4.asl.json`` -> ``rider-photo-processing-4``."""
    stem = Path(path).name
    for suffix in (".asl.json", ".json", ".asl.yaml", ".yaml"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)] or DEFAULT_NAME
    return stem or DEFAULT_NAME
