"""DynamoDB tasks on the local DynamoDB of the data root (``services/dynamodb``).

- ``arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`` (optimized): the request as
  the API takes it, DynamoDB's response plus SdkHttpMetadata, errors named ``DynamoDB.*``;
- ``arn:aws:states:::aws-sdk:dynamodb:ACTION`` for every action the local DynamoDB emulates
  (query, scan, batchWriteItem, transactWriteItems, ...): the bare response, errors ``DynamoDb.*``.
Shapes: LocalStack's AWS-validated recordings, tests/aws/services/stepfunctions/v2/services/
test_dynamodb_task_service.snapshot.json and test_aws_sdk_task_service.snapshot.json.
"""
from __future__ import annotations

from typing import Any

from stepflow.integrations.aws_service import ServiceNames, parameters_of, service_error, with_http_metadata
from stepflow.integrations.base import Integration, TaskCall, task_names
from stepflow.services.dynamodb import DynamoDB, DynamoDBError

OPTIMIZED = tuple(f"arn:aws:states:::dynamodb:{api}" for api in ("getItem", "putItem", "updateItem", "deleteItem"))
SDK = "arn:aws:states:::aws-sdk:dynamodb:*"

NAMES = ServiceNames(
    "DynamoDB", "AmazonDynamoDBv2", "AmazonDynamoDBException",
    "DynamoDb", "DynamoDb", "DynamoDbException",
    modeled=frozenset({
        "ConditionalCheckFailedException", "ResourceNotFoundException", "ResourceInUseException",
        "TransactionCanceledException", "TransactionConflictException",
        "ProvisionedThroughputExceededException", "ItemCollectionSizeLimitExceededException",
        "RequestLimitExceeded", "LimitExceededException", "InternalServerErrorException",
    }),
)


class DynamoDBTask(Integration):
    """One DynamoDB API, optimized or through the SDK integration."""

    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        service, self.action = task_names(resource)
        self.sdk = service.startswith("aws-sdk:")

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        try:
            response = DynamoDB(call.resources.data_root).call(self.action, request)
        except DynamoDBError as error:
            raise service_error(NAMES, error.code, error.message, sdk=self.sdk) from None
        if self.sdk:
            return response
        return with_http_metadata(response, call.clock.now(), "application/x-amz-json-1.0")

