"""HTTP Tasks against a real HTTP server on 127.0.0.1.

Evidence: the developer guide, "Call HTTPS APIs in Step Functions workflows"
(https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html): the Parameters
(ApiEndpoint, Method, Headers, QueryParameters, RequestBody, Transform, the connection), the
response fields (Headers, ResponseBody, StatusCode, StatusText), the forbidden headers, and
States.Http.StatusCode.NNN for a response outside 2xx.
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from stepflow import StateMachine
from stepflow.services.connections import Connections


class Recorder(BaseHTTPRequestHandler):
    requests: list = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        parts = urlsplit(self.path)
        Recorder.requests.append({"method": self.command, "path": parts.path, "query": parse_qsl(parts.query),
                                  "headers": dict(self.headers), "body": body})
        if parts.path == "/token":
            payload, status = {"access_token": "tok-123"}, 200
        elif parts.path.startswith("/status/"):
            payload, status = {"message": "nope"}, int(parts.path.rsplit("/", 1)[1])
        else:
            payload, status = {"echo": body, "path": parts.path}, 200
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def run(parameters, **state):
    return StateMachine({"StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke", "Parameters": parameters, "End": True,
        **state}}}).run({})


def test_post_json_with_headers_and_query(server, stepflow_home):
    execution = run({"ApiEndpoint": f"{server}/v1/customers", "Method": "POST",
                     "Headers": {"X-Trace": "abc"}, "QueryParameters": {"limit": 10},
                     "RequestBody": {"name": "rider"}})
    assert execution.status == "SUCCEEDED", execution.cause
    out = execution.output
    assert (out["StatusCode"], out["StatusText"]) == (200, "OK")
    assert out["ResponseBody"] == {"echo": '{"name":"rider"}', "path": "/v1/customers"}
    assert out["Headers"]["Content-Type"] == ["application/json"]
    sent = Recorder.requests[0]
    assert sent["query"] == [("limit", "10")]
    assert sent["headers"]["X-Trace"] == "abc"
    assert sent["headers"]["Content-Type"] == "application/json; charset=UTF-8"
    assert sent["headers"]["User-Agent"].startswith("Amazon|StepFunctions|HttpInvoke|")


def test_url_encoded_body_with_array_formats(server, stepflow_home):
    for array_format, expected in [("BRACKETS", "tags%5B%5D=a&tags%5B%5D=b"), ("COMMAS", "tags=a%2Cb"),
                                   ("REPEAT", "tags=a&tags=b"), ("INDICES", "tags%5B0%5D=a&tags%5B1%5D=b")]:
        run({"ApiEndpoint": server, "Method": "POST", "RequestBody": {"tags": ["a", "b"]},
             "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                           "RequestEncodingOptions": {"ArrayFormat": array_format}}})
        assert Recorder.requests[-1]["body"] == expected
        assert Recorder.requests[-1]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_status_outside_2xx_is_a_catchable_named_error(server, stepflow_home):
    execution = run({"ApiEndpoint": f"{server}/status/404", "Method": "GET"},
                    Retry=[{"ErrorEquals": ["States.Http.StatusCode.404"], "MaxAttempts": 1, "IntervalSeconds": 1}])
    assert execution.error == "States.Http.StatusCode.404"
    assert json.loads(execution.cause)["ResponseBody"] == {"message": "nope"}
    assert len(Recorder.requests) == 2  # retried once


def test_connection_adds_api_key_basic_or_oauth_and_invocation_parameters(server, stepflow_home):
    connections = Connections(stepflow_home)
    api_key = connections.create("Stripe", "API_KEY", {
        "ApiKeyAuthParameters": {"ApiKeyName": "X-Api-Key", "ApiKeyValue": "secret"},
        "InvocationHttpParameters": {"QueryStringParameters": [{"Key": "v", "Value": "2"}],
                                     "BodyParameters": [{"Key": "account", "Value": "acme"}]}})
    run({"ApiEndpoint": server, "Method": "POST", "RequestBody": {"a": 1},
         "InvocationConfig": {"ConnectionArn": api_key.arn}})
    sent = Recorder.requests[-1]
    assert sent["headers"]["X-Api-Key"] == "secret" and sent["query"] == [("v", "2")]
    assert json.loads(sent["body"]) == {"a": 1, "account": "acme"}
    basic = connections.create("Basic", "BASIC", {"BasicAuthParameters": {"Username": "u", "Password": "p"}})
    run({"ApiEndpoint": server, "Method": "GET", "Authentication": {"ConnectionArn": basic.arn}})
    assert Recorder.requests[-1]["headers"]["Authorization"] == "Basic dTpw"
    oauth = connections.create("OAuth", "OAUTH_CLIENT_CREDENTIALS", {"OAuthParameters": {
        "AuthorizationEndpoint": f"{server}/token", "HttpMethod": "POST",
        "ClientParameters": {"ClientID": "id", "ClientSecret": "s"}}})
    run({"ApiEndpoint": server, "Method": "GET", "InvocationConfig": {"ConnectionArn": oauth.arn}})
    assert Recorder.requests[-1]["headers"]["Authorization"] == "Bearer tok-123"


def test_forbidden_header_and_unknown_connection(server, stepflow_home):
    execution = run({"ApiEndpoint": server, "Method": "GET", "Headers": {"Authorization": "x"}})
    assert execution.error == "States.Runtime" and "'Authorization'" in execution.cause
    execution = run({"ApiEndpoint": server, "Method": "GET", "InvocationConfig": {
        "ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/Nope/1"}})
    assert execution.error == "Events.ConnectionResource.ResourceNotFound"
    assert Recorder.requests == []


def test_unreachable_server_is_a_socket_error(stepflow_home):
    execution = run({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET"})
    assert execution.error == "States.Http.Socket"


def test_jsonata_arguments_and_output(server, stepflow_home):
    execution = StateMachine({"QueryLanguage": "JSONata", "StartAt": "Call", "States": {"Call": {
        "Type": "Task", "Resource": "arn:aws:states:::http:invoke",
        "Arguments": {"ApiEndpoint": "{% $states.input.url & '/items' %}", "Method": "GET"},
        "Output": "{% $states.result.ResponseBody.path %}", "End": True}}}).run({"url": server})
    assert execution.output == "/items"
