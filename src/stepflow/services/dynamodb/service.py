"""A local DynamoDB: tables and typed items in one SQLite file of the data root.

``DynamoDB(root).call("PutItem", request)`` takes DynamoDB's JSON request and returns its JSON
response, for every operation emulated (``OPERATIONS``), so the same object answers a Step
Functions Task, a CLI command or a botocore hook. Each write is one SQLite transaction taken with
the write lock (``BEGIN IMMEDIATE``), so a condition check and the write it guards are atomic and
a crash never leaves half an item. Failures are ``DynamoDBError`` with DynamoDB's code and message.
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stepflow.services.dynamodb import legacy
from stepflow.services.dynamodb import values as av
from stepflow.services.dynamodb.errors import (
    DynamoDBError,
    condition_failed,
    not_found,
    validation,
)
from stepflow.services.dynamodb.expressions import Expressions, project
from stepflow.services.dynamodb.tables import Index, KeySchema, Table
from stepflow.services.sqlite import transaction

FILE_NAME = "dynamodb.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS ddb_tables (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ddb_items (
    table_name TEXT NOT NULL REFERENCES ddb_tables(name) ON DELETE CASCADE,
    hash_key TEXT NOT NULL,
    range_key TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, hash_key, range_key)
);
"""
_LEGACY = ("Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter",
           "AttributesToGet")
_BATCH_WRITE_LIMIT = 25
_TRANSACTION_LIMIT = 100


def operation_name(action: str) -> str:
    """``putItem``, ``PutItem`` and ``put_item`` all name PutItem."""
    return "".join(part[:1].upper() + part[1:] for part in action.split("_"))


class DynamoDB:
    """The tables stored under one data root."""

    OPERATIONS = (
        "CreateTable", "DeleteTable", "DescribeTable", "ListTables", "PutItem", "GetItem",
        "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem", "BatchGetItem",
        "TransactWriteItems", "TransactGetItems",
    )

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    def call(self, action: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run one operation by its API name (``PutItem`` or ``putItem``)."""
        name = operation_name(action)
        if name not in self.OPERATIONS:
            raise DynamoDBError(
                "UnknownOperationException", f"stepflow's local DynamoDB does not emulate {name}"
            )
        if not isinstance(request, dict):
            raise validation(f"the {name} request must be a JSON object")
        legacy = [field for field in _LEGACY if field in request]
        if legacy:
            raise validation(
                f"{name}: the legacy parameter {legacy[0]} is not emulated; use the expression "
                "parameters (ConditionExpression, UpdateExpression, KeyConditionExpression, "
                "FilterExpression, ProjectionExpression)"
            )
        method = getattr(self, re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower())
        return method(request)

    # -- storage --------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with transaction(self.path, _SCHEMA, write) as connection:
            legacy.migrate(connection)
            yield connection

    @staticmethod
    def _table(connection: sqlite3.Connection, name: Any) -> Table:
        if not isinstance(name, str):
            raise validation(
                "1 validation error detected: Value null at 'tableName' failed to satisfy "
                "constraint: Member must not be null"
            )
        row = connection.execute(
            "SELECT definition FROM ddb_tables WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            raise not_found()
        stored = json.loads(row[0])
        return Table.from_request(stored["request"], stored["created"])

    @staticmethod
    def _row_key(table: Table, key: av.Item) -> tuple[str, str, str]:
        range_text = av.key_text(key[table.keys.range_name]) if table.keys.range_name else ""
        return table.name, av.key_text(key[table.keys.hash_name]), range_text

    def _load(self, connection: sqlite3.Connection, table: Table, key: av.Item) -> av.Item | None:
        row = connection.execute(
            "SELECT item FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?",
            self._row_key(table, key),
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def _store(self, connection: sqlite3.Connection, table: Table, item: av.Item) -> None:
        if av.item_size(item) > av.MAX_ITEM_BYTES:
            raise validation("Item size has exceeded the maximum allowed size")
        connection.execute(
            "INSERT OR REPLACE INTO ddb_items VALUES (?, ?, ?, ?)",
            (*self._row_key(table, table.keys.key_of(item)), json.dumps(item, sort_keys=True)),
        )

    def _remove(self, connection: sqlite3.Connection, table: Table, key: av.Item) -> None:
        connection.execute(
            "DELETE FROM ddb_items WHERE table_name = ? AND hash_key = ? AND range_key = ?",
            self._row_key(table, key),
        )

    def _items(self, connection: sqlite3.Connection, table: Table) -> Iterator[av.Item]:
        rows = connection.execute(
            "SELECT item FROM ddb_items WHERE table_name = ? ORDER BY hash_key, range_key",
            (table.name,),
        )
        for (text,) in rows:
            yield json.loads(text)

    # -- tables ---------------------------------------------------------------------------------

    def create_table(self, request: dict[str, Any]) -> dict[str, Any]:
        table = Table.from_request(request)
        with self._transaction(write=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM ddb_tables WHERE name = ?", (table.name,)
            ).fetchone()
            if exists:
                raise DynamoDBError("ResourceInUseException", f"Table already exists: {table.name}")
            connection.execute(
                "INSERT INTO ddb_tables VALUES (?, ?)",
                (table.name, json.dumps({"request": request, "created": table.created})),
            )
        return {"TableDescription": table.description(0, 0)}

    def describe_table(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._transaction() as connection:
            table = self._table(connection, request.get("TableName"))
            count, size = connection.execute(
                "SELECT COUNT(*), COALESCE(SUM(LENGTH(item)), 0) FROM ddb_items "
                "WHERE table_name = ?",
                (table.name,),
            ).fetchone()
        return {"Table": table.description(count, size)}

    def delete_table(self, request: dict[str, Any]) -> dict[str, Any]:
        description = self.describe_table(request)["Table"]
        with self._transaction(write=True) as connection:
            self._table(connection, request.get("TableName"))
            connection.execute("DELETE FROM ddb_tables WHERE name = ?", (request["TableName"],))
        return {"TableDescription": {**description, "TableStatus": "DELETING"}}

    def list_tables(self, request: dict[str, Any]) -> dict[str, Any]:
        if not self.path.exists():
            return {"TableNames": []}
        with self._transaction() as connection:
            names = [row[0] for row in connection.execute("SELECT name FROM ddb_tables")]
        names.sort()
        start = request.get("ExclusiveStartTableName")
        if start is not None:
            names = [name for name in names if name > start]
        limit = request.get("Limit", 100)
        response: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            response["LastEvaluatedTableName"] = names[limit - 1]
        return response

    # -- single items ---------------------------------------------------------------------------

    def put_item(self, request: dict[str, Any]) -> dict[str, Any]:
        returns = _return_values(request, ("NONE", "ALL_OLD"))
        item = av.canonical_item(request.get("Item"))
        expressions = Expressions(request)
        condition = _optional_condition(expressions, request)
        expressions.check_all_used()
        with self._transaction(write=True) as connection:
            table = self._table(connection, request.get("TableName"))
            table.keys.check_item(item)
            old = self._load(connection, table, table.keys.key_of(item))
            self._check_condition(expressions, condition, old, request)
            self._store(connection, table, item)
        return {"Attributes": old} if returns == "ALL_OLD" and old else {}

    def get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        expressions = Expressions(request)
        projection = _optional_projection(expressions, request)
        expressions.check_all_used()
        with self._transaction() as connection:
            table = self._table(connection, request.get("TableName"))
            item = self._load(connection, table, table.keys.check_key(request.get("Key")))
        if item is None:
            return {}
        return {"Item": project(item, projection) if projection else item}

    def delete_item(self, request: dict[str, Any]) -> dict[str, Any]:
        returns = _return_values(request, ("NONE", "ALL_OLD"))
        expressions = Expressions(request)
        condition = _optional_condition(expressions, request)
        expressions.check_all_used()
        with self._transaction(write=True) as connection:
            table, key, old = self._guarded(connection, request, expressions, condition)
            self._remove(connection, table, key)
        return {"Attributes": old} if returns == "ALL_OLD" and old else {}

    def update_item(self, request: dict[str, Any]) -> dict[str, Any]:
        returns = _return_values(
            request, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
        )
        expressions = Expressions(request)
        clauses = (
            expressions.update(request["UpdateExpression"])
            if request.get("UpdateExpression") is not None
            else ()
        )
        condition = _optional_condition(expressions, request)
        expressions.check_all_used()
        with self._transaction(write=True) as connection:
            table, key, old = self._guarded(connection, request, expressions, condition)
            new, touched = expressions.apply_update(clauses, old or dict(key), table.keys.names)
            self._store(connection, table, new)
        return _update_answer(returns, old or {}, new, touched)

    def _guarded(
        self, connection: sqlite3.Connection, request: dict[str, Any], expressions: Expressions, condition: Any
    ) -> tuple[Table, av.Item, av.Item | None]:
        """The table, the request's Key and the item stored there, once the condition holds."""
        table = self._table(connection, request.get("TableName"))
        key = table.keys.check_key(request.get("Key"))
        old = self._load(connection, table, key)
        self._check_condition(expressions, condition, old, request)
        return table, key, old

    @staticmethod
    def _check_condition(
        expressions: Expressions, condition: Any, old: av.Item | None, request: dict[str, Any]
    ) -> None:
        if not expressions.holds(condition, old):
            wants_item = request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
            raise condition_failed(old if wants_item and old else None)

    # -- reading many ---------------------------------------------------------------------------

    def query(self, request: dict[str, Any]) -> dict[str, Any]:
        expressions = Expressions(request)
        if request.get("KeyConditionExpression") is None:
            raise validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in "
                "the request."
            )
        key_condition = expressions.condition(
            request["KeyConditionExpression"], "KeyConditionExpression"
        )
        filter_ = _optional_condition(expressions, request, "FilterExpression")
        projection = _optional_projection(expressions, request)
        expressions.check_all_used()
        table, keys, index, items = self._indexed_items(request)
        _check_key_condition(key_condition, keys, expressions)
        candidates = [item for item in items if expressions.holds(key_condition, item)]
        candidates.sort(key=lambda item: _order(item, keys, table.keys))
        if request.get("ScanIndexForward", True) is False:
            candidates.reverse()
        return _page(request, table, keys, index, candidates, expressions, filter_, projection)

    def scan(self, request: dict[str, Any]) -> dict[str, Any]:
        expressions = Expressions(request)
        filter_ = _optional_condition(expressions, request, "FilterExpression")
        projection = _optional_projection(expressions, request)
        expressions.check_all_used()
        table, keys, index, candidates = self._indexed_items(request)
        if index is not None:
            candidates.sort(key=lambda item: _order(item, keys, table.keys))
        return _page(request, table, keys, index, candidates, expressions, filter_, projection)

    def _indexed_items(self, request: dict[str, Any]) -> tuple[Table, KeySchema, Index | None, list[av.Item]]:
        """The table, the key schema read (the table's or IndexName's) and the items it holds
        (an index holds only the items that have its key attributes)."""
        with self._transaction() as connection:
            table = self._table(connection, request.get("TableName"))
            keys, index = table.index(request.get("IndexName"))
            items = [item for item in self._items(connection, table) if all(name in item for name in keys.names)]
        return table, keys, index, items

    def batch_get_item(self, request: dict[str, Any]) -> dict[str, Any]:
        responses: dict[str, list[av.Item]] = {}
        with self._transaction() as connection:
            for name, spec in (request.get("RequestItems") or {}).items():
                table = self._table(connection, name)
                expressions = Expressions(spec)
                projection = _optional_projection(expressions, spec)
                expressions.check_all_used()
                found = responses.setdefault(name, [])
                for key in spec.get("Keys") or []:
                    item = self._load(connection, table, table.keys.check_key(key))
                    if item is not None:
                        found.append(project(item, projection) if projection else item)
        return {"Responses": responses, "UnprocessedKeys": {}}

    # -- writing many ---------------------------------------------------------------------------

    def batch_write_item(self, request: dict[str, Any]) -> dict[str, Any]:
        requests = request.get("RequestItems")
        if not isinstance(requests, dict) or not requests:
            raise validation(
                "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                "constraint: Member must not be null"
            )
        count = sum(len(entries) for entries in requests.values())
        if count > _BATCH_WRITE_LIMIT:
            raise validation(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                "constraint: Map value must satisfy constraint: [Member must have length less "
                "than or equal to 25, Member must have length greater than or equal to 1]"
            )
        with self._transaction(write=True) as connection:
            seen: set[tuple[str, str, str]] = set()
            writes = []
            for name, entries in requests.items():
                table = self._table(connection, name)
                for entry in entries:
                    if "PutRequest" in entry:
                        item = av.canonical_item(entry["PutRequest"].get("Item"))
                        table.keys.check_item(item)
                        key = table.keys.key_of(item)
                    else:
                        item = None
                        key = table.keys.check_key((entry.get("DeleteRequest") or {}).get("Key"))
                    row = self._row_key(table, key)
                    if row in seen:
                        raise validation("Provided list of item keys contains duplicates")
                    seen.add(row)
                    writes.append((table, key, item))
            for table, key, item in writes:
                if item is None:
                    self._remove(connection, table, key)
                else:
                    self._store(connection, table, item)
        return {"UnprocessedItems": {}}

    def transact_write_items(self, request: dict[str, Any]) -> dict[str, Any]:
        entries = request.get("TransactItems")
        if not isinstance(entries, list) or not 1 <= len(entries) <= _TRANSACTION_LIMIT:
            raise validation(
                "1 validation error detected: Value at 'transactItems' failed to satisfy "
                "constraint: Member must have length less than or equal to 100, Member must have "
                "length greater than or equal to 1"
            )
        with self._transaction(write=True) as connection:
            planned: list[tuple[Table, av.Item, av.Item | None]] = []
            reasons: list[dict[str, Any]] = []
            seen: set[tuple[str, str, str]] = set()
            for entry in entries:
                (kind, spec), = entry.items()
                table, key, after, reason = self._transact_one(connection, kind, spec)
                row = self._row_key(table, key)
                if row in seen:
                    raise validation(
                        "Transaction request cannot include multiple operations on one item"
                    )
                seen.add(row)
                reasons.append(reason or {"Code": "None"})
                if kind != "ConditionCheck":
                    planned.append((table, key, after))
            if any(reason["Code"] != "None" for reason in reasons):
                codes = ", ".join(reason["Code"] for reason in reasons)
                raise DynamoDBError(
                    "TransactionCanceledException",
                    f"Transaction cancelled, please refer cancellation reasons for specific "
                    f"reasons [{codes}]",
                    CancellationReasons=reasons,
                )
            for table, key, after in planned:
                if after is None:
                    self._remove(connection, table, key)
                else:
                    self._store(connection, table, after)
        return {}

    def _transact_one(
        self, connection: sqlite3.Connection, kind: str, spec: dict[str, Any]
    ) -> tuple[Table, av.Item, av.Item | None, dict[str, Any] | None]:
        """One TransactItems entry: its key, the item after it, and why it fails (or None)."""
        if kind not in ("ConditionCheck", "Put", "Delete", "Update"):
            raise validation(f"TransactItems: unknown operation {kind}")
        table = self._table(connection, spec.get("TableName"))
        expressions = Expressions(spec)
        clauses = expressions.update(spec["UpdateExpression"]) if kind == "Update" else ()
        condition = _optional_condition(expressions, spec)
        if kind == "ConditionCheck" and condition is None:
            raise validation("The ConditionExpression parameter is required for ConditionCheck")
        expressions.check_all_used()
        if kind == "Put":
            item = av.canonical_item(spec.get("Item"))
            table.keys.check_item(item)
            key = table.keys.key_of(item)
        else:
            key = table.keys.check_key(spec.get("Key"))
        old = self._load(connection, table, key)
        if not expressions.holds(condition, old):
            reason = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
            if spec.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old:
                reason["Item"] = old
            return table, key, None, reason
        if kind == "Put":
            return table, key, item, None
        if kind == "Update":
            new, _ = expressions.apply_update(clauses, old or dict(key), table.keys.names)
            return table, key, new, None
        return table, key, None, None  # Delete; a ConditionCheck writes nothing

    def transact_get_items(self, request: dict[str, Any]) -> dict[str, Any]:
        responses = []
        with self._transaction() as connection:
            for entry in request.get("TransactItems") or []:
                spec = entry.get("Get") or {}
                table = self._table(connection, spec.get("TableName"))
                expressions = Expressions(spec)
                projection = _optional_projection(expressions, spec)
                expressions.check_all_used()
                item = self._load(connection, table, table.keys.check_key(spec.get("Key")))
                if item is None:
                    responses.append({})
                else:
                    responses.append({"Item": project(item, projection) if projection else item})
        return {"Responses": responses}


def _return_values(request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    returns = request.get("ReturnValues", "NONE")
    if returns not in allowed:
        raise validation(
            "ReturnValues can only be ALL_OLD or NONE"
            if len(allowed) == 2
            else f"1 validation error detected: Value '{returns}' at 'returnValues' failed to "
            "satisfy constraint: Member must satisfy enum value set: "
            "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
        )
    return returns


def _optional_condition(
    expressions: Expressions, request: dict[str, Any], field: str = "ConditionExpression"
) -> Any:
    text = request.get(field)
    return None if text is None else expressions.condition(text, field)


def _optional_projection(expressions: Expressions, request: dict[str, Any]) -> Any:
    text = request.get("ProjectionExpression")
    return None if text is None else expressions.projection(text)


def _update_answer(returns: str, old: av.Item, new: av.Item, touched: set[str]) -> dict[str, Any]:
    chosen = {
        "NONE": None,
        "ALL_OLD": old,
        "ALL_NEW": new,
        "UPDATED_OLD": {name: old[name] for name in touched if name in old},
        "UPDATED_NEW": {name: new[name] for name in touched if name in new},
    }[returns]
    return {"Attributes": chosen} if chosen else {}


def _check_key_condition(tree: Any, keys: KeySchema, expressions: Expressions) -> None:
    """A key condition is ``hash = :v`` optionally AND one condition on the sort key."""
    parts = [tree[1], tree[2]] if tree[0] == "and" else [tree]
    named: dict[str, Any] = {}
    for part in parts:
        if part[0] == "compare":
            subject = part[2]
        elif part[0] == "between":
            subject = part[1]
        elif part[0] == "call" and part[1] == "begins_with":
            subject = part[2][0]
        else:
            raise validation("Query key condition not supported")
        if subject[0] != "path" or len(subject[1]) != 1:
            raise validation("Query key condition not supported")
        named[expressions.path(subject)[0]] = part
    hash_part = named.pop(keys.hash_name, None)
    if hash_part is None or hash_part[0] != "compare" or hash_part[1] != "=":
        raise validation(f"Query condition missed key schema element: {keys.hash_name}")
    if set(named) - {keys.range_name}:
        raise validation(
            f"Query condition missed key schema element: {keys.range_name or keys.hash_name}"
        )
    for part in named.values():
        if part[0] == "compare" and part[1] == "<>":
            raise validation("Unsupported operator in KeyConditionExpression: <>")


def _order(item: av.Item, keys: KeySchema, table_keys: KeySchema) -> tuple[Any, ...]:
    """Query order: by the (index) sort key, then the table's key for a stable order."""
    sort = av.sort_key(item[keys.range_name]) if keys.range_name else b""
    return (sort, av.key_text(item[table_keys.hash_name]),
            av.key_text(item[table_keys.range_name]) if table_keys.range_name else "")


def _page(
    request: dict[str, Any],
    table: Table,
    keys: KeySchema,
    index: Index | None,
    candidates: list[av.Item],
    expressions: Expressions,
    filter_: Any,
    projection: Any,
) -> dict[str, Any]:
    """Limit, ExclusiveStartKey, FilterExpression, projection and Select for Query and Scan."""
    start = request.get("ExclusiveStartKey")
    if start is not None:
        start = av.canonical_item(start)
        wanted = {name: start.get(name) for name in set(table.keys.names) | set(keys.names)}
        position = next(
            (
                i
                for i, item in enumerate(candidates)
                if all(av.equal(item.get(n), v) for n, v in wanted.items())
            ),
            None,
        )
        if position is None:
            raise validation("The provided starting key is invalid")
        candidates = candidates[position + 1 :]
    limit = request.get("Limit")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise validation(
            "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member "
            "must have value greater than or equal to 1"
        )
    scanned = candidates if limit is None else candidates[:limit]
    matched = [item for item in scanned if expressions.holds(filter_, item)]
    shown = [index.project(item, table.keys) if index else item for item in matched]
    if projection:
        shown = [project(item, projection) for item in shown]
    response: dict[str, Any] = {"Count": len(matched), "ScannedCount": len(scanned)}
    if request.get("Select") != "COUNT":
        response = {"Items": shown, **response}
    if limit is not None and len(scanned) == limit and scanned:
        last = scanned[-1]
        names = list(dict.fromkeys([*table.keys.names, *keys.names]))
        response["LastEvaluatedKey"] = {name: last[name] for name in names}
    return response

