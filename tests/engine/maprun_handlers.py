"""Module-level task handlers for Distributed Map tests: importable by name, so child executions
can run them in worker processes and on Dask workers."""
from __future__ import annotations

import os

from stepflow import TaskError
from stepflow.services.buckets import Buckets
from stepflow.settings import data_root

ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}".format


def double(event, context):
    return event * 2


def fail_odd(event, context):
    if event % 2:
        raise TaskError("OddItem", f"{event} is odd")
    return event


def read_object(event, context):
    """Reads the bucket object named by the item: a worker must see the parent's data root."""
    return {"text": Buckets(data_root()).get("inputs", event["Key"]).decode(), "pid": os.getpid()}


RESOURCES = {ARN("double"): double, ARN("fail_odd"): fail_odd, ARN("read_object"): read_object}


def task_map(function: str, **fields) -> dict:
    """A Distributed Map whose children run one Task on ``function``."""
    return {
        "StartAt": "Map",
        "States": {
            "Map": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Work",
                    "States": {"Work": {"Type": "Task", "Resource": ARN(function), "End": True}},
                },
                **fields,
                "End": True,
            }
        },
    }
