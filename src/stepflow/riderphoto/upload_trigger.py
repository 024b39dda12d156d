"""The workshop's real-world note: "the workflow can be triggered by an Amazon S3 upload event".

As on AWS: the photo bucket sends its events to EventBridge, and a rule on the default bus matches
"Object Created" events for keys ``<userId>/<photo>`` and starts ``rider-photo-processing-4`` with
an input transformer building the workflow's input ``{userId, s3Bucket, s3Key}``.

One liberty: EventBridge's input transformer cannot cut the user id out of the key, so the path
for ``userId`` uses the ``split`` of the JSONPath library stepflow's bus reads paths with
(``$.detail.object.key.`split(/, 0, 1)```). On AWS the same rule needs the user id elsewhere (a
Lambda target, or the key layout as the workflow's input).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepflow.riderphoto.stack import Stack
from stepflow.services.events import EventBus

RULE = "rider-photo-uploads"
STATE_MACHINE = "rider-photo-processing-4"
STATE_MACHINE_ARN = f"arn:aws:states:us-east-1:123456789012:stateMachine:{STATE_MACHINE}"
ROLE_ARN = "arn:aws:iam::123456789012:role/rider-photo-processing-role"


def rule_pattern(bucket: str) -> dict[str, Any]:
    """Objects created under ``<userId>/<photo>`` in ``bucket``."""
    return {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [bucket]}, "object": {"key": [{"wildcard": "*/*"}]}},
    }


TARGET = {
    "Id": "start-rider-photo-processing",
    "Arn": STATE_MACHINE_ARN,
    "RoleArn": ROLE_ARN,
    "InputTransformer": {
        "InputPathsMap": {
            "bucket": "$.detail.bucket.name",
            "key": "$.detail.object.key",
            "userId": "$.detail.object.key.`split(/, 0, 1)`",
        },
        "InputTemplate": '{"userId": "<userId>", "s3Bucket": "<bucket>", "s3Key": "<key>"}',
    },
}


def wire(stack: Stack, client: Any, definition: Path | None) -> dict[str, str]:
    """Create the rule, its target and the bucket's notifications (idempotent); with ``definition``
    also create (or update) the state machine in ``client``. Objects already in the bucket are
    never announced."""
    bus = EventBus(stack.root)
    rule = bus.put_rule(RULE, rule_pattern(stack.rider_photo_bucket),
                        description="rider photos uploaded under <userId>/<photo>")
    bus.put_targets(RULE, [TARGET])
    bus.enable_bucket_notifications(stack.rider_photo_bucket, stack.buckets.objects(stack.rider_photo_bucket))
    if definition is not None:
        text = definition.read_text()
        try:
            client.create_state_machine(name=STATE_MACHINE, definition=text, roleArn=ROLE_ARN)
        except client.exceptions.StateMachineAlreadyExists:
            client.update_state_machine(stateMachineArn=STATE_MACHINE_ARN, definition=text)
    return {"RuleArn": rule["RuleArn"], "Target": json.dumps(TARGET["Arn"])}
