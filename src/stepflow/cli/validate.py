"""``stepflow validate FILE...``: check definitions offline, as ValidateStateMachineDefinition does.

Exit status: 0 when every file is valid (warnings allowed), 1 when any file has an ERROR,
2 when a file cannot be read (or the command line is wrong).
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any

from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError, readable
from stepflow.api.shapes import validation_response
from stepflow.asl.validate import validate_definition
from stepflow.cli._inputs import read_definition
from stepflow.integrations.resources import FUNCTION_ARN, Resources
from stepflow.integrations.table import local_requirement

LOCAL_INTEGRATION = "LOCAL_INTEGRATION_UNAVAILABLE"  # stepflow's own WARNING code
EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check state machine definitions and report every problem",
        description="Check Amazon States Language definitions; each problem is shown with AWS's "
        "diagnostic code and a JSON pointer to where it is.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="a definition (.json / .asl.json)")
    parser.add_argument(
        "--json", action="store_true",
        help="print a JSON list shaped like ValidateStateMachineDefinition's response, one per file",
    )
    parser.set_defaults(handler=run)


def check_file(path: str) -> list[Diagnostic]:
    """Every diagnostic for one file; a file that cannot be read raises StepflowError."""
    try:
        definition = read_definition(path)
        diagnostics = validate_definition(definition)
    except DefinitionError as invalid:  # JSON syntax and similar: the file is not a definition
        return invalid.diagnostics
    if not any(d.severity == "ERROR" for d in diagnostics):
        diagnostics += local_integration_warnings(definition)
    return diagnostics


def local_integration_warnings(definition: dict[str, Any]) -> list[Diagnostic]:
    """A WARNING at each Task whose Resource cannot run here as things stand, saying what it needs
    (boto3 and an endpoint for a service stepflow does not emulate). Resources still written as
    ``${Substitution}``, and function ARNs (their handlers come with ``run --resources``), are
    left alone."""
    resources = Resources()
    warnings = []
    for pointer, state in _states(definition.get("States") or {}, "/States"):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str) or "${" in resource:
            continue
        if FUNCTION_ARN.match(resource) or "{%" in resource:
            continue
        needed = local_requirement(resource, resources)
        if needed:
            warnings.append(Diagnostic(LOCAL_INTEGRATION, needed, f"{pointer}/Resource", "WARNING"))
    return warnings


def _states(states: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state with its JSON pointer, inside Parallel branches and Map processors too."""
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        here = f"{pointer}/{name}"
        yield here, state
        for index, branch in enumerate(state.get("Branches") or []):
            yield from _states(branch.get("States") or {}, f"{here}/Branches/{index}/States")
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                yield from _states(state[field].get("States") or {}, f"{here}/{field}/States")


def run(args: argparse.Namespace) -> int:
    status = 0
    reports: list[dict[str, Any]] = []
    for path in args.files:
        try:
            diagnostics = check_file(path)
        except StepflowError as unreadable:
            status = EXIT_UNREADABLE
            print(f"stepflow: {unreadable}", file=sys.stderr)
            reports.append({"file": path, "error": str(unreadable)})
            continue
        report = validation_response(diagnostics)
        if report["result"] == "FAIL" and status == 0:
            status = EXIT_INVALID
        reports.append({"file": path, **report})
        if not args.json:
            for line in readable(diagnostics):
                print(f"{path}: {line}")
            if report["result"] == "OK":
                print(f"{path}: OK")
    if args.json:
        print(json.dumps(reports, indent=2, ensure_ascii=False))
    return status
