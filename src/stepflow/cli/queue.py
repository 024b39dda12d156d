"""``stepflow queue create|list|send|receive|delete``: the local SQS queues, as ``aws sqs`` shows them."""
from __future__ import annotations

import argparse

from stepflow.cli._json import print_json
from stepflow.services.queues import Queues
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("queue", help="local SQS queues: create, list, send, receive, delete")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a queue (aws sqs create-queue); prints its URL")
    create.add_argument("name")
    create.set_defaults(handler=run_create)
    actions.add_parser("list", help="every queue, with how many messages it holds").set_defaults(handler=run_list)
    send = actions.add_parser("send", help="send a message (aws sqs send-message)")
    send.add_argument("name", help="queue name or URL")
    send.add_argument("body")
    send.set_defaults(handler=run_send)
    receive = actions.add_parser("receive", help="receive messages (aws sqs receive-message)")
    receive.add_argument("name", help="queue name or URL")
    receive.add_argument("--max-number-of-messages", type=int, default=1)
    receive.add_argument("--visibility-timeout", type=int, default=30)
    receive.add_argument("--delete", action="store_true", help="delete what was received")
    receive.set_defaults(handler=run_receive)
    delete = actions.add_parser("delete", help="delete a queue and its messages")
    delete.add_argument("name", help="queue name or URL")
    delete.set_defaults(handler=run_delete)


def run_create(args: argparse.Namespace) -> int:
    return print_json({"QueueUrl": Queues(data_root()).create(args.name)})


def run_list(args: argparse.Namespace) -> int:
    queues = Queues(data_root())
    return print_json({"QueueUrls": [queues.url(name) for name in queues.names()],
                   "Messages": {name: queues.count(name) for name in queues.names()}})


def run_send(args: argparse.Namespace) -> int:
    return print_json(Queues(data_root()).send(args.name, args.body))


def run_receive(args: argparse.Namespace) -> int:
    queues = Queues(data_root())
    messages = queues.receive(args.name, args.max_number_of_messages, args.visibility_timeout)
    if args.delete:
        for message in messages:
            queues.delete_message(args.name, message["ReceiptHandle"])
    return print_json({"Messages": messages} if messages else {})


def run_delete(args: argparse.Namespace) -> int:
    Queues(data_root()).delete(args.name)
    return 0
