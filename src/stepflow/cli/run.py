"""``stepflow run``: run a definition once and print how it ended.

With ``--json`` stdout holds exactly one JSON object, ``{"status", "output", "error", "cause"}``
(plus ``name`` and ``executionArn``, to find the run afterwards), and the exit status is 0 whenever
the run finished (whatever its status): outside test suites rely on this contract. A definition
that does not load still prints one object (status null, error ``InvalidDefinition``) and exits 2;
other usage errors exit 2 with the reason on stderr.

Time is virtual by default, as in the library (a one-hour Wait takes no time; the run's dates start
at the real current time); ``--real-time`` waits for real and says on stderr what waits and until when.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from stepflow.asl.errors import DefinitionError, StepflowError
from stepflow.cli._inputs import (
    UsageError,
    add_definition_argument,
    add_parameter_argument,
    load_resources_file,
    read_input,
    read_parameters,
    write_output,
)
from stepflow.cli._triggers import STACKS, stack_bindings
from stepflow.runtime.clock import RealClock, VirtualClock



def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a state machine definition once",
        description="Run a state machine definition once, locally, and print how it ended.",
    )
    add_definition_argument(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--input", metavar="JSON", help="the execution input as JSON text (default {})")
    source.add_argument("--input-file", metavar="FILE", help="a file holding the execution input")
    parser.add_argument(
        "--resources",
        metavar="FILE.py",
        help="a Python file defining RESOURCES = {arn: handler} (and optionally SUBSTITUTIONS)",
    )
    parser.add_argument("--stack", choices=sorted(STACKS), help="bind a named local stack's resources")
    parser.add_argument(
        "--state-machine", metavar="LOGICAL_ID", help="with a template: which of its state machines to run"
    )
    add_parameter_argument(parser)
    parser.add_argument(
        "--child", action="append", default=[], metavar="FILE",
        help="another definition this one may start (states:startExecution), named after its file; "
        "repeatable. Its executions are kept in the store too",
    )
    parser.add_argument("--name", help="the execution name (default: a UUID); a name already used is refused")
    clock = parser.add_mutually_exclusive_group()
    clock.add_argument(
        "--real-time", action="store_true", help="wait for real: Wait states and retries take their time"
    )
    clock.add_argument(
        "--virtual-time", action="store_true", help="the default: Wait states and retries take no time"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--dask", metavar="SCHEDULER",
        help="run Distributed Map children on Dask: a scheduler address (tcp://host:8786) or local:N",
    )
    where.add_argument(
        "--map-executor", metavar="KIND", help="run Distributed Map children on threads (default) or processes[:N]",
    )
    parser.add_argument("--trace", action="store_true", help="print a step-by-step trace to stderr")
    parser.add_argument(
        "--step", action="store_true",
        help="step through the run state by state on a virtual clock (n next, c continue, b NAME, p EXPR, q quit)",
    )
    parser.add_argument("--report", metavar="FILE", help="also write the execution's HTML report to FILE")
    parser.add_argument(
        "--json", action="store_true",
        help="print one JSON object: status, output, error, cause (and name, executionArn)",
    )
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from stepflow.settings import data_root

    execution_input = read_input(args.input, args.input_file)
    root = data_root()  # a bad STEPFLOW_HOME is said before anything runs
    new_root = not root.exists()
    try:
        with _machine(args) as machine:
            status = run_machine(machine, args, execution_input)
    except DefinitionError as invalid:
        if args.json:
            print(json.dumps({"status": None, "output": None, "error": "InvalidDefinition", "cause": str(invalid)}))
        raise
    if new_root:
        print(f"stepflow: created the data root {root} (STEPFLOW_HOME); `stepflow executions list` "
              "shows what ran", file=sys.stderr)
    return status


def run_machine(machine: Any, args: argparse.Namespace, execution_input: Any) -> int:
    """Run once and print how it ended (``args``: name, real_time, trace, report, json), keeping it
    in the store; ``stack fire`` runs a rule's targets through it too."""
    from stepflow.engine.execution import UnansweredTask
    from stepflow.render.progress import ProgressLine

    real_time = getattr(args, "real_time", False)
    report = getattr(args, "report", None)
    name = args.name or _fresh_name()
    _refuse_reused_name(machine, name)
    # On a terminal, a one-line progress display while the run goes on (cleared before the result).
    progress = ProgressLine(sys.stderr).start() if sys.stderr.isatty() else None
    waits = _LongWaits()
    if real_time:
        machine.clock = RealClock(on_long_wait=waits.announce)

    def on_event(event: dict) -> None:
        waits.follow(event)
        if progress is not None:
            progress(event)
        _tell_about_waiting_tasks(event, real_time=real_time)

    unanswered: UnansweredTask | None = None
    try:
        if getattr(args, "step", False):
            from stepflow.debug.terminal import step_in_terminal

            execution = step_in_terminal(machine.debug(execution_input, name=name, clock=VirtualClock()))
        else:
            execution = machine.run(execution_input, name=name, on_event=on_event)
    except UnansweredTask as stopped:
        unanswered, execution = stopped, stopped.execution
    finally:
        if progress is not None:
            progress.finish()
    _save(execution)
    if args.trace:
        from stepflow.render.terminal import colour
        from stepflow.render.trace import format_trace

        print(format_trace(execution, color=colour(sys.stderr)), file=sys.stderr)
    if report:
        from stepflow.render.report import render_report

        write_output(report, render_report(execution), "--report")
        print(f"wrote {report}", file=sys.stderr)
    summary = {
        "status": execution.status,
        "output": execution.output,
        "error": "UnansweredTask" if unanswered else execution.error,
        "cause": str(unanswered) if unanswered else execution.cause,
    }
    if args.json:
        print(json.dumps(summary | {"name": execution.name, "executionArn": execution.execution_arn},
                         ensure_ascii=False))
    else:
        print(f"status: {execution.status}")
        if execution.status == "SUCCEEDED":
            print(f"output: {json.dumps(execution.output, indent=2, ensure_ascii=False)}")
        else:
            print(f"error:  {summary['error']}")
            print(f"cause:  {summary['cause']}")
        print(f"name:   {execution.name}\narn:    {execution.execution_arn}")
    if unanswered is not None:
        print(f"stepflow: {unanswered}", file=sys.stderr)
        return UsageError.exit_status
    return 0


@contextlib.contextmanager
def _machine(args: argparse.Namespace) -> Iterator[Any]:
    """The machine to run: a template's state machine (its stack brought up), or an ASL file's."""
    from stepflow.machine import StateMachine

    resources: dict[str, Any] = {}
    substitutions: dict[str, str] = {}
    if args.stack:
        resources, substitutions = stack_bindings([args.stack])
    if args.resources:
        file_resources, file_substitutions = load_resources_file(args.resources)
        resources.update(file_resources)
        substitutions.update(file_substitutions)
    clock = RealClock() if args.real_time else VirtualClock()
    from stepflow.stacks.sources import is_template  # the stacks package loads only when needed

    if is_template(Path(args.definition)):
        from stepflow.stacks import Stack

        stack = Stack.from_template(args.definition, read_parameters(args.parameter))
        try:
            yield stack.state_machine(args.state_machine, resources=resources, clock=clock)
        finally:
            stack.close()
        return
    if args.state_machine or args.parameter:
        raise UsageError("--state-machine and --parameter apply to a template, not to an ASL definition")
    children: dict[str, Any] = {}
    for path in args.child:
        child = StateMachine.from_file(path, resources=resources, substitutions=substitutions, clock=clock)
        children[child.arn] = _Saved(child)
    machine = StateMachine.from_file(
        args.definition, resources=resources, substitutions=substitutions, clock=clock,
        map_executor=args.dask or args.map_executor, state_machines=children,
    )
    try:
        yield machine
    finally:
        machine.close()


def _fresh_name() -> str:
    import uuid

    return str(uuid.uuid4())


class ExecutionAlreadyExists(StepflowError):
    """StartExecution's error for a name already used by an execution of the same state machine."""


def _refuse_reused_name(machine: Any, name: str) -> None:
    """AWS refuses a second execution with a name already used for the state machine (even after
    the first ended): ``Execution Already Exists: 'ARN'`` (the API reference of StartExecution)."""
    from stepflow.runtime.arns import check_name, execution_arn
    from stepflow.store import ExecutionNotFound, data_root_store

    arn = execution_arn(machine.name, check_name(name))
    try:
        data_root_store().get(arn)
    except ExecutionNotFound:
        return
    raise ExecutionAlreadyExists(
        f"ExecutionAlreadyExists: Execution Already Exists: '{arn}'; choose another --name "
        f"(`stepflow executions show {name}` shows the earlier run)"
    )


class _LongWaits:
    """Says on stderr which state waits in real time, and until when."""

    def __init__(self) -> None:
        import threading

        self._states = threading.local()  # the state each lane (thread) entered last

    def follow(self, event: dict) -> None:
        entered = event.get("stateEnteredEventDetails")
        if entered is not None:
            self._states.name = entered["name"]

    def announce(self, seconds: float) -> None:
        until = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        state = getattr(self._states, "name", None)
        print(
            f"stepflow: {'state ' + repr(state) if state else 'the run'} waits {seconds:g} s of real time, "
            f"until {until:%Y-%m-%d %H:%M:%S} UTC (Ctrl-C stops; without --real-time waits take no time)",
            file=sys.stderr, flush=True,
        )


# Events that mean a task now waits for an answer from outside (SendTask*, an activity worker).
_WAITING = {
    "TaskSubmitted": "taskSubmittedEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
}


def _tell_about_waiting_tasks(event: dict, *, real_time: bool) -> None:
    """Say why the run seems to hang: as on AWS, a callback or activity task waits for its answer,
    and nothing in a one-shot command can send it; its TimeoutSeconds/HeartbeatSeconds still apply."""
    details_key = _WAITING.get(event["type"])
    if details_key is None:
        return
    details = event[details_key]
    if details_key == "taskSubmittedEventDetails" and not details.get("resource", "").endswith(".waitForTaskToken"):
        return  # a .sync task's start: it waits for its own work, not for an answer from outside
    # A callback integration's events name the service apart ("sqs", "sendMessage.waitForTaskToken").
    resource = ":".join(part for part in (details.get("resourceType"), details.get("resource")) if part)
    ends = (
        "so it waits until the task's TimeoutSeconds or HeartbeatSeconds (real time); press Ctrl-C to stop"
        if real_time else "so virtual time moves on to the task's TimeoutSeconds or HeartbeatSeconds"
    )
    print(
        f"stepflow: a task waits for an answer from outside ({resource}): this command cannot send "
        f"SendTaskSuccess/SendTaskFailure or poll for activity tasks, {ends}. "
        "stepflow.client.Client can answer tokens from Python.",
        file=sys.stderr,
        flush=True,
    )


def _save(execution: Any) -> None:
    """Keep the execution in the data root's store, for ``stepflow`` commands that read it back."""
    from stepflow.store import data_root_store

    data_root_store().save(execution)


class _Saved:
    """A state machine another one starts, whose executions are kept in the store as they end."""

    def __init__(self, machine: Any) -> None:
        self.machine = machine
        self.arn = machine.arn
        self.resources = machine.resources

    def run(self, *args: Any, **kwargs: Any) -> Any:
        execution = self.machine.run(*args, **kwargs)
        _save(execution)
        return execution
