"""``stepflow connection create|list|delete``: local EventBridge connections for HTTP Tasks."""
from __future__ import annotations

import argparse
import json

from stepflow.asl.errors import StepflowError
from stepflow.services.connections import Connections
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("connection", help="local EventBridge connections (HTTP Task auth)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a connection (aws events create-connection)")
    create.add_argument("name")
    create.add_argument("--authorization-type", required=True,
                        choices=("API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS"))
    create.add_argument("--auth-parameters", required=True,
                        help="JSON, as aws events create-connection takes it")
    create.set_defaults(handler=run_create)
    actions.add_parser("list", help="every connection (no secrets)").set_defaults(handler=run_list)
    delete = actions.add_parser("delete", help="delete a connection")
    delete.add_argument("name")
    delete.set_defaults(handler=run_delete)


def run_create(args: argparse.Namespace) -> int:
    try:
        parameters = json.loads(args.auth_parameters)
    except ValueError as error:
        raise StepflowError(f"--auth-parameters is not JSON: {error}") from None
    connection = Connections(data_root()).create(args.name, args.authorization_type, parameters)
    print(json.dumps(connection.describe(), indent=4))
    return 0


def run_list(args: argparse.Namespace) -> int:
    print(json.dumps({"Connections": [c.describe() for c in Connections(data_root()).list()]}, indent=4))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    Connections(data_root()).delete(args.name)
    return 0
