"""``stepflow run``: run a definition once and print how it ended.

With ``--json`` stdout holds exactly one JSON object, ``{"status", "output", "error", "cause"}``, and
the exit status is 0 whenever the run finished (whatever its status): outside test suites rely on
this contract. Usage errors and definitions that do not load exit non-zero with the reasons on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from stepflow.cli._inputs import (
    UsageError,
    add_definition_argument,
    add_parameter_argument,
    load_resources_file,
    read_input,
    read_parameters,
)
from stepflow.cli._triggers import STACKS, stack_bindings
from stepflow.runtime.clock import RealClock, VirtualClock
from stepflow.stacks.sources import is_template



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
    parser.add_argument("--name", help="the execution name (default: a UUID)")
    parser.add_argument(
        "--virtual-time", action="store_true", help="use a virtual clock: Wait states and retries take no time"
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
    parser.add_argument("--json", action="store_true", help="print one JSON object: status, output, error, cause")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from stepflow.machine import StateMachine

    execution_input = read_input(args.input, args.input_file)
    resources: dict[str, Any] = {}
    substitutions: dict[str, str] = {}
    if args.stack:
        resources, substitutions = stack_bindings([args.stack])
    if args.resources:
        file_resources, file_substitutions = load_resources_file(args.resources)
        resources.update(file_resources)
        substitutions.update(file_substitutions)
    clock = VirtualClock() if args.virtual_time else RealClock()
    if is_template(Path(args.definition)):
        from stepflow.stacks import Stack

        stack = Stack.from_template(args.definition, read_parameters(args.parameter))
        machine = stack.state_machine(args.state_machine, resources=resources, clock=clock)
        try:
            return run_machine(machine, args, execution_input)
        finally:
            stack.close()
    if args.state_machine or args.parameter:
        raise UsageError("--state-machine and --parameter apply to a template, not to an ASL definition")
    machine = StateMachine.from_file(
        args.definition, resources=resources, substitutions=substitutions, clock=clock,
        map_executor=args.dask or args.map_executor,
    )
    try:
        return run_machine(machine, args, execution_input)
    finally:
        machine.close()


def run_machine(machine: Any, args: argparse.Namespace, execution_input: Any) -> int:
    """Run once and print how it ended (``args``: name, trace, json), keeping it in the store."""
    from stepflow.render.progress import ProgressLine

    # On a terminal, a one-line progress display while the run goes on (cleared before the result).
    progress = ProgressLine(sys.stderr) if sys.stderr.isatty() else None

    def on_event(event: dict) -> None:
        if progress is not None:
            progress(event)
        _tell_about_waiting_tasks(event)

    try:
        execution = machine.run(execution_input, name=args.name, on_event=on_event)
    finally:
        if progress is not None:
            progress.finish()
    _save(execution)
    if args.trace:
        from stepflow.render.trace import format_trace

        print(format_trace(execution, color=sys.stderr.isatty()), file=sys.stderr)
    summary = {
        "status": execution.status,
        "output": execution.output,
        "error": execution.error,
        "cause": execution.cause,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"status: {execution.status}")
        if execution.status == "SUCCEEDED":
            print(f"output: {json.dumps(execution.output, indent=2, ensure_ascii=False)}")
        else:
            print(f"error:  {execution.error}")
            print(f"cause:  {execution.cause}")
    return 0


# Events that mean a task now waits for an answer from outside (SendTask*, an activity worker).
_WAITING = {
    "TaskSubmitted": "taskSubmittedEventDetails",
    "ActivityScheduled": "activityScheduledEventDetails",
}


def _tell_about_waiting_tasks(event: dict) -> None:
    """Say why the run seems to hang: as on AWS, a callback or activity task waits for its answer,
    and nothing in a one-shot command can send it; its TimeoutSeconds/HeartbeatSeconds still apply."""
    details_key = _WAITING.get(event["type"])
    if details_key is None:
        return
    details = event[details_key]
    # A callback integration's events name the service apart ("sqs", "sendMessage.waitForTaskToken").
    resource = ":".join(part for part in (details.get("resourceType"), details.get("resource")) if part)
    print(
        f"stepflow: a task waits for an answer from outside ({resource}): this command cannot send "
        "SendTaskSuccess/SendTaskFailure or poll for activity tasks, so it waits until the task's "
        "TimeoutSeconds or HeartbeatSeconds (real time); press Ctrl-C to stop. "
        "stepflow.client.Client can answer tokens from Python.",
        file=sys.stderr,
        flush=True,
    )


def _save(execution: Any) -> None:
    """Keep the execution in the data root's store, for ``stepflow`` commands that read it back."""
    from stepflow.store import data_root_store

    data_root_store().save(execution)
