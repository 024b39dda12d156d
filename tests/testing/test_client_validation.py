"""The client refuses what boto3 refuses, in boto3's words: requests are checked against the Step
Functions service model that botocore ships, and the API's errors are botocore ClientErrors."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from stepflow.client import Client

ROLE = "arn:aws:iam::123456789012:role/r"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


@pytest.fixture
def client():
    client = Client()
    yield client
    client.close()


@pytest.fixture
def boto():
    # Never contacted: boto3 refuses these requests before sending them.
    return boto3.client("stepfunctions", region_name="us-east-1", endpoint_url="http://127.0.0.1:9",
                        aws_access_key_id="x", aws_secret_access_key="x")


@pytest.mark.parametrize("operation, params", [
    ("start_execution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M", "inputt": "{}"}),
    ("create_state_machine", {"name": "M", "definition": PASS}),  # roleArn is required
    ("start_execution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M", "input": {"a": 1}}),
    ("create_state_machine", {"name": "", "definition": PASS, "roleArn": ROLE}),  # below the minimum length
    ("list_executions", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:M", "maxResults": "5"}),
])
def test_what_boto3_refuses_is_refused_with_the_same_words(client, boto, operation, params):
    with pytest.raises(ParamValidationError) as expected:
        getattr(boto, operation)(**params)
    with pytest.raises(ParamValidationError) as refused:
        getattr(client, operation)(**params)

    assert str(refused.value) == str(expected.value)


def test_values_aws_refuses_are_validation_exceptions_in_aws_words(client):
    with pytest.raises(client.exceptions.ValidationException) as refused:
        client.create_state_machine(name="M", definition=PASS, roleArn=ROLE, type="FAST")
    assert refused.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'FAST' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]"
    )
    with pytest.raises(client.exceptions.ValidationException, match="Member must have length less than or equal to 80"):
        client.create_state_machine(name="M" * 81, definition=PASS, roleArn=ROLE)


def test_the_clients_errors_are_botocore_client_errors(client):
    with pytest.raises(ClientError) as caught:
        client.describe_execution(executionArn="arn:aws:states:us-east-1:123456789012:execution:M:none")

    assert isinstance(caught.value, client.exceptions.ExecutionDoesNotExist)
    assert caught.value.response["Error"]["Code"] == "ExecutionDoesNotExist"
    assert caught.value.operation_name == "DescribeExecution"
    assert str(caught.value) == (
        "An error occurred (ExecutionDoesNotExist) when calling the DescribeExecution operation: "
        "Execution Does Not Exist: 'arn:aws:states:us-east-1:123456789012:execution:M:none'"
    )


def test_publish_true_publishes_a_version(client):
    created = client.create_state_machine(name="M", definition=PASS, roleArn=ROLE, publish=True, versionDescription="v1")

    assert created["stateMachineVersionArn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:M:1"
    assert client.describe_state_machine(stateMachineArn=created["stateMachineVersionArn"])["description"] == "v1"
