"""``stepflow mail list``: the messages SES tasks and SNS email subscriptions sent (the outbox)."""
from __future__ import annotations

import argparse
import json

from stepflow.services.mail import Outbox
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mail", help="the local outbox of sent emails")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every message sent, oldest first").set_defaults(handler=run_list)


def run_list(args: argparse.Namespace) -> int:
    print(json.dumps({"Messages": Outbox(data_root()).messages()}, indent=4))
    return 0
