"""The issue's whole scenario from a shell: one definition writes a DynamoDB item, reads an S3
object, publishes to SNS, starts a child workflow with .sync and calls an HTTP API, all against
the local data root, with no code beyond the definitions (``stepflow run --child``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from stepflow.services.buckets import Buckets
from stepflow.services.dynamodb import DynamoDB
from stepflow.services.queues import Queues
from stepflow.services.topics import Topics
from stepflow.store import ExecutionStore


class Api(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        data = json.dumps({"received": json.loads(body)}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def step(resource, arguments, output, next_state=None):
    state = {"Type": "Task", "Resource": resource, "Arguments": arguments, "Assign": output,
             "Output": "{% $states.input %}"}
    return {**state, **({"Next": next_state} if next_state else {"End": True})}


def test_one_definition_reaches_every_local_service(tmp_path):
    home = tmp_path / "home"
    DynamoDB(home).call("CreateTable", {"TableName": "orders", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    Buckets(home).create("config")
    Buckets(home).put("config", "rate.json", b'{"rate": 3}')
    topic = Topics(home).create("orders")
    Topics(home).subscribe(topic, "sqs", Queues(home).create("audit"), raw=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    child = tmp_path / "PriceOrder.asl.json"
    child.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "Price", "States": {"Price": {
        "Type": "Pass", "Output": {"total": "{% $states.input.qty * $states.input.rate %}"}, "End": True}}}))
    parent = tmp_path / "Order.asl.json"
    parent.write_text(json.dumps({"QueryLanguage": "JSONata", "StartAt": "Save", "States": {
        "Save": step("arn:aws:states:::dynamodb:putItem",
                     {"TableName": "orders", "Item": {"id": {"S": "{% $states.input.id %}"}}}, {}, "Rate"),
        "Rate": step("arn:aws:states:::aws-sdk:s3:getObject", {"Bucket": "config", "Key": "rate.json"},
                     {"rate": "{% $parse($states.result.Body).rate %}"}, "Price"),
        "Price": step("arn:aws:states:::states:startExecution.sync:2",
                      {"StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:PriceOrder",
                       "Input": {"qty": "{% $states.input.qty %}", "rate": "{% $rate %}"}},
                      {"total": "{% $states.result.Output.total %}"}, "Announce"),
        "Announce": step("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": "{% 'total ' & $total %}"},
                         {}, "Invoice"),
        "Invoice": {"Type": "Task", "Resource": "arn:aws:states:::http:invoke",
                    "Arguments": {"ApiEndpoint": f"http://127.0.0.1:{server.server_address[1]}/invoices",
                                  "Method": "POST", "RequestBody": {"total": "{% $total %}"}},
                    "Output": "{% $states.result.ResponseBody %}", "End": True},
    }}))
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "run", str(parent), "--child", str(child),
         "--input", '{"id": "o-1", "qty": 2}', "--json"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "STEPFLOW_HOME": str(home)},
    )
    server.shutdown()
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["status"], result["output"]) == ("SUCCEEDED", {"received": {"total": 6}}), result
    assert DynamoDB(home).call("GetItem", {"TableName": "orders", "Key": {"id": {"S": "o-1"}}})["Item"]
    assert [m["Body"] for m in Queues(home).receive("audit")] == ["total 6"]
    machines = sorted(e.state_machine_arn.rsplit(":", 1)[1] for e in ExecutionStore(home).list())
    assert machines == ["Order", "PriceOrder"]  # the child is in the same execution store
    assert "waits for an answer from outside" not in done.stderr
