#!/usr/bin/env python3
"""Service-integration benchmark: chains of Tasks that each call a local service, history on,
virtual clock, reported as tasks per second (each task is one SQLite transaction or file write).

- DynamoDB: ``dynamodb:updateItem`` with ``ADD visits :one`` and a ConditionExpression;
- S3: ``aws-sdk:s3:putObject`` of a small JSON body;
- SQS: ``sqs:sendMessage``.
Timing lives here only, never in tests. Run: ``.venv/bin/python bench/integrations.py [tasks] [repeat]``.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stepflow import StateMachine
from stepflow.services.buckets import Buckets
from stepflow.services.dynamodb import DynamoDB
from stepflow.services.queues import Queues

TASKS: dict[str, tuple[str, dict[str, Any]]] = {
    "dynamodb:updateItem": ("arn:aws:states:::dynamodb:updateItem", {
        "TableName": "bench", "Key": {"id": {"S": "counter"}}, "UpdateExpression": "ADD visits :one",
        "ConditionExpression": "attribute_not_exists(locked)",
        "ExpressionAttributeValues": {":one": {"N": "1"}}}),
    "aws-sdk:s3:putObject": ("arn:aws:states:::aws-sdk:s3:putObject", {
        "Bucket": "bench", "Key": "state.json", "Body": {"step": 1}}),
    "sqs:sendMessage": ("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "bench", "MessageBody": {"step": 1}}),
}


def chain(resource: str, parameters: dict[str, Any], length: int) -> dict[str, Any]:
    states = {
        f"S{i}": {"Type": "Task", "Resource": resource, "Parameters": parameters, "ResultPath": None,
                  **({"Next": f"S{i + 1}"} if i < length - 1 else {"End": True})}
        for i in range(length)
    }
    return {"StartAt": "S0", "States": states}


def main(length: int = 500, repeat: int = 3) -> None:
    root = Path(tempfile.mkdtemp(prefix="stepflow-bench-"))
    DynamoDB(root).call("CreateTable", {"TableName": "bench", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    Buckets(root).create("bench")
    Queues(root).create("bench")
    for name, (resource, parameters) in TASKS.items():
        machine = StateMachine(chain(resource, parameters, length), data_root=root)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            execution = machine.run({})
            best = min(best, time.perf_counter() - started)
            assert execution.status == "SUCCEEDED", execution.cause
        print(f"{name:24} {length} tasks in {best:.2f} s  ({length / best:,.0f} tasks/s, best of {repeat})")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
