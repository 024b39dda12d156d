"""A local DynamoDB: typed items, key schemas, secondary indexes and DynamoDB's expressions."""
from stepflow.services.dynamodb.errors import DynamoDBError
from stepflow.services.dynamodb.service import DynamoDB

__all__ = ["DynamoDB", "DynamoDBError"]
