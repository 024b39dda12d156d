"""Queues, topics, subscriptions, buses and event rules that ``stack up`` creates and ``stack down`` removes."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from stepflow.api.client import Client
from stepflow.api.event_targets import deliver_pending
from stepflow.services.events import EventBus
from stepflow.services.mail import Outbox
from stepflow.services.queues import Queues
from stepflow.services.topics import Topics
from stepflow.stacks import Stack, TemplateError

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties: {VisibilityTimeout: 60}
  Audit:
    Type: AWS::SQS::Queue
    Properties: {QueueName: audit-log}
  Alerts:
    Type: AWS::SNS::Topic
    Properties:
      Subscription: [{Protocol: email, Endpoint: ops@example.com}]
  AlertsToOrders:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Orders.Arn}
  AlertsToAudit:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Alerts, Protocol: sqs, Endpoint: !GetAtt Audit.Arn, RawMessageDelivery: true,
                 FilterPolicy: {kind: [refund]}}
  AlertsToHook:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Alerts, Protocol: https, Endpoint: https://example.com/hook}
  Shop:
    Type: AWS::Events::EventBus
    Properties: {Name: shop}
  OrderPlaced:
    Type: AWS::Events::Rule
    Properties:
      EventBusName: !Ref Shop
      EventPattern: {source: [shop.orders], detail-type: [Order Placed]}
      Targets:
        - Id: process
          Arn: !Ref Process
          InputTransformer:
            InputPathsMap: {order: $.detail.id}
            InputTemplate: '{"order": <order>, "via": "bus"}'
  Notify:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Publish
        States:
          Publish:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters: {TopicArn: "${AlertsArn}", Message.$: States.JsonToString($), Subject: order}
            End: true
      DefinitionSubstitutions: {AlertsArn: !Ref Alerts}
  Process:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: Done, States: {Done: {Type: Pass, End: true}}}
      Events:
        Refunds:
          Type: EventBridgeRule
          Properties: {EventBusName: shop, Pattern: {detail-type: [Refund Asked]}, InputPath: $.detail}
"""


@pytest.fixture
def stack(tmp_path, template_stack):
    path = tmp_path / "shop" / "template.yaml"
    path.parent.mkdir()
    path.write_text(TEMPLATE)
    return template_stack(path)


def physical(stack: Stack, logical_id: str) -> str:
    return next(r["PhysicalResourceId"] for r in stack.resources if r["LogicalResourceId"] == logical_id)


def test_up_creates_queues_topics_and_subscriptions_with_the_templates_properties(stack, stepflow_home):
    queues, topics = Queues(stepflow_home), Topics(stepflow_home)
    orders = physical(stack, "Orders")
    assert orders.startswith("shop-Orders-") and sorted(queues.names()) == sorted(["audit-log", orders])
    with sqlite3.connect(queues.path) as db:  # kept as CreateQueue's attributes (Queues has no GetQueueAttributes yet)
        (attributes,) = db.execute("SELECT attributes FROM queues WHERE name = ?", (orders,)).fetchone()
    assert json.loads(attributes) == {"VisibilityTimeout": "60"}
    assert topics.names() == [physical(stack, "Alerts")]
    subscribed = {(s["Protocol"], s["Endpoint"], s["RawMessageDelivery"]) for s in topics.subscriptions(physical(stack, "Alerts"))}
    assert subscribed == {("email", "ops@example.com", False),
                          ("sqs", f"arn:aws:sqs:us-east-1:123456789012:{orders}", False),
                          ("sqs", "arn:aws:sqs:us-east-1:123456789012:audit-log", True)}
    rows = {row["LogicalResourceId"]: row for row in stack.resources}
    assert {rows[k]["Status"] for k in ("Orders", "Alerts", "AlertsToOrders", "Shop", "OrderPlaced")} == {"emulated"}
    assert "https subscription is not emulated" in rows["AlertsToHook"]["Note"]
    assert "FilterPolicy is not applied" in rows["AlertsToAudit"]["Note"]  # said, not silently dropped


def test_a_state_machine_publishing_to_the_topic_delivers_to_its_queues(stack, stepflow_home):
    execution = stack.state_machine("Notify").run({"id": 7})
    assert execution.status == "SUCCEEDED", execution.error
    queues = Queues(stepflow_home)
    (enveloped,) = queues.receive(physical(stack, "Orders"))
    # SNS's JSON envelope to an SQS subscriber (SNS developer guide, "Fanout to Amazon SQS queues").
    notification = json.loads(enveloped["Body"])
    assert notification["Type"] == "Notification" and notification["Subject"] == "order"
    assert notification["TopicArn"] == f"arn:aws:sns:us-east-1:123456789012:{physical(stack, 'Alerts')}"
    assert json.loads(notification["Message"]) == {"id": 7}
    (raw,) = queues.receive("audit-log")  # RawMessageDelivery: the bare message
    assert json.loads(raw["Body"]) == {"id": 7}
    (mail,) = Outbox(stepflow_home).messages()  # the topic's inline email subscription
    assert (mail["To"], mail["Subject"], json.loads(mail["Text"])) == (["ops@example.com"], "order", {"id": 7})


LISTENER = """
Resources:
  Listener:
    Type: AWS::Lambda::Function
    Properties: {Code: {LocalPath: listener/}, Handler: app.handler, Runtime: python3.12,
                 Environment: {Variables: {OUT: %s}}}
  Heard:
    Type: AWS::SNS::Topic
  HeardByListener:
    Type: AWS::SNS::Subscription
    Properties: {TopicArn: !Ref Heard, Protocol: lambda, Endpoint: !GetAtt Listener.Arn}
  Say:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: Publish
        States:
          Publish: {Type: Task, Resource: arn:aws:states:::sns:publish, End: true,
                    Parameters: {TopicArn: "${Heard}", Message: hello}}
      DefinitionSubstitutions: {Heard: !Ref Heard}
"""


def test_a_lambda_subscription_runs_the_stacks_function_with_snss_event(tmp_path, template_stack):
    out = tmp_path / "heard.json"
    (tmp_path / "listener").mkdir()
    (tmp_path / "listener" / "app.py").write_text(
        "import json, os\n\ndef handler(event, context):\n"
        "    open(os.environ['OUT'], 'w').write(json.dumps(event))\n")
    path = tmp_path / "template.yaml"
    path.write_text(LISTENER % out)
    stack = template_stack(path)
    assert stack.state_machine("Say").run({}).status == "SUCCEEDED"
    (record,) = json.loads(out.read_text())["Records"]  # SNS's Lambda event (Lambda developer guide, "Using Lambda with Amazon SNS")
    assert record["EventSource"] == "aws:sns" and record["Sns"]["Message"] == "hello"
    assert record["EventSubscriptionArn"] == Topics(stack.root).subscriptions(physical(stack, "Heard"))[0]["SubscriptionArn"]


EVENTS = [
    {"EventBusName": "shop", "Source": "shop.orders", "DetailType": "Order Placed", "Detail": '{"id": 42}'},
    {"EventBusName": "shop", "Source": "shop.orders", "DetailType": "Refund Asked", "Detail": '{"id": 9}'},
    {"EventBusName": "shop", "Source": "shop.orders", "DetailType": "Order Shipped", "Detail": '{"id": 1}'},
    {"Source": "shop.orders", "DetailType": "Order Placed", "Detail": '{"id": 2}'},  # the default bus: no rule
]
# What the targets receive: the InputTransformer's output, and the InputPath part of the event.
EXPECTED = ['{"id": 9}', '{"order": 42, "via": "bus"}']


def outputs(values) -> list[str]:
    return sorted(json.dumps(value, sort_keys=True) for value in values)


def test_the_rules_are_on_the_templates_bus(stack, stepflow_home):
    bus = EventBus(stepflow_home)
    assert {r["Name"]: r["State"] for r in bus.list_rules(bus="shop")} == {
        physical(stack, "OrderPlaced"): "ENABLED", physical(stack, "ProcessRefunds"): "ENABLED"}
    assert bus.list_rules() == []  # nothing on the default bus
    # A rule on a custom bus has the bus in its ARN: rule/[${EventBusName}/]${RuleName} (Service
    # Authorization Reference, "Actions, resources, and condition keys for Amazon EventBridge").
    assert stack.record["Rules"]["OrderPlaced"]["Arn"] == \
        f"arn:aws:events:us-east-1:123456789012:rule/shop/{physical(stack, 'OrderPlaced')}"


def test_events_on_the_bus_start_the_stacks_state_machine_with_the_targets_input(stack, stepflow_home):
    bus = EventBus(stepflow_home)
    assert bus.put_events(EVENTS)["FailedEntryCount"] == 0
    executions = stack.deliver_events()
    assert outputs(e.output for e in executions) == EXPECTED
    assert {e.state_machine_arn for e in executions} == {stack.record["StateMachines"]["Process"]["Arn"]}
    assert [d["state"] for d in bus.deliveries()] == ["DELIVERED", "DELIVERED"]
    assert stack.deliver_events() == []  # each delivery starts its state machine once


def test_a_client_holding_the_state_machine_runs_the_same_deliveries(stack, stepflow_home):
    bus = EventBus(stepflow_home)
    bus.put_events(EVENTS)
    client = Client()
    try:
        process = stack.record["StateMachines"]["Process"]
        client.create_state_machine(name=process["Name"], definition=json.dumps(process["Definition"]),
                                    roleArn="arn:aws:iam::123456789012:role/process")
        started = deliver_pending(bus, client)
        finished = [json.loads(client.wait_for_execution(arn, timeout=30)["output"]) for arn in started]
    finally:
        client.close()
    assert outputs(finished) == EXPECTED


def test_stack_deliver_on_the_command_line(stack, stepflow_home):
    EventBus(stepflow_home).put_events(EVENTS[:1])
    done = subprocess.run([sys.executable, "-m", "stepflow", "stack", "deliver", stack.name], capture_output=True,
                          text=True, env={**os.environ, "STEPFLOW_HOME": str(stepflow_home)}, timeout=120)
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert json.loads(line)["status"] == "SUCCEEDED" and json.loads(line)["output"] == {"order": 42, "via": "bus"}


def test_down_removes_exactly_what_up_created(stack, stepflow_home, tmp_path):
    Queues(stepflow_home).create("kept")
    EventBus(stepflow_home).put_rule("kept-rule", {"source": ["x"]}, bus="shop")
    again = Stack.from_template(stack.record["Template"], root=stepflow_home)  # up twice creates nothing twice
    assert len(Topics(stepflow_home).subscriptions(physical(stack, "Alerts"))) == 3
    assert again.record["Created"] == stack.record["Created"]
    removed = again.down()
    assert "queue audit-log" in removed and f"topic {physical(stack, 'Alerts')}" in removed
    assert sum(item.startswith("subscription ") for item in removed) == 3
    assert Queues(stepflow_home).names() == ["kept"] and Topics(stepflow_home).names() == []
    assert [r["Name"] for r in EventBus(stepflow_home).list_rules(bus="shop")] == ["kept-rule"]


def test_a_bad_event_pattern_names_the_rule(tmp_path, template_stack):
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  Bad: {Type: AWS::Events::Rule, Properties: {EventPattern: {source: shop}}}\n")
    with pytest.raises(TemplateError, match=r"Resources.Bad: .*source"):
        template_stack(path)
