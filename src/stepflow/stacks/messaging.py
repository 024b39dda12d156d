"""Queues, topics, subscriptions and event rules of a stack, made with the data root's local services.

``bring_up`` creates one resource with the template's properties, as CloudFormation would, and
returns what it created (``stack down`` gives each back to ``take_down``); a resource already
there is kept, so bringing a stack up twice creates nothing twice. A rule's targets keep their
``Input``, ``InputPath`` and ``InputTransformer``: the local bus hands each matching event to
them, and a target that is a state machine starts it (see ``api.event_targets``).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepflow.services.event_patterns import InvalidEventPattern
from stepflow.services.events import DEFAULT_BUS, EventBus, rule_arn
from stepflow.services.queues import QueueError, Queues
from stepflow.services.topics import PROTOCOLS, TopicError, Topics
from stepflow.stacks.errors import TemplateError

# Made after the other resources, in this order: a subscription needs its topic, a rule its bus.
ORDER = {"AWS::SQS::Queue": 0, "AWS::SNS::Topic": 1, "AWS::Events::EventBus": 1,
         "AWS::SNS::Subscription": 2, "AWS::Events::Rule": 2}
# CloudFormation's queue properties that are SQS attributes (AWS::SQS::Queue reference).
_QUEUE_ATTRIBUTES = ("ContentBasedDeduplication", "DeduplicationScope", "DelaySeconds", "FifoQueue",
                     "FifoThroughputLimit", "KmsDataKeyReusePeriodSeconds", "KmsMasterKeyId",
                     "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
                     "RedriveAllowPolicy", "RedrivePolicy", "SqsManagedSseEnabled", "VisibilityTimeout")
_TARGET_FIELDS = ("Input", "InputPath", "InputTransformer", "RoleArn")


def is_pattern_rule(resource: dict[str, Any]) -> bool:
    """Whether the rule matches events (a rule with only a schedule runs on ``stack fire``)."""
    properties = resource.get("Properties") or {}
    return bool(properties.get("EventPattern") or properties.get("Pattern"))


def bus_of(properties: dict[str, Any]) -> str:
    """The bus a rule is on: ``EventBusName`` (a name or a bus ARN), else the default bus."""
    return str(properties.get("EventBusName") or DEFAULT_BUS).rsplit("event-bus/", 1)[-1]


def arn_of_rule(name: str, properties: dict[str, Any]) -> str:
    """A rule's ARN, with its bus's name in it when the bus is not the default one, as AWS's."""
    return rule_arn(name, bus_of(properties))


def bring_up(root: Path, kind: str, physical: str, properties: dict[str, Any], *, where: str,
             machine: str | None = None) -> tuple[list[dict[str, str]], str | None]:
    """Create the resource; what was created (records for ``take_down``) and a note for the user.
    ``machine`` is the ARN of the state machine a SAM event rule belongs to."""
    try:
        if kind == "AWS::SQS::Queue":
            return _queue(root, physical, properties), None
        if kind == "AWS::SNS::Topic":
            return _topic(root, physical, properties, where)
        if kind == "AWS::SNS::Subscription":
            return _subscription(root, properties, where)
        if kind == "AWS::Events::Rule":
            return _rule(root, physical, properties, machine, where), None
    except (QueueError, TopicError, InvalidEventPattern) as refused:
        raise TemplateError(str(refused), where) from None
    return [], None  # an event bus: the local bus routes by name, there is nothing to make


def take_down(root: Path, created: dict[str, str]) -> bool:
    """Remove one thing ``bring_up`` created; whether it was still there."""
    kind, name = created["Type"], created["Name"]
    if kind == "queue" and name in Queues(root).names():
        Queues(root).delete(name)
    elif kind == "topic" and name in Topics(root).names():
        Topics(root).delete(name)
    elif kind == "subscription":
        return Topics(root).unsubscribe(name)
    elif kind == "rule" and (bus := EventBus(root)).path.exists() and any(
            rule["Name"] == name for rule in bus.list_rules(bus=created["Bus"])):
        bus.delete_rule(name, bus=created["Bus"])
    else:
        return False
    return True


def _queue(root: Path, name: str, properties: dict[str, Any]) -> list[dict[str, str]]:
    queues = Queues(root)
    if name in queues.names():
        return []
    queues.create(name, {key: _attribute_text(value) for key, value in properties.items() if key in _QUEUE_ATTRIBUTES})
    return [{"Type": "queue", "Name": name}]


def _attribute_text(value: Any) -> str:
    """An SQS attribute as SQS keeps it: text (a redrive policy as JSON, ``true``/``false``)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def _topic(root: Path, name: str, properties: dict[str, Any], where: str) -> tuple[list[dict[str, str]], str | None]:
    topics = Topics(root)
    created = [] if name in topics.names() else [{"Type": "topic", "Name": name}]
    topic = topics.create(name)
    notes = []
    for index, subscription in enumerate(properties.get("Subscription") or []):
        made, note = _subscribe(topics, topic, subscription, f"{where}.Properties.Subscription[{index}]")
        created += made
        notes += [note] if note else []
    return created, "; ".join(notes) or None


def _subscription(root: Path, properties: dict[str, Any], where: str) -> tuple[list[dict[str, str]], str | None]:
    if not isinstance(properties.get("TopicArn"), str):
        raise TemplateError("a subscription needs a TopicArn", f"{where}.Properties.TopicArn")
    raw = properties.get("RawMessageDelivery") in (True, "true", "True")
    created, note = _subscribe(Topics(root), properties["TopicArn"], properties, f"{where}.Properties", raw)
    if properties.get("FilterPolicy"):
        note = "; ".join(filter(None, [note, "its FilterPolicy is not applied: every message is delivered"]))
    return created, note


def _subscribe(topics: Topics, topic: str, subscription: dict[str, Any], where: str,
               raw: bool = False) -> tuple[list[dict[str, str]], str | None]:
    protocol, endpoint = subscription.get("Protocol"), subscription.get("Endpoint")
    if not isinstance(protocol, str) or not isinstance(endpoint, str):
        raise TemplateError("a subscription needs a Protocol and an Endpoint", where)
    if protocol not in PROTOCOLS:
        return [], f"its {protocol} subscription is not emulated (stepflow delivers to {', '.join(PROTOCOLS)})"
    if any(s["Protocol"] == protocol and s["Endpoint"] == endpoint for s in topics.subscriptions(topic)):
        return [], None  # SNS answers the same subscription for the same endpoint
    return [{"Type": "subscription", "Name": topics.subscribe(topic, protocol, endpoint, raw)}], None


def _rule(root: Path, name: str, properties: dict[str, Any], machine: str | None, where: str) -> list[dict[str, str]]:
    """An ``AWS::Events::Rule``, or the rule of a SAM ``EventBridgeRule``/``CloudWatchEvent`` event
    (``Pattern``, ``Input``, ``InputPath``, ``InputTransformer``, ``Target.Id`` of the state machine
    ``machine``)."""
    pattern = properties.get("EventPattern") or properties.get("Pattern")
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except json.JSONDecodeError as error:
            raise TemplateError(f"EventPattern is not valid JSON: {error}", f"{where}.Properties.EventPattern") from None
    bus_name = bus_of(properties)
    state = str(properties.get("State") or "ENABLED")
    state = "ENABLED" if state.startswith("ENABLED") else state
    if machine is not None:
        target = {"Id": (properties.get("Target") or {}).get("Id") or f"{name[:58]}Target", "Arn": machine}
        targets = [{**target, **{k: properties[k] for k in _TARGET_FIELDS if k in properties}}]
    else:
        targets = [{k: v for k, v in t.items() if k in ("Id", "Arn", *_TARGET_FIELDS)}
                   for t in properties.get("Targets") or [] if isinstance(t, dict)]
    for index, target in enumerate(targets):
        if not isinstance(target.get("Id"), str) or not isinstance(target.get("Arn"), str):
            raise TemplateError("a target needs an Id and an Arn", f"{where}.Properties.Targets[{index}]")
    bus = EventBus(root)
    existed = bus.path.exists() and any(rule["Name"] == name for rule in bus.list_rules(bus=bus_name))
    bus.put_rule(name, pattern, bus=bus_name, state=state, description=str(properties.get("Description") or ""))
    bus.put_targets(name, targets, bus=bus_name)
    return [] if existed else [{"Type": "rule", "Name": name, "Bus": bus_name}]
