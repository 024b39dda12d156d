"""The DynamoDB operations over local tables: typed items, range keys, DynamoDB's error codes
(DynamoDB API Reference: PutItem, GetItem, UpdateItem, Query; "Error handling")."""
from __future__ import annotations

import pytest

from stepflow.services.dynamodb_api import ServiceError, call
from stepflow.services.tables import KeySchema, Tables


@pytest.fixture
def tables(tmp_path):
    store = Tables(tmp_path)
    store.create("orders", KeySchema("pk", "S", "sk", "N"))
    for sk in ("10", "2", "33"):
        call(store, "PutItem", {"TableName": "orders", "Item": {"pk": {"S": "a"}, "sk": {"N": sk}, "tags": {"SS": ["x"]}}})
    return store


def test_items_keep_their_types(tables):
    item = call(tables, "GetItem", {"TableName": "orders", "Key": {"pk": {"S": "a"}, "sk": {"N": "2.0"}}})["Item"]
    assert item == {"pk": {"S": "a"}, "sk": {"N": "2"}, "tags": {"SS": ["x"]}}


def test_query_orders_a_numeric_range_key_as_numbers_and_between_includes_both_ends(tables):
    found = call(tables, "Query", {
        "TableName": "orders", "KeyConditionExpression": "pk = :p AND #s BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#s": "sk"},
        "ExpressionAttributeValues": {":p": {"S": "a"}, ":lo": {"N": "2"}, ":hi": {"N": "10"}},
    })
    assert [item["sk"]["N"] for item in found["Items"]] == ["2", "10"] and found["Count"] == 2


def test_update_sets_and_removes_attributes(tables):
    key = {"pk": {"S": "a"}, "sk": {"N": "2"}}
    updated = call(tables, "UpdateItem", {
        "TableName": "orders", "Key": key, "UpdateExpression": "SET price = :p REMOVE tags",
        "ExpressionAttributeValues": {":p": {"N": "5"}}, "ReturnValues": "ALL_NEW",
    })
    assert updated["Attributes"] == {"pk": {"S": "a"}, "sk": {"N": "2"}, "price": {"N": "5"}}


def test_errors_carry_dynamodbs_codes(tables):
    with pytest.raises(ServiceError) as missing:
        call(tables, "GetItem", {"TableName": "nope", "Key": {"pk": {"S": "a"}}})
    assert (missing.value.code, missing.value.message) == ("ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(ServiceError) as wrong:
        call(tables, "PutItem", {"TableName": "orders", "Item": {"pk": {"S": "a"}, "sk": {"S": "x"}}})
    assert wrong.value.code == "ValidationException" and "Type mismatch for key sk expected: N actual: S" in wrong.value.message
    with pytest.raises(ServiceError, match="does not support ConditionExpression"):
        call(tables, "PutItem", {"TableName": "orders", "Item": {}, "ConditionExpression": "attribute_not_exists(pk)"})
