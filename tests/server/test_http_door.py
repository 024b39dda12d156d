"""The server's wire and door: malformed requests get AWS's error shapes; other sites are refused."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import DATA, Server, boto3_client

API = {"Content-Type": "application/x-amz-json-1.0"}


def call(server, operation: str, body: bytes | str, **headers: str) -> httpx.Response:
    return httpx.post(
        server.url + "/", content=body, headers={**API, "X-Amz-Target": f"AWSStepFunctions.{operation}", **headers},
        timeout=10,
    )


def test_malformed_unknown_and_invalid_requests_get_aws_error_shapes(server):
    cases = [
        (call(server, "ListStateMachines", b"{not json"), 400, "SerializationException"),
        (call(server, "ListStateMachines", b"[1, 2]"), 400, "SerializationException"),
        (call(server, "NoSuchOperation", b"{}"), 400, "UnknownOperationException"),
        (call(server, "StartExecution", b"{}"), 400, "ValidationException"),
        (call(server, "ListExecutions", json.dumps({"stateMachineArn": 7})), 400, "SerializationException"),
        (httpx.post(server.url + "/", content=b"{}", headers={**API, "X-Amz-Target": "Other.Op"}), 400, "UnknownOperationException"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/x-amz-json-1.0"
        assert response.json()["__type"] == code and response.json()["message"], response.text
        assert response.headers["x-amzn-errortype"] == code
    # AWS's words for a missing member.
    assert call(server, "StartExecution", b"{}").json()["message"] == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_an_oversized_body_is_refused_before_it_is_read_whole(server):
    response = call(server, "CreateStateMachine", b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert response.status_code == 413
    assert response.json()["__type"] == "ValidationException"


def test_a_client_that_disconnects_mid_body_does_not_stall_the_server(server):
    import socket

    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nX-Amz-Target: AWSStepFunctions.ListStateMachines\r\n"
            "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 1000\r\n\r\n{\"partial".encode()
        )
    assert call(server, "ListStateMachines", b"{}").status_code == 200


def test_dns_rebinding_and_cross_site_requests_are_refused(server):
    rebound = call(server, "ListStateMachines", b"{}", Host="attacker.example:%d" % server.port)
    cross_site = call(server, "ListStateMachines", b"{}", Origin="http://attacker.example")
    fetch_metadata = call(server, "ListStateMachines", b"{}", **{"Sec-Fetch-Site": "cross-site"})
    console = httpx.get(server.url + "/", headers={"Host": "evil.example"})
    same_origin = call(server, "ListStateMachines", b"{}", Origin=server.url)

    for refused in (rebound, cross_site, fetch_metadata, console):
        assert refused.status_code == 403
        assert refused.json()["__type"] == "AccessDeniedException"
    assert same_origin.status_code == 200


def test_an_access_token_is_required_when_set_and_sigv4_clients_carry_it(tmp_path):
    server = Server(tmp_path, env={"STEPFLOW_SERVE_TOKEN": "s3cret"}).start()
    try:
        import boto3
        from botocore.config import Config

        def client(key: str):
            return boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                                aws_access_key_id=key, aws_secret_access_key="x", config=Config(retries={"max_attempts": 0}))

        assert client("s3cret").list_state_machines()["stateMachines"] == []
        with pytest.raises(client("wrong").exceptions.ClientError) as refused:
            client("wrong").list_state_machines()
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
        assert httpx.get(server.url + "/", headers={"Authorization": "Bearer s3cret"}).status_code != 403
        assert httpx.get(server.url + "/state-machines").status_code == 403
        with httpx.Client(base_url=server.url) as browser:  # a browser opens /?token= once, then the cookie
            assert browser.get("/state-machines?token=s3cret").status_code == 200
            assert browser.get("/buckets").status_code == 200
    finally:
        server.stop()


def test_binding_beyond_localhost_needs_an_explicit_flag_and_warns(tmp_path):
    refused = subprocess.run(
        [sys.executable, "-m", "stepflow", "serve", "--host", "0.0.0.0", "--port", "0"],
        capture_output=True, text=True, timeout=30, env={"STEPFLOW_HOME": str(tmp_path), "PATH": ""},
    )
    assert refused.returncode == 2
    assert "--allow-remote" in refused.stderr

    server = Server(tmp_path, "--host", "0.0.0.0", "--allow-remote", "--token", "t").start()
    try:
        # Other machines use names the server cannot know: with the token, any Host is served.
        named = {"Host": f"my-laptop.local:{server.port}", "X-Amz-Target": "AWSStepFunctions.ListStateMachines", **API}
        assert httpx.post(f"http://127.0.0.1:{server.port}/", content=b"{}", headers={**named, "Authorization": "Bearer t"}).status_code == 200
        assert httpx.post(f"http://127.0.0.1:{server.port}/", content=b"{}", headers=named).status_code == 403
        server.stop()
        assert "WARNING: listening on 0.0.0.0" in server.process.stderr.read()
    finally:
        server.stop()


def test_executions_and_state_machines_survive_a_restart_and_an_interrupted_run_ends_aborted(tmp_path):
    first = Server(tmp_path, "--resources", str(DATA / "resources.py")).start()
    sfn = boto3_client(first.url)
    waits = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 600, "End": True}}})
    passes = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})
    waiting = sfn.create_state_machine(name="Waits", definition=waits, roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
    quick = sfn.create_state_machine(name="Quick", definition=passes, roleArn="arn:aws:iam::123456789012:role/r", publish=True)["stateMachineArn"]
    interrupted = sfn.start_execution(stateMachineArn=waiting, name="cut")["executionArn"]
    done = sfn.start_execution(stateMachineArn=quick, name="done", input='{"a": 1}')["executionArn"]
    while sfn.describe_execution(executionArn=done)["status"] == "RUNNING":
        pass
    first.kill()

    second = Server(tmp_path).start()
    try:
        sfn = boto3_client(second.url)
        cut = sfn.describe_execution(executionArn=interrupted)
        finished = sfn.describe_execution(executionArn=done)
        history = sfn.get_execution_history(executionArn=interrupted)["events"]

        assert {m["name"] for m in sfn.list_state_machines()["stateMachines"]} == {"Waits", "Quick"}
        assert [v["stateMachineVersionArn"] for v in sfn.list_state_machine_versions(stateMachineArn=quick)["stateMachineVersions"]] == [f"{quick}:1"]
        assert (finished["status"], finished["output"]) == ("SUCCEEDED", '{"a":1}')
        assert cut["status"] == "ABORTED"
        assert [e["type"] for e in history] == ["ExecutionStarted", "WaitStateEntered", "ExecutionAborted"]
        assert [e["id"] for e in history] == [1, 2, 3]
    finally:
        second.stop()


def test_mocked_test_cases_run_as_with_step_functions_local(tmp_path):
    """SFN_MOCK_CONFIG and ``stateMachineArn#TestCase``, as Step Functions Local takes them."""
    data = Path(__file__).parents[1] / "testing" / "data"
    server = Server(tmp_path, env={"SFN_MOCK_CONFIG": str(data / "MockConfigFile.json")}).start()
    try:
        sfn = boto3_client(server.url)
        arn = sfn.create_state_machine(name="LambdaSQSIntegration", definition=(data / "LambdaSQSIntegration.asl.json").read_text(),
                                       roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        execution = sfn.start_execution(stateMachineArn=f"{arn}#HappyPath", input="{}")["executionArn"]
        described = sfn.describe_execution(executionArn=execution)
        while described["status"] == "RUNNING":
            described = sfn.describe_execution(executionArn=execution)
        with pytest.raises(sfn.exceptions.ClientError) as unknown:
            sfn.start_execution(stateMachineArn=f"{arn}#NoSuchCase", input="{}")

        assert described["status"] == "SUCCEEDED"
        assert unknown.value.response["Error"]["Code"] == "ValidationException"
        assert "HappyPath" in unknown.value.response["Error"]["Message"]  # names the test cases there are
    finally:
        server.stop()
