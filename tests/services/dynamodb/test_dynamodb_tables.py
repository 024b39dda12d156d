"""Composite keys, Query and Scan, batches, transactions and DynamoDB's validation errors.

Messages are DynamoDB's (API reference, "Common errors" and each operation's Errors section;
the TransactionCanceledException reasons list is in TransactWriteItems' reference).
"""
from __future__ import annotations

import pytest

from stepflow.services.dynamodb import DynamoDB, DynamoDBError

TABLE = "Music"


@pytest.fixture
def db(tmp_path):
    db = DynamoDB(tmp_path)
    db.call("CreateTable", {
        "TableName": TABLE,
        "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"},
                      {"AttributeName": "Year", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                                 {"AttributeName": "Year", "AttributeType": "N"},
                                 {"AttributeName": "Genre", "AttributeType": "S"}],
        "GlobalSecondaryIndexes": [{
            "IndexName": "ByGenre",
            "KeySchema": [{"AttributeName": "Genre", "KeyType": "HASH"},
                          {"AttributeName": "Year", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        "BillingMode": "PAY_PER_REQUEST",
    })
    for artist, year, genre in [("A", "1999", "Rock"), ("A", "10", "Jazz"), ("A", "2001.0", "Rock"),
                                ("B", "1999", "Rock"), ("C", "5", None)]:
        item = {"Artist": {"S": artist}, "Year": {"N": year}, "Title": {"S": f"{artist}{year}"}}
        if genre:
            item["Genre"] = {"S": genre}
        db.call("PutItem", {"TableName": TABLE, "Item": item})
    return db


def years(response):
    return [item["Year"]["N"] for item in response["Items"]]


def test_query_orders_by_the_numeric_sort_key_in_both_directions(db):
    request = {"TableName": TABLE, "KeyConditionExpression": "Artist = :a",
               "ExpressionAttributeValues": {":a": {"S": "A"}}}
    assert years(db.call("Query", request)) == ["10", "1999", "2001"]  # numbers canonical, by value
    assert years(db.call("Query", {**request, "ScanIndexForward": False})) == ["2001", "1999", "10"]


def test_query_sort_key_conditions_filter_and_projection(db):
    response = db.call("Query", {
        "TableName": TABLE,
        "KeyConditionExpression": "Artist = :a AND #y BETWEEN :lo AND :hi",
        "FilterExpression": "Genre = :g",
        "ProjectionExpression": "Title",
        "ExpressionAttributeNames": {"#y": "Year"},
        "ExpressionAttributeValues": {":a": {"S": "A"}, ":lo": {"N": "5"}, ":hi": {"N": "2000"},
                                      ":g": {"S": "Rock"}}})
    assert response == {"Items": [{"Title": {"S": "A1999"}}], "Count": 1, "ScannedCount": 2}


def test_query_pages_with_limit_and_exclusive_start_key(db):
    request = {"TableName": TABLE, "KeyConditionExpression": "Artist = :a", "Limit": 2,
               "ExpressionAttributeValues": {":a": {"S": "A"}}}
    first = db.call("Query", request)
    assert years(first) == ["10", "1999"]
    assert first["LastEvaluatedKey"] == {"Artist": {"S": "A"}, "Year": {"N": "1999"}}
    second = db.call("Query", {**request, "ExclusiveStartKey": first["LastEvaluatedKey"]})
    assert years(second) == ["2001"] and "LastEvaluatedKey" not in second


def test_query_on_a_global_index_keys_only(db):
    response = db.call("Query", {
        "TableName": TABLE, "IndexName": "ByGenre", "KeyConditionExpression": "Genre = :g",
        "ExpressionAttributeValues": {":g": {"S": "Rock"}}})
    assert response["Items"] == [
        {"Artist": {"S": "A"}, "Year": {"N": "1999"}, "Genre": {"S": "Rock"}},
        {"Artist": {"S": "B"}, "Year": {"N": "1999"}, "Genre": {"S": "Rock"}},
        {"Artist": {"S": "A"}, "Year": {"N": "2001"}, "Genre": {"S": "Rock"}},
    ]


def test_key_condition_must_name_the_partition_key(db):
    with pytest.raises(DynamoDBError, match="Query condition missed key schema element: Artist"):
        db.call("Query", {"TableName": TABLE, "KeyConditionExpression": "#y = :y",
                          "ExpressionAttributeNames": {"#y": "Year"},
                          "ExpressionAttributeValues": {":y": {"N": "1"}}})


def test_scan_with_filter_and_count(db):
    response = db.call("Scan", {"TableName": TABLE, "FilterExpression": "attribute_not_exists(Genre)",
                                "Select": "COUNT"})
    assert response == {"Count": 1, "ScannedCount": 5}


def test_batch_write_puts_and_deletes_in_one_step(db):
    assert db.call("BatchWriteItem", {"RequestItems": {TABLE: [
        {"PutRequest": {"Item": {"Artist": {"S": "D"}, "Year": {"N": "1"}}}},
        {"DeleteRequest": {"Key": {"Artist": {"S": "C"}, "Year": {"N": "5"}}}},
    ]}}) == {"UnprocessedItems": {}}
    artists = {item["Artist"]["S"] for item in db.call("Scan", {"TableName": TABLE})["Items"]}
    assert artists == {"A", "B", "D"}


def test_transaction_is_cancelled_whole_with_a_reason_per_item(db):
    with pytest.raises(DynamoDBError) as cancelled:
        db.call("TransactWriteItems", {"TransactItems": [
            {"Put": {"TableName": TABLE, "Item": {"Artist": {"S": "E"}, "Year": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": TABLE,
                                "Key": {"Artist": {"S": "B"}, "Year": {"N": "1999"}},
                                "ConditionExpression": "attribute_not_exists(Artist)"}},
        ]})
    assert cancelled.value.code == "TransactionCanceledException"
    assert cancelled.value.message == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed]")
    assert cancelled.value.details["CancellationReasons"][1]["Code"] == "ConditionalCheckFailed"
    assert db.call("GetItem", {"TableName": TABLE,
                               "Key": {"Artist": {"S": "E"}, "Year": {"N": "1"}}}) == {}


def test_transaction_applies_every_write(db):
    db.call("TransactWriteItems", {"TransactItems": [
        {"Update": {"TableName": TABLE, "Key": {"Artist": {"S": "B"}, "Year": {"N": "1999"}},
                    "UpdateExpression": "ADD Plays :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"Artist": {"S": "C"}, "Year": {"N": "5"}}}},
    ]})
    found = db.call("GetItem", {"TableName": TABLE, "Key": {"Artist": {"S": "B"}, "Year": {"N": "1999"}}})
    assert found["Item"]["Plays"] == {"N": "1"}
    assert db.call("Scan", {"TableName": TABLE})["Count"] == 4


@pytest.mark.parametrize("request_, message", [
    ({"Item": {"Artist": {"S": "A"}}}, "Missing the key Year in the item"),
    ({"Item": {"Artist": {"N": "1"}, "Year": {"N": "1"}}},
     "Type mismatch for key Artist expected: S actual: N"),
    ({"Item": {"Artist": {"S": ""}, "Year": {"N": "1"}}},
     "The AttributeValue for a key attribute cannot contain an empty string value. Key: Artist"),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "1"}}, "ConditionExpression": "a = :x",
      "ExpressionAttributeValues": {":y": {"S": "1"}}},
     "An expression attribute value used in expression is not defined; attribute value: :x"),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "1"}}, "ConditionExpression": "#a = :x",
      "ExpressionAttributeValues": {":x": {"S": "1"}}},
     "An expression attribute name used in the document path is not defined; attribute name: #a"),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "1"}},
      "ExpressionAttributeValues": {":x": {"S": "1"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "1"}}, "ConditionExpression": "a = = :x"},
     'Invalid ConditionExpression: Syntax error; token: "="'),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "1"}}, "ConditionExpression": "nope(a)"},
     "Invalid ConditionExpression: Invalid function name; function: nope"),
    ({"Item": {"Artist": {"S": "A"}, "Year": {"N": "x"}}},
     "A value provided cannot be converted into a number"),
])
def test_invalid_put_requests_are_validation_exceptions(db, request_, message):
    with pytest.raises(DynamoDBError) as failed:
        db.call("PutItem", {"TableName": TABLE, **request_})
    assert failed.value.code == "ValidationException"
    assert message in failed.value.message


def test_updating_a_key_attribute_is_refused(db):
    with pytest.raises(DynamoDBError, match="Cannot update attribute Year. This attribute is part of the key"):
        db.call("UpdateItem", {"TableName": TABLE, "Key": {"Artist": {"S": "A"}, "Year": {"N": "10"}},
                               "UpdateExpression": "SET #y = :y",
                               "ExpressionAttributeNames": {"#y": "Year"},
                               "ExpressionAttributeValues": {":y": {"N": "1"}}})


def test_unknown_table_and_wrong_key(db):
    with pytest.raises(DynamoDBError) as missing:
        db.call("GetItem", {"TableName": "Nope", "Key": {"Artist": {"S": "A"}}})
    assert (missing.value.code, missing.value.message) == (
        "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(DynamoDBError, match="The provided key element does not match the schema"):
        db.call("GetItem", {"TableName": TABLE, "Key": {"Artist": {"S": "A"}}})


def test_tables_and_items_survive_a_new_instance(db, tmp_path):
    again = DynamoDB(tmp_path)
    assert again.call("ListTables", {}) == {"TableNames": [TABLE]}
    assert again.call("DescribeTable", {"TableName": TABLE})["Table"]["ItemCount"] == 5
    with pytest.raises(DynamoDBError, match="ResourceInUseException"):
        again.call("CreateTable", {"TableName": TABLE, "KeySchema": [
            {"AttributeName": "Artist", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"}]})
