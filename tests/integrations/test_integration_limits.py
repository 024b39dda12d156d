"""What every integration gets from the Task state: TimeoutSeconds, a failing Parallel sibling
stopping it, and TestState (which calls the real local service, as AWS's TestState calls AWS).

TestState: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
(status SUCCEEDED with the state's output, or FAILED with error and cause)."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stepflow import StateMachine
from stepflow.client import Client
from stepflow.runtime.clock import RealClock
from stepflow.services.dynamodb import DynamoDB


class Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(3)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_timeout_seconds_ends_a_slow_http_task(slow_server, stepflow_home):
    machine = StateMachine({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "TimeoutSeconds": 1,
        "Parameters": {"ApiEndpoint": slow_server, "Method": "GET"}, "End": True}}})
    started = time.monotonic()
    execution = machine.run({}, clock=RealClock())
    assert execution.error == "States.Timeout"
    assert time.monotonic() - started < 2.5
    assert [e["type"] for e in execution.history if e["type"].startswith("TaskTimed")] == ["TaskTimedOut"]


def test_timeout_seconds_ends_a_sync_child_that_runs_too_long(stepflow_home):
    machines: dict = {}
    StateMachine({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}},
                 name="Long", state_machines=machines)
    parent = StateMachine({"StartAt": "Start", "States": {"Start": {
        "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2", "TimeoutSeconds": 60,
        "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:Long"},
        "End": True}}}, state_machines=machines)
    assert parent.run({}).error == "States.Timeout"  # the shared virtual clock passes 60 s at once


def test_a_failing_parallel_sibling_stops_a_slow_http_task(slow_server, stepflow_home):
    machine = StateMachine({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": True, "Branches": [
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                                                 "Parameters": {"ApiEndpoint": slow_server, "Method": "GET"},
                                                 "End": True}}},
        {"StartAt": "Boom", "States": {"Boom": {"Type": "Fail", "Error": "Boom"}}},
    ]}}})
    started = time.monotonic()
    assert machine.run({}, clock=RealClock()).error == "Boom"
    assert time.monotonic() - started < 2.5


def test_test_state_runs_a_dynamodb_task_against_the_local_table(stepflow_home):
    DynamoDB(stepflow_home).call("CreateTable", {
        "TableName": "riders", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    state = {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
             "Parameters": {"TableName": "riders", "Key": {"id": {"S.$": "$.id"}},
                            "UpdateExpression": "ADD rides :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "ALL_NEW"},
             "ResultSelector": {"rides.$": "$.Attributes.rides.N"}, "End": True}
    client = Client()
    answer = client.test_state(definition=json.dumps(state), input='{"id": "r1"}')
    assert answer["status"] == "SUCCEEDED"
    assert json.loads(answer["output"]) == {"rides": "1"}
    failed = client.test_state(definition=json.dumps({**state, "Parameters": {**state["Parameters"],
                                                                                "TableName": "nope"}}),
                               input='{"id": "r1"}')
    assert (failed["status"], failed["error"]) == ("FAILED", "DynamoDB.ResourceNotFoundException")
