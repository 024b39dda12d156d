"""``stepflow stack up|down|list|outputs``: a template's stack in the data root.

``stack up TEMPLATE`` brings up any SAM, CloudFormation, CDK or Serverless project; without a
template, ``up``/``down``/``outputs`` act on the rider-photo workshop stack, as they always did.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from stepflow.asl.errors import StepflowError
from stepflow.cli._inputs import add_parameter_argument, read_parameters
from stepflow.riderphoto.stack import STACK_NAME, Stack


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "stack", help="create, show or remove the rider-photo stack in STEPFLOW_HOME"
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create the stack (idempotent) and print its outputs")
    up.add_argument("template", nargs="?", metavar="TEMPLATE",
                    help="a SAM/CloudFormation template, cdk.out, serverless.yml or project folder "
                    "(default: the rider-photo workshop stack)")
    up.add_argument("--name", metavar="STACK", help="the stack's name (default: the project folder's name)")
    add_parameter_argument(up)
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
    up.add_argument(
        "--upload-trigger", action="store_true",
        help="start rider-photo-processing-4 for every photo put under <userId>/<photo> in the photo "
        "bucket (an EventBridge rule on S3's Object Created events)",
    )
    up.add_argument(
        "--definition", type=Path, default=Path("definitions/rider-photo-processing-4.asl.json"),
        help="with --upload-trigger: the definition to create rider-photo-processing-4 from "
        "(default: %(default)s, when that file exists)",
    )
    up.set_defaults(handler=run_up)
    outputs = actions.add_parser("outputs", help="print the stack's outputs")
    outputs.add_argument("--json", action="store_true", help="print them as one JSON object")
    outputs.set_defaults(handler=run_outputs)
    listing = actions.add_parser("list", help="the template stacks that are up")
    listing.add_argument("--json", action="store_true", help="print them as one JSON array")
    listing.set_defaults(handler=run_list)
    fire = actions.add_parser("fire", help="start what a stack's schedule or rule targets, as EventBridge would")
    fire.add_argument("stack", metavar="STACK")
    fire.add_argument("rule", metavar="RULE", help="the rule's or SAM event's logical id (e.g. MachineHourly)")
    fire.add_argument("--json", action="store_true", help="print one JSON object: status, output, error, cause")
    fire.set_defaults(handler=run_fire, name=None, trace=False)
    deliver = actions.add_parser("deliver", help="start what the events put on the local buses deliver to a stack's state machines")
    deliver.add_argument("stack", metavar="STACK")
    deliver.set_defaults(handler=run_deliver)
    down = actions.add_parser("down", help="remove everything the stack created")
    down.add_argument("stack", nargs="?", metavar="STACK", help="a template stack's name (default: the rider-photo stack)")
    down.add_argument(
        "--purge", action="store_true", help="remove the whole data root (executions too)"
    )
    down.set_defaults(handler=run_down)


def print_outputs(outputs: dict[str, str], as_json: bool, name: str = STACK_NAME) -> None:
    """JSON keyed by output name, or the table CloudFormation's Outputs tab shows."""
    if as_json:
        print(json.dumps(outputs, indent=2))
        return
    width = max([len(key) for key in outputs] + [3])
    print(f"Stack {name}: outputs")
    print(f"{'Key':<{width}}  Value")
    for key, value in outputs.items():
        print(f"{key:<{width}}  {value}")


def run_up(args: argparse.Namespace) -> int:
    if args.template is not None:
        return _up_template(args)
    settings = {
        f"Smtp{option.title()}": value
        for option in ("host", "port", "from", "to")
        if (value := getattr(args, f"smtp_{option}")) is not None
    }
    stack = Stack.current()
    outputs = stack.up(photos=args.photos, settings=settings)
    if args.upload_trigger:
        from stepflow.cli._triggers import durable_client
        from stepflow.riderphoto import upload_trigger

        definition = args.definition if args.definition.is_file() else None
        client = durable_client()
        try:
            upload_trigger.wire(stack, client, definition)
        finally:
            client.close()
        if definition is None:
            print(f"stepflow: {args.definition} not found: create {upload_trigger.STATE_MACHINE} before uploading "
                  "(stepflow serve's console, or aws stepfunctions create-state-machine)", file=sys.stderr)
    print_outputs(outputs, args.json)
    return 0


def run_outputs(args: argparse.Namespace) -> int:
    print_outputs(Stack.current().outputs(), args.json)
    return 0


def _up_template(args: argparse.Namespace) -> int:
    """Bring a template's stack up; print its outputs, then what is emulated and what is not."""
    from stepflow.stacks import Stack as TemplateStack

    stack = TemplateStack.from_template(args.template, read_parameters(args.parameter), name=args.name)
    if args.json:
        print(json.dumps({"StackName": stack.name, "Outputs": stack.outputs, "Resources": stack.resources}, indent=2))
        return 0
    print_outputs(stack.outputs, False, stack.name)
    print("\nResources")
    for row in stack.resources:
        note = f"  ({row['Note']})" if row.get("Note") else ""
        print(f"{row['LogicalResourceId']:<40} {row['ResourceType']:<36} {row['Status']}{note}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from stepflow.stacks import Stack as TemplateStack

    stacks = [{"StackName": r["StackName"], "Template": r["Template"], "StateMachines": sorted(r["StateMachines"]),
               "Outputs": r["Outputs"]} for r in TemplateStack.list()]
    if args.json:
        print(json.dumps(stacks, indent=2))
    for stack in [] if args.json else stacks:
        print(f"{stack['StackName']}  {stack['Template']}  state machines: {', '.join(stack['StateMachines']) or '-'}")
    return 0


def run_fire(args: argparse.Namespace) -> int:
    from stepflow.cli.run import run_machine
    from stepflow.runtime.clock import RealClock
    from stepflow.stacks import Stack as TemplateStack

    with TemplateStack.named(args.stack) as stack:
        status = 0
        for machine, event in stack.rule_runs(args.rule, clock=RealClock()):
            status = run_machine(machine, args, event) or status
        return status


def run_deliver(args: argparse.Namespace) -> int:
    """One JSON line per execution started: status, output, error, cause, name, executionArn."""
    from stepflow.runtime.clock import RealClock
    from stepflow.stacks import Stack as TemplateStack

    with TemplateStack.named(args.stack) as stack:
        executions = stack.deliver_events(clock=RealClock())
    for execution in executions:
        print(json.dumps({"status": execution.status, "output": execution.output, "error": execution.error,
                          "cause": execution.cause, "name": execution.name, "executionArn": execution.execution_arn},
                         ensure_ascii=False))
    if not executions:
        print(f"no pending event targets a state machine of {args.stack}")
    return 1 if any(e.status != "SUCCEEDED" for e in executions) else 0


def run_down(args: argparse.Namespace) -> int:
    if args.stack is not None:
        from stepflow.stacks import Stack as TemplateStack

        if args.purge:
            raise StepflowError("--purge removes the whole data root: use it without a stack name")
        removed = TemplateStack.named(args.stack).down()
        print(f"removed stack {args.stack}" + "".join(f"\n  {item}" for item in removed))
        return 0
    stack = Stack.current()
    stack.down(purge=args.purge)
    print(f"removed {'the data root ' + str(stack.root) if args.purge else 'stack ' + STACK_NAME}")
    return 0
