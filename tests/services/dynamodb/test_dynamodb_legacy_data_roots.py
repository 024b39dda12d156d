"""A data root written by an earlier stepflow (key schemas with typed items) opens with its tables."""
from __future__ import annotations

import json
import sqlite3

from stepflow.services.dynamodb import DynamoDB


def test_key_schema_tables_are_carried_over_once(tmp_path):
    old = sqlite3.connect(tmp_path / "dynamodb.sqlite3")
    old.executescript(
        "CREATE TABLE key_schemas (name TEXT PRIMARY KEY, hash_key TEXT, hash_type TEXT, range_key TEXT,"
        " range_type TEXT, indexes TEXT);"
        "CREATE TABLE table_items (table_name TEXT, hash_value TEXT, range_value TEXT, item TEXT);"
        "INSERT INTO key_schemas VALUES ('orders', 'pk', 'S', 'sk', 'N', '[]');"
    )
    for sk in ("10", "2"):
        item = {"pk": {"S": "a"}, "sk": {"N": sk}, "tags": {"SS": ["x"]}}
        old.execute("INSERT INTO table_items VALUES ('orders', 'a', ?, ?)", (sk, json.dumps(item)))
    old.commit()
    old.close()
    db = DynamoDB(tmp_path)
    found = db.call("Query", {"TableName": "orders", "KeyConditionExpression": "pk = :p",
                              "ExpressionAttributeValues": {":p": {"S": "a"}}})
    assert [item["sk"]["N"] for item in found["Items"]] == ["2", "10"]
    key_schema = db.call("DescribeTable", {"TableName": "orders"})["Table"]["KeySchema"]
    assert key_schema == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert DynamoDB(tmp_path).call("Scan", {"TableName": "orders"})["Count"] == 2  # read once, not twice
