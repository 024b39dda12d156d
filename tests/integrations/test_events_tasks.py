"""events:putEvents on the local event bus: entries reach the rules, whose targets are delivered.

Evidence: LocalStack's AWS-validated recording tests/aws/services/stepfunctions/v2/services/
test_events_task_service.snapshot.json (test_put_events_base, test_put_events_malformed_detail,
test_put_events_no_source, test_put_events_mixed_malformed_detail)."""
from __future__ import annotations

import json

from stepflow import StateMachine
from stepflow.services.events import EventBus

TARGET = "arn:aws:states:us-east-1:123456789012:stateMachine:OnOrder"


def put(entries):
    return StateMachine({"StartAt": "Put", "States": {"Put": {
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "Parameters": {"Entries": entries},
        "End": True}}}).run({})


def test_entries_are_matched_by_the_bus_rules_and_delivered(stepflow_home):
    bus = EventBus(stepflow_home)
    bus.put_rule("orders", json.dumps({"source": ["some.source"], "detail": {"Message": ["HelloWorld1"]}}))
    bus.put_targets("orders", [{"Id": "sm", "Arn": TARGET}])
    execution = put([
        {"Detail": "{\"Message\": \"HelloWorld0\"}", "DetailType": "t", "Source": "some.source"},
        {"Detail": {"Message": "HelloWorld1"}, "DetailType": "t", "Source": "some.source"},
    ])
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["FailedEntryCount"] == 0 and len(execution.output["Entries"]) == 2
    assert all(set(entry) == {"EventId"} for entry in execution.output["Entries"])
    (delivery,) = bus.pending()
    assert delivery.arn == TARGET
    assert json.loads(delivery.input)["detail"] == {"Message": "HelloWorld1"}
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("events", "putEvents")


def test_a_failed_entry_fails_the_task_with_the_whole_response(stepflow_home):
    execution = put([
        {"Detail": "{\"Message\": \"HelloWorld0\"}", "DetailType": "t", "Source": "some.source"},
        {"Detail": "\"jsonstring\"", "DetailType": "t", "Source": "some.source"},
        {"Detail": {"Message": "HelloWorld"}, "DetailType": "t"},
    ])
    assert execution.error == "EventBridge.FailedEntry"
    cause = json.loads(execution.cause)
    assert cause["FailedEntryCount"] == 2
    assert cause["Entries"][1:] == [
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "InvalidArgument", "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument."},
    ]
