"""``stepflow serve``: the Step Functions API over HTTP and the local console (the ``server`` extra)."""
from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from stepflow.cli._inputs import UsageError, load_resources_file
from stepflow.cli._triggers import STACKS, stack_bindings, stacks_up

TOKEN_ENV = "STEPFLOW_SERVE_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the Step Functions API (AWS's JSON protocol) and a local console over HTTP",
        description="Serve the Step Functions API at http://HOST:PORT/ for the AWS CLI "
        "(--endpoint-url), boto3 and the AWS SDKs, and a console in the browser at the same address. "
        "Prints 'listening on http://HOST:PORT' when ready.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8083, help="port (default 8083; 0 picks a free one)")
    parser.add_argument("--resources", metavar="FILE.py", help="a Python file defining RESOURCES = {arn: handler}")
    parser.add_argument(
        "--stack", choices=sorted(STACKS),
        help="bind a named local stack's resources (a stack that is up in the data root is bound anyway)",
    )
    parser.add_argument(
        "--mock-config", metavar="FILE",
        help="a Step Functions Local MockConfigFile for 'stateMachineArn#TestCase' (default: $SFN_MOCK_CONFIG)",
    )
    parser.add_argument(
        "--allow-remote", action="store_true",
        help="allow --host to be an address other machines can reach (use an access token with it)",
    )
    parser.add_argument("--token", help=f"access token every request must carry (default: ${TOKEN_ENV})")
    parser.add_argument(
        "--watch", action="store_true",
        help="also send the Object Created events of files dropped into notifying buckets' folders",
    )
    parser.set_defaults(handler=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    try:
        from stepflow.server.service import build_service
    except ImportError as missing:
        raise UsageError(
            f"stepflow serve needs the 'server' extra ({missing.name} is missing): pip install 'stepflow[server]'"
        ) from None
    if not _is_loopback(args.host) and not args.allow_remote:
        raise UsageError(
            f"--host {args.host} can be reached from other machines; add --allow-remote (and --token) to mean it"
        )
    token = args.token or os.environ.get(TOKEN_ENV) or None
    if not _is_loopback(args.host):
        print(
            f"stepflow serve: WARNING: listening on {args.host}, reachable from other machines"
            + ("" if token else " without an access token"),
            file=sys.stderr,
        )
    # A stack that is up in the data root is bound too: its upload trigger starts its state machine.
    resources, substitutions = stack_bindings(sorted({*stacks_up(), *([args.stack] if args.stack else [])}))
    if args.resources:
        file_resources, file_substitutions = load_resources_file(args.resources)
        resources.update(file_resources)
        substitutions.update(file_substitutions)
    service = build_service(
        resources=resources, substitutions=substitutions, mock_config=args.mock_config, host=args.host,
        port=args.port, token=token, stack=args.stack, watch=args.watch,
    )
    service.run()
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _port(text: str) -> int:
    """A TCP port for --port: 0 to 65535 (argparse reports anything else as a usage error)."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0 to 65535)")
    return int(text)
