"""``stepflow explain``: one state's data flow alone, like the console's data flow simulator.

The state runs once through the engine's own single-state runner (``run_state``, the code every
visit goes through), so what is shown is what a real run does: InputPath, Parameters, the work,
ResultSelector, ResultPath, OutputPath, Retry and Catch. A Task's result is given with
``--result`` (every task resource then answers it), or ``--error`` / ``--cause`` to see Retry and
Catch at work, or comes from real handlers (``--resources``).
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from stepflow.asl.errors import ASLError
from stepflow.cli._inputs import UsageError, add_definition_argument, load_resources_file, read_definition, read_input
from stepflow.engine.execution import single_state_lane
from stepflow.engine.states.base import run_state
from stepflow.engine.trace import StepRecord
from stepflow.render.terminal import colour
from stepflow.render.trace import format_step
from stepflow.integrations.resources import Resources
from stepflow.testing.test_state import find_state_scope, placeholder_arns

_NO_RESULT = object()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="show one state's data flow on a given input",
        description="Run one state alone on --input and show each data-flow stage: InputPath, "
        "Parameters, the result, ResultSelector, ResultPath and OutputPath.",
    )
    add_definition_argument(parser)
    parser.add_argument("state", help="the state's name (it may be inside a Parallel branch or Map)")
    parser.add_argument("--input", metavar="JSON", help="the state's raw input (default {})")
    parser.add_argument("--result", metavar="JSON", help="what the state's task resources return")
    parser.add_argument("--error", metavar="NAME", help="make the task resources fail with this error name")
    parser.add_argument("--cause", metavar="TEXT", help="the cause that goes with --error")
    parser.add_argument("--resources", metavar="FILE.py", help="real handlers: RESOURCES = {arn: handler}")
    parser.set_defaults(handler=explain_command)


def explain_command(args: argparse.Namespace) -> int:
    state_input = read_input(args.input, None)
    result = _NO_RESULT if args.result is None else _parse(args.result, "--result")
    if args.error is not None:
        result = ASLError(args.error, args.cause)
    resources, substitutions = load_resources_file(args.resources) if args.resources else ({}, {})
    record = explain_state(read_definition(args.definition), args.state, state_input, result=result,
                           resources=resources, substitutions=substitutions)
    color = colour(sys.stdout)
    print("\n".join(format_step(record, color=color, elide=color)))
    return 0


def explain_state(
    definition: dict[str, Any],
    state_name: str,
    state_input: Any,
    *,
    result: Any = _NO_RESULT,
    resources: dict[str, Any] | None = None,
    substitutions: dict[str, str] | None = None,
) -> StepRecord:
    """Run ``state_name`` once on ``state_input``; its StepRecord holds every stage (and the error
    if one was neither retried away nor caught). ``result`` is what every task resource returns,
    or an ASLError they all raise."""
    from stepflow.machine import StateMachine

    scope = find_state_scope(definition, state_name)
    if scope is None:
        raise UsageError(f"the definition has no state named {state_name!r}")
    state_type = scope["States"][state_name].get("Type")
    if state_type in ("Task", "Parallel", "Map") and result is _NO_RESULT and not resources:
        raise UsageError(f"state {state_name!r} runs tasks: give --result JSON (what they return) or --resources")
    substitutions = {**placeholder_arns(scope), **(substitutions or {})}
    machine = StateMachine(scope, resources=resources, substitutions=substitutions, name="explain")
    lane = single_state_lane(
        machine, state_input, name="explain",
        execution_id=f"{machine.arn}:explain".replace(":stateMachine:", ":execution:"),
        resources=None if result is _NO_RESULT else _GivenResult(result),
    )
    run = lane.run
    try:
        return run_state(machine.compiled.root.states[state_name], state_input, lane)
    except ASLError:
        return run.steps[0]  # the visit recorded the error before raising it


class _GivenResult(Resources):
    """Every task answers the ``--result`` value exactly as given, or raises the error."""

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result

    def override(self, state_name: str) -> Any:
        return self._answer

    def _answer(self, _input: Any) -> Any:
        if isinstance(self.result, ASLError):
            raise ASLError(self.result.error, self.result.cause)
        return self.result


def _parse(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{where} is not valid JSON: {error}") from None
