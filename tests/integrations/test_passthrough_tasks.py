"""Pass-through: service APIs stepflow does not emulate go through boto3 to an endpoint the user
names (AWS_ENDPOINT_URL_<SERVICE>), here a real moto server on 127.0.0.1; without one, the task
says what it needs, as does ``validate``. Error naming as the SDK integration names errors
(LocalStack's AWS-validated error_handling/test_aws_sdk.snapshot.json, test_invalid_secret_name:
"SecretsManager.SecretsManagerException", "MESSAGE (Service: SecretsManager, Status Code: 400,
Request ID: ...)")."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stepflow import StateMachine

moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the test extra")


@pytest.fixture
def endpoint(monkeypatch):
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    yield url
    server.stop()


def chain(*steps):
    names = [f"S{i}" for i in range(len(steps))]
    states = {}
    for i, (resource, parameters) in enumerate(steps):
        states[names[i]] = {"Type": "Task", "Resource": resource, "Parameters": parameters,
                            "ResultPath": f"$.r{i}", **({"Next": names[i + 1]} if i + 1 < len(steps) else {"End": True})}
    return StateMachine({"StartAt": names[0], "States": states})


def test_an_sdk_action_goes_to_the_named_endpoint(endpoint):
    execution = chain(
        ("arn:aws:states:::aws-sdk:secretsmanager:createSecret", {"Name": "db", "SecretString": "s3cret"}),
        ("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", {"SecretId": "db"}),
    ).run({})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["r1"]["SecretString"] == "s3cret"
    assert "ResponseMetadata" not in execution.output["r1"]
    assert isinstance(execution.output["r1"]["CreatedDate"], str)
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("aws-sdk:secretsmanager", "createSecret")


def test_a_service_error_is_named_as_the_sdk_integration_names_it(endpoint):
    execution = chain(("arn:aws:states:::aws-sdk:secretsmanager:getSecretValue", {"SecretId": "absent"})).run({})
    assert execution.error == "SecretsManager.ResourceNotFoundException"
    assert "(Service: SecretsManager, Status Code: 404, Request ID: " in execution.cause  # moto answers 404


def test_without_an_endpoint_run_and_validate_say_what_is_needed(monkeypatch, tmp_path):
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER"):
        monkeypatch.delenv(name, raising=False)
    definition = {"StartAt": "Get", "States": {"Get": {
        "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:secretsmanager:getSecretValue",
        "Parameters": {"SecretId": "x"}, "End": True}}}
    execution = StateMachine(definition).run({})
    assert execution.error == "States.Runtime"
    assert "state 'Get'" in execution.cause and "AWS_ENDPOINT_URL_SECRETS_MANAGER" in execution.cause
    path = tmp_path / "d.asl.json"
    path.write_text(json.dumps(definition))
    done = subprocess.run([sys.executable, "-m", "stepflow", "validate", "--json", str(path)],
                          capture_output=True, text=True)
    (report,) = json.loads(done.stdout)
    assert report["result"] == "OK" and done.returncode == 0
    (warning,) = report["diagnostics"]
    assert warning["severity"] == "WARNING" and warning["location"] == "/States/Get/Resource"
    assert "AWS_ENDPOINT_URL_SECRETS_MANAGER" in warning["message"]
