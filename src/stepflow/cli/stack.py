"""``stepflow stack up|down|outputs``: the local stand-in for the workshop's CloudFormation stack."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from stepflow.riderphoto.stack import STACK_NAME, Stack


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stack", help="create, show or remove the rider-photo stack in STEPFLOW_HOME"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create the stack (idempotent) and print its outputs")
    up.add_argument("--json", action="store_true", help="print the outputs as one JSON object")
    up.add_argument(
        "--photos", type=Path, help="folder holding the workshop's four test photos to copy in "
        "(default: the shared fixtures)"
    )
    for option, metavar in (("host", "HOST"), ("port", "PORT"), ("from", "ADDRESS"), ("to", "ADDRESS")):
        up.add_argument(
            f"--smtp-{option}", metavar=metavar,
            help=f"SMTP {option} for the notification's email (kept in the stack's settings)",
        )
    up.set_defaults(handler=run_up)
    outputs = actions.add_parser("outputs", help="print the stack's outputs")
    outputs.add_argument("--json", action="store_true", help="print them as one JSON object")
    outputs.set_defaults(handler=run_outputs)
    down = actions.add_parser("down", help="remove everything the stack created")
    down.add_argument(
        "--purge", action="store_true", help="remove the whole data root (executions too)"
    )
    down.set_defaults(handler=run_down)


def print_outputs(outputs: dict[str, str], as_json: bool) -> None:
    """JSON keyed by output name, or the table CloudFormation's Outputs tab shows."""
    if as_json:
        print(json.dumps(outputs, indent=2))
        return
    width = max(len(key) for key in outputs)
    print(f"Stack {STACK_NAME}: outputs")
    print(f"{'Key':<{width}}  Value")
    for key, value in outputs.items():
        print(f"{key:<{width}}  {value}")


def run_up(args: argparse.Namespace) -> int:
    settings = {
        f"Smtp{option.title()}": value
        for option in ("host", "port", "from", "to")
        if (value := getattr(args, f"smtp_{option}")) is not None
    }
    print_outputs(Stack.current().up(photos=args.photos, settings=settings), args.json)
    return 0


def run_outputs(args: argparse.Namespace) -> int:
    print_outputs(Stack.current().outputs(), args.json)
    return 0


def run_down(args: argparse.Namespace) -> int:
    stack = Stack.current()
    stack.down(purge=args.purge)
    print(f"removed {'the data root ' + str(stack.root) if args.purge else 'stack ' + STACK_NAME}")
    return 0
