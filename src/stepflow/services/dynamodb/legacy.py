"""Data roots written by earlier stepflow versions, carried over to the local DynamoDB once.

Two layouts came before: ``tables``/``items`` (string hash keys, plain JSON items) and
``key_schemas``/``table_items`` (key schemas, typed items). On first open each is copied, in the
opening transaction, into ``ddb_tables``/``ddb_items`` and dropped, so nothing is lost and
nothing is read twice.
"""
from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from stepflow.services.dynamodb import values as av


def migrate(connection: sqlite3.Connection) -> None:
    present = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if {"tables", "items"} <= present:
        for name, hash_key in connection.execute("SELECT name, hash_key FROM tables").fetchall():
            _table(connection, name, [(hash_key, "S", "HASH")], [])
        for table, item in connection.execute("SELECT table_name, item FROM items").fetchall():
            typed = {key: av.from_plain(value) for key, value in json.loads(item).items()}
            _item(connection, table, typed)
        connection.execute("DROP TABLE items")
        connection.execute("DROP TABLE tables")
    if {"key_schemas", "table_items"} <= present:
        for name, hash_key, hash_type, range_key, range_type, indexes in connection.execute(
            "SELECT name, hash_key, hash_type, range_key, range_type, indexes FROM key_schemas"
        ).fetchall():
            keys = [(hash_key, hash_type, "HASH")] + ([(range_key, range_type, "RANGE")] if range_key else [])
            _table(connection, name, keys, json.loads(indexes))
        for table, item in connection.execute("SELECT table_name, item FROM table_items").fetchall():
            _item(connection, table, json.loads(item))
        connection.execute("DROP TABLE table_items")
        connection.execute("DROP TABLE key_schemas")


def _table(connection: sqlite3.Connection, name: str, keys: list[tuple[str, str, str]],
           indexes: list[dict[str, Any]]) -> None:
    types = {key: kind for key, kind, _ in keys}
    for index in indexes:
        for key in index.get("KeySchema", []):
            types.setdefault(key["AttributeName"], "S")
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [{"AttributeName": key, "KeyType": role} for key, _, role in keys],
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": kind} for key, kind in types.items()],
    }
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    connection.execute("INSERT OR IGNORE INTO ddb_tables VALUES (?, ?)",
                       (name, json.dumps({"request": request, "created": time.time()})))


def _item(connection: sqlite3.Connection, table: str, item: av.Item) -> None:
    definition = json.loads(connection.execute("SELECT definition FROM ddb_tables WHERE name = ?",
                                               (table,)).fetchone()[0])["request"]
    roles = {k["KeyType"]: k["AttributeName"] for k in definition["KeySchema"]}
    range_text = av.key_text(item[roles["RANGE"]]) if "RANGE" in roles else ""
    connection.execute("INSERT OR IGNORE INTO ddb_items VALUES (?, ?, ?, ?)",
                       (table, av.key_text(item[roles["HASH"]]), range_text, json.dumps(item, sort_keys=True)))
