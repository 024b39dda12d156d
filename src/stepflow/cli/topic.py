"""``stepflow topic create|list|subscribe|subscriptions|publish|delete``: the local SNS topics."""
from __future__ import annotations

import argparse

from stepflow.cli._json import print_json
from stepflow.services.topics import PROTOCOLS, Topics
from stepflow.settings import data_root


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("topic", help="local SNS topics and their subscriptions")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a topic (aws sns create-topic); prints its ARN")
    create.add_argument("name")
    create.set_defaults(handler=run_create)
    actions.add_parser("list", help="every topic").set_defaults(handler=run_list)
    subscribe = actions.add_parser("subscribe", help="subscribe a queue, an email address or a function")
    subscribe.add_argument("topic", help="topic name or ARN")
    subscribe.add_argument("--protocol", choices=PROTOCOLS, required=True)
    subscribe.add_argument("--notification-endpoint", required=True,
                           help="queue name/URL/ARN, email address, or function ARN")
    subscribe.add_argument("--raw-message-delivery", action="store_true")
    subscribe.set_defaults(handler=run_subscribe)
    listed = actions.add_parser("subscriptions", help="a topic's subscriptions")
    listed.add_argument("topic")
    listed.set_defaults(handler=run_subscriptions)
    publish = actions.add_parser("publish", help="publish a message (aws sns publish)")
    publish.add_argument("topic")
    publish.add_argument("message")
    publish.add_argument("--subject")
    publish.set_defaults(handler=run_publish)
    delete = actions.add_parser("delete", help="delete a topic and its subscriptions")
    delete.add_argument("topic")
    delete.set_defaults(handler=run_delete)


def run_create(args: argparse.Namespace) -> int:
    return print_json({"TopicArn": Topics(data_root()).create(args.name)})


def run_list(args: argparse.Namespace) -> int:
    topics = Topics(data_root())
    return print_json({"Topics": [{"TopicArn": topics.arn(name)} for name in topics.names()]})


def run_subscribe(args: argparse.Namespace) -> int:
    arn = Topics(data_root()).subscribe(args.topic, args.protocol, args.notification_endpoint,
                                       args.raw_message_delivery)
    return print_json({"SubscriptionArn": arn})


def run_subscriptions(args: argparse.Namespace) -> int:
    return print_json({"Subscriptions": Topics(data_root()).subscriptions(args.topic)})


def run_publish(args: argparse.Namespace) -> int:
    return print_json({"MessageId": Topics(data_root()).publish(args.topic, args.message, args.subject)})


def run_delete(args: argparse.Namespace) -> int:
    Topics(data_root()).delete(args.topic)
    return 0
