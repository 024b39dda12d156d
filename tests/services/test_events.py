"""The local EventBridge bus: PutEvents routing, S3's Object Created events, exactly-once deliveries."""
from __future__ import annotations

import json
import threading

import pytest

from stepflow.api.client import Client
from stepflow.api.event_targets import deliver_pending
from stepflow.services.buckets import Buckets
from stepflow.services.events import EventBus, ResourceNotFoundException

MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:OnUpload"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def test_put_events_wraps_entries_in_the_eventbridge_envelope_and_routes_matches(tmp_path):
    bus = EventBus(tmp_path)
    bus.put_rule("orders", {"source": ["shop"], "detail": {"total": [{"numeric": [">", 100]}]}})
    bus.put_targets("orders", [{"Id": "t1", "Arn": MACHINE, "InputPath": "$.detail"}])

    answer = bus.put_events([
        {"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps({"total": 250})},
        {"Source": "shop", "DetailType": "Order Placed", "Detail": json.dumps({"total": 5})},
        {"Source": "shop", "DetailType": "Order Placed", "Detail": "[1]"},
    ])

    assert answer["FailedEntryCount"] == 1 and answer["Entries"][2]["ErrorCode"] == "MalformedDetail"
    [delivery] = bus.pending()
    assert (delivery.event_id, delivery.arn, json.loads(delivery.input)) == (answer["Entries"][0]["EventId"], MACHINE, {"total": 250})
    with pytest.raises(ResourceNotFoundException):
        bus.put_targets("no-such-rule", [{"Id": "x", "Arn": MACHINE}])


def s3_rule(root, bucket="photos"):
    bus = EventBus(root)
    bus.put_rule("uploads", {"source": ["aws.s3"], "detail-type": ["Object Created"], "detail": {"bucket": {"name": [bucket]}}})
    bus.put_targets("uploads", [{"Id": "t", "Arn": MACHINE, "InputTransformer": {
        "InputPathsMap": {"b": "$.detail.bucket.name", "k": "$.detail.object.key"},
        "InputTemplate": '{"s3Bucket": "<b>", "s3Key": "<k>"}'}}])
    return bus


def test_a_notifying_bucket_announces_each_object_once_in_s3s_event_shape(tmp_path):
    buckets = Buckets(tmp_path)
    buckets.create("photos")
    buckets.put("photos", "before.jpg", b"old")
    bus = s3_rule(tmp_path)
    bus.enable_bucket_notifications("photos", buckets.objects("photos"))

    buckets.put("photos", "u1/a.jpg", b"abc")
    again = buckets.announce("photos", "u1/a.jpg")  # the watcher sees the same object: nothing new
    rescan = [buckets.announce("photos", key) for key, *_ in buckets.objects("photos")]

    assert again is None and rescan == [None, None]  # "before.jpg" predates the notifications
    [delivery] = bus.pending()
    assert json.loads(delivery.input) == {"s3Bucket": "photos", "s3Key": "u1/a.jpg"}


def test_concurrent_uploads_and_repeated_deliveries_start_exactly_one_execution_each(tmp_path):
    from stepflow.store import ExecutionStore

    buckets = Buckets(tmp_path)
    buckets.create("photos")
    bus = s3_rule(tmp_path)
    bus.enable_bucket_notifications("photos")
    threads = [threading.Thread(target=buckets.put, args=("photos", f"user{i}/p.jpg", b"x" * i)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pending = bus.pending()
    client = Client(store=ExecutionStore(tmp_path), durable=True)
    client.create_state_machine(name="OnUpload", definition=PASS, roleArn="arn:aws:iam::123456789012:role/r")

    # A deliverer that crashed after starting the executions but before marking them done: the
    # next one (another client over the same data root) tries all of them again.
    for delivery in pending:
        client.start_execution(stateMachineArn=MACHINE, name=delivery.execution_name, input=delivery.input)
    client.close()
    again = Client(store=ExecutionStore(tmp_path), durable=True)
    started = deliver_pending(bus, again)
    for arn in started:
        again.wait_for_execution(arn)

    assert len(pending) == 12 and len(set(started)) == 12
    executions = again.list_executions(stateMachineArn=MACHINE)["executions"]
    assert len(executions) == 12
    inputs = sorted(json.loads(again.describe_execution(executionArn=e["executionArn"])["input"])["s3Key"] for e in executions)
    assert inputs == sorted(f"user{i}/p.jpg" for i in range(12))
    assert bus.pending() == [] and {d["state"] for d in bus.deliveries()} == {"DELIVERED"}
    again.close()
