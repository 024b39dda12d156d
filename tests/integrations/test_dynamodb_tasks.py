"""DynamoDB tasks run against the data root's tables, shaped as AWS records them.

Evidence: LocalStack's AWS-validated recordings, tests/aws/services/stepfunctions/v2/services/
test_dynamodb_task_service.snapshot.json (optimized putItem/updateItem/getItem: TaskScheduled with
resourceType "dynamodb" and resource "putItem", results with SdkHttpMetadata), .../
test_aws_sdk_task_service.snapshot.json (aws-sdk:dynamodb results are the bare response) and
.../error_handling/test_task_service_dynamodb.snapshot.json, test_aws_sdk.snapshot.json (errors).
"""
from __future__ import annotations

import json

import pytest

from stepflow import StateMachine
from stepflow.services.dynamodb import DynamoDB
from stepflow.testing.mocks import MockConfig, run_test_case

TABLE = "table-name"


@pytest.fixture
def table(stepflow_home):
    DynamoDB(stepflow_home).call("CreateTable", {
        "TableName": TABLE, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    return DynamoDB(stepflow_home)


def task(resource, parameters, **extra):
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, **extra}


def machine(*states, extra=None, **top):
    names = [name for name, _ in states]
    body = dict(extra or {})
    for index, (name, state) in enumerate(states):
        body[name] = {**state, **({"Next": names[index + 1]} if index + 1 < len(names) else {"End": True})}
    return StateMachine({"StartAt": names[0], "States": body, **top})


def test_put_update_get_as_the_recorded_execution(table):
    """The DYNAMODB_PUT_UPDATE_GET_ITEM recording, state by state."""
    sm = machine(
        ("PutItem", task("arn:aws:states:::dynamodb:putItem",
                         {"TableName.$": "$.TableName", "Item.$": "$.Item"}, ResultPath="$.putItemOutput")),
        ("UpdateItem", task("arn:aws:states:::dynamodb:updateItem",
                            {"TableName.$": "$.TableName", "Key.$": "$.Key", "UpdateExpression.$": "$.UpdateExpression",
                             "ExpressionAttributeValues.$": "$.ExpressionAttributeValues", "ReturnValues": "UPDATED_NEW"},
                            ResultPath="$.updateItemOutput")),
        ("GetItem", task("arn:aws:states:::dynamodb:getItem",
                         {"TableName.$": "$.TableName", "Key.$": "$.Key"}, ResultPath="$.getItemOutput")),
    )
    execution = sm.run({
        "TableName": TABLE, "Item": {"data": {"S": "HelloWorld"}, "id": {"S": "id1"}},
        "Key": {"id": {"S": "id1"}}, "UpdateExpression": "set S=:r",
        "ExpressionAttributeValues": {":r": {"S": "HelloWorldUpdated"}}})
    assert execution.status == "SUCCEEDED", execution.cause
    output = execution.output
    assert set(output["putItemOutput"]) == {"SdkHttpMetadata", "SdkResponseMetadata"}
    assert output["putItemOutput"]["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert output["putItemOutput"]["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"] == "application/x-amz-json-1.0"
    assert output["updateItemOutput"]["Attributes"] == {"S": {"S": "HelloWorldUpdated"}}
    assert output["getItemOutput"]["Item"] == {
        "S": {"S": "HelloWorldUpdated"}, "data": {"S": "HelloWorld"}, "id": {"S": "id1"}}
    scheduled = [e["taskScheduledEventDetails"] for e in execution.history if e["type"] == "TaskScheduled"]
    assert [(d["resourceType"], d["resource"]) for d in scheduled] == [
        ("dynamodb", "putItem"), ("dynamodb", "updateItem"), ("dynamodb", "getItem")]
    assert json.loads(scheduled[1]["parameters"])["ReturnValues"] == "UPDATED_NEW"


def test_sdk_integration_returns_the_bare_response_and_queries(table):
    sm = machine(
        ("Put", task("arn:aws:states:::aws-sdk:dynamodb:batchWriteItem", {"RequestItems": {TABLE: [
            {"PutRequest": {"Item": {"id": {"S": "a"}, "n": {"N": "1"}}}},
            {"PutRequest": {"Item": {"id": {"S": "b"}, "n": {"N": "2"}}}}]}}, ResultPath="$.written")),
        ("Query", task("arn:aws:states:::aws-sdk:dynamodb:query", {
            "TableName": TABLE, "KeyConditionExpression": "id = :id",
            "ExpressionAttributeValues": {":id": {"S": "b"}}}, ResultPath="$.found")),
        ("Scan", task("arn:aws:states:::aws-sdk:dynamodb:scan", {"TableName": TABLE, "Select": "COUNT"},
                      ResultSelector={"count.$": "$.Count"}, ResultPath="$.scan")),
    )
    execution = sm.run({})
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output == {
        "written": {"UnprocessedItems": {}},
        "found": {"Items": [{"id": {"S": "b"}, "n": {"N": "2"}}], "Count": 1, "ScannedCount": 1},
        "scan": {"count": 2},
    }
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == ("aws-sdk:dynamodb", "batchWriteItem")


def test_missing_table_fails_with_the_recorded_error_and_cause(stepflow_home):
    sm = machine(("Put", task("arn:aws:states:::dynamodb:putItem",
                              {"TableName": "nope", "Item": {"id": {"S": "1"}}})))
    execution = sm.run({})
    assert execution.error == "DynamoDB.ResourceNotFoundException"
    assert execution.cause.startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400; "
        "Error Code: ResourceNotFoundException; Request ID: ")
    assert execution.cause.endswith("; Proxy: null)")
    failed = next(e for e in execution.history if e["type"] == "TaskFailed")["taskFailedEventDetails"]
    assert (failed["resourceType"], failed["resource"]) == ("dynamodb", "putItem")


def test_validation_errors_take_the_sdks_generic_names(table):
    optimized = machine(("Put", task("arn:aws:states:::dynamodb:putItem", {"TableName": TABLE})))
    execution = optimized.run({})
    assert execution.error == "DynamoDB.AmazonDynamoDBException"
    assert "Error Code: ValidationException" in execution.cause
    sdk = machine(("Put", task("arn:aws:states:::aws-sdk:dynamodb:putItem", {"TableName": "nope", "Item": {}})))
    execution = sdk.run({})
    assert execution.error == "DynamoDb.ResourceNotFoundException"
    assert execution.cause.startswith("Requested resource not found (Service: DynamoDb, Status Code: 400, Request ID: ")


def test_conditional_put_is_caught_and_retried_by_name(table):
    table.call("PutItem", {"TableName": TABLE, "Item": {"id": {"S": "taken"}}})
    sm = machine(
        ("Claim", task("arn:aws:states:::dynamodb:putItem",
                       {"TableName": TABLE, "Item": {"id": {"S.$": "$.id"}},
                        "ConditionExpression": "attribute_not_exists(id)"},
                       Retry=[{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "MaxAttempts": 2,
                               "IntervalSeconds": 1}],
                       Catch=[{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": "$.error",
                               "Next": "Taken"}])),
        ("Done", {"Type": "Pass"}),
        extra={"Taken": {"Type": "Pass", "End": True}},
    )
    execution = sm.run({"id": "taken"})
    assert execution.status == "SUCCEEDED"
    assert execution.output["error"]["Error"] == "DynamoDB.ConditionalCheckFailedException"
    assert execution.output["error"]["Cause"].startswith("The conditional request failed (Service: AmazonDynamoDBv2")
    attempts = [e for e in execution.history if e["type"] == "TaskFailed"]
    assert len(attempts) == 3  # the first try and two retries
    assert sm.run({"id": "free"}).status == "SUCCEEDED"
    assert table.call("GetItem", {"TableName": TABLE, "Key": {"id": {"S": "free"}}})["Item"] == {"id": {"S": "free"}}


def test_jsonata_arguments_and_output(table):
    sm = StateMachine({"QueryLanguage": "JSONata", "StartAt": "Put", "States": {
        "Put": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem",
                "Arguments": {"TableName": TABLE, "Key": {"id": {"S": "{% $states.input.id %}"}},
                              "UpdateExpression": "ADD visits :one",
                              "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "ALL_NEW"},
                "Output": "{% $number($states.result.Attributes.visits.N) %}", "End": True}}})
    assert sm.run({"id": "x"}).output == 1
    assert sm.run({"id": "x"}).output == 2


def test_mock_config_answers_instead_of_the_table(stepflow_home):
    sm = machine(("Get", task("arn:aws:states:::dynamodb:getItem", {"TableName": "nope", "Key": {"id": {"S": "1"}}})))
    config = MockConfig.load({
        "StateMachines": {"StateMachine": {"TestCases": {"Found": {"Get": "Item"}}}},
        "MockedResponses": {"Item": {"0": {"Return": {"Item": {"id": {"S": "1"}}}}}},
    })
    execution = run_test_case(sm, "Found", mock_config=config)
    assert execution.output == {"Item": {"id": {"S": "1"}}}
    scheduled = next(e for e in execution.history if e["type"] == "TaskScheduled")["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "dynamodb"
