"""One child execution of a Map Run as a unit any executor can run: ``run_child(job)``.

A ``ChildJob`` pickles to plain data: the processor's definition (compiled once per worker
process, its Tasks bound to the job's handlers), the item, the child's names, the handlers by
importable name (pickle stores a module-level function or a ``functools.partial`` of one by
reference), and the data root. In threads the job also carries the parent's compiled processor,
resources and stop signal, which are not pickled. The result comes back with the child's status, output, error and cause,
and its history when asked for.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping

from stepflow.asl.errors import StepflowError

_COMPILED: dict[str, Any] = {}
_COMPILED_LOCK = threading.Lock()


class NotShippable(StepflowError):
    """A child execution cannot leave this process (a handler that is a lambda or a closure)."""


def definition_digest(definition: dict[str, Any]) -> str:
    return hashlib.sha1(json.dumps(definition, sort_keys=True).encode(), usedforsecurity=False).hexdigest()


@dataclass(eq=False)
class ChildJob:
    definition: dict[str, Any]  # StartAt, States, QueryLanguage: a machine of its own
    digest: str
    item: Any
    index: int
    name: str
    execution_arn: str
    state_machine_arn: str
    state_machine_name: str
    start: datetime | None  # a virtual clock's start; None runs on real time
    deadline_seconds: float | None = None  # what is left of the parent's TimeoutSeconds
    keep_history: bool = False
    data_root: str | None = None
    handlers: Mapping[str, Callable[..., Any]] | None = None
    handlers_key: str = ""  # tells a worker's cached compilations apart
    # In-process only (dropped when pickled):
    compiled: Any = field(default=None, repr=False)
    resources: Any = field(default=None, repr=False)
    stop: Any = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "compiled": None, "resources": None, "stop": None}


@dataclass(slots=True)
class ChildSummary:
    """One child execution, as ListExecutions lists it (what a Map Run keeps of each)."""

    execution_arn: str
    name: str
    state_machine_arn: str
    status: str
    start_date: datetime
    stop_date: datetime | None
    error: str | None = None
    cause: str | None = None


@dataclass(slots=True)
class ChildResult(ChildSummary):
    """A finished child as it comes back from wherever it ran."""

    index: int = 0
    input: Any = None
    output: Any = None
    history: list[dict[str, Any]] | None = None

    def summary(self) -> ChildSummary:
        return ChildSummary(self.execution_arn, self.name, self.state_machine_arn, self.status,
                            self.start_date, self.stop_date, self.error, self.cause)


def check_shippable(handlers: Mapping[str, Callable[..., Any]]) -> str:
    """Fail early, naming the ARN, when a handler could not be sent to a worker process; else
    the handlers' digest (``ChildJob.handlers_key``)."""
    digest = hashlib.sha1(usedforsecurity=False)
    for arn, handler in sorted(handlers.items()):
        try:
            digest.update(arn.encode() + pickle.dumps(handler))
        except Exception as problem:  # pickle raises several types for unpicklable objects
            raise NotShippable(
                f"the handler for {arn} cannot run in another process ({problem}); define it at "
                "module level (or as functools.partial of a module-level function) so it is "
                "importable by name"
            ) from None
    return digest.hexdigest()


def run_child(job: ChildJob) -> ChildResult:
    """Run one child execution to its end; never raises for what happens inside it."""
    from stepflow.engine.execution import StopRequest, execute
    from stepflow.runtime.clock import RealClock, VirtualClock

    if job.compiled is not None:
        machine, resources = job.compiled, job.resources
    else:
        if job.data_root is not None:
            os.environ["STEPFLOW_HOME"] = job.data_root  # a worker reads buckets where the parent does
        machine, resources = compiled_child(job.definition, job.digest, job.handlers or {}, job.handlers_key)
    if job.deadline_seconds is not None:
        machine = _with_timeout(machine, job.deadline_seconds)
    execution = execute(
        machine,
        job.item,
        execution_arn=job.execution_arn,
        name=job.name,
        state_machine_arn=job.state_machine_arn,
        state_machine_name=job.state_machine_name,
        definition=job.definition,
        resources=resources,
        clock=RealClock() if job.start is None else VirtualClock(job.start),
        stop=job.stop or StopRequest(),
    )
    return ChildResult(
        execution_arn=job.execution_arn,
        name=job.name,
        state_machine_arn=job.state_machine_arn,
        status=execution.status,
        start_date=execution.start_date,
        stop_date=execution.stop_date,
        error=execution.error,
        cause=execution.cause,
        index=job.index,
        input=job.item,
        output=execution.output,
        history=execution.history if job.keep_history else None,
    )


def compiled_child(
    definition: dict[str, Any], digest: str, handlers: Mapping[str, Callable[..., Any]], handlers_key: str
) -> tuple[Any, Any]:
    """The processor compiled once per worker process with its Tasks bound to ``handlers`` (kept
    for every later job of the same processor and handlers), and those Resources."""
    key = f"{digest}:{handlers_key}"
    compiled = _COMPILED.get(key)
    if compiled is None:
        from stepflow.asl.validate import parse_definition
        from stepflow.engine.compile import CompileOptions, compile_machine
        from stepflow.integrations.resources import Resources
        from stepflow.integrations.table import resolve

        resources = Resources(handlers)
        options = CompileOptions(bind=lambda resource, state: resolve(resource, resources, state))
        compiled = (compile_machine(parse_definition(definition), options), resources)
        with _COMPILED_LOCK:
            _COMPILED[key] = compiled
    return compiled


def _with_timeout(machine: Any, seconds: float) -> Any:
    from stepflow.engine.compile import CompiledMachine

    return CompiledMachine(machine.root, max(seconds, 0.001))  # 0 would mean no timeout
