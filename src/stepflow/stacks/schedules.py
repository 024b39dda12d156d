"""Schedules and rules that start a stack's state machine, and the event they start it with.

A SAM ``Schedule`` (or ``ScheduleV2``, ``EventBridgeRule``) event of a state machine, and a
CloudFormation ``AWS::Events::Rule`` whose ``Targets`` name a state machine of the stack, are
recorded by ``stack up``; ``stepflow stack fire STACK RULE`` starts the state machine as the rule
would: with the target's ``Input`` when it has one, else the event EventBridge sends for a
schedule ("Scheduled Event", EventBridge User Guide, "Creating a rule that runs on a schedule").
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any, Callable

_SCHEDULED = ("Schedule", "ScheduleV2")


def rule_targets(logical_id: str, resource: dict[str, Any], properties: dict[str, Any],
                 machine_of_arn: Callable[[str], str | None]) -> list[dict[str, Any]]:
    """The state machines this rule starts: ``[{"StateMachine", "Input", "Schedule", "Enabled"}]``."""
    enabled = properties.get("Enabled", properties.get("State", "ENABLED"))
    enabled = enabled not in (False, "false", "False", "DISABLED")
    schedule = properties.get("Schedule") or properties.get("ScheduleExpression")
    if resource.get("SamGeneratedBy") and resource.get("SamEventType") in (*_SCHEDULED, "EventBridgeRule", "CloudWatchEvent"):
        return [{"StateMachine": resource["SamGeneratedBy"], "Input": properties.get("Input"),
                 "Schedule": schedule, "Pattern": properties.get("Pattern"), "Enabled": enabled}]
    found = []
    for target in properties.get("Targets") or []:
        machine = machine_of_arn(str(target.get("Arn")))
        if machine is not None:
            found.append({"StateMachine": machine, "Input": target.get("Input"), "Schedule": schedule,
                          "Pattern": properties.get("EventPattern"), "Enabled": enabled})
    return found


def event_for(rule_arn: str, target: dict[str, Any], region: str, account: str) -> Any:
    """What the rule gives the state machine as its execution input."""
    if target.get("Input") is not None:
        text = target["Input"]
        return json.loads(text) if isinstance(text, str) else text
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": account,
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }
