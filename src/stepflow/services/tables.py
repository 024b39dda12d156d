"""Tables as the rest of stepflow sees them: key schemas, typed items and plain-JSON items, all on
the local DynamoDB (``services.dynamodb``), so every door (a definition's DynamoDB tasks, a
function's boto3 calls, the rider-photo functions, ``stepflow table``) reads and writes the same
tables.

The plain-JSON methods (``put_item``, ``get_item``, ``scan``) are for callers that think in plain
values; ``put``, ``get``, ``remove`` take DynamoDB's typed JSON.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepflow.asl.errors import StepflowError
from stepflow.services.dynamodb import DynamoDB, DynamoDBError
from stepflow.services.dynamodb import values as av


class ResourceNotFound(StepflowError):
    """The table does not exist (DynamoDB's ResourceNotFoundException)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"ResourceNotFoundException: the table {table!r} does not exist")
        self.table = table


class ValidationError(StepflowError):
    """An item or key that does not fit the table's key schema (DynamoDB's ValidationException)."""


@dataclass(frozen=True)
class KeySchema:
    """A table's keys: names and types (S, N or B), and its secondary indexes as declared."""

    hash_key: str
    hash_type: str = "S"
    range_key: str | None = None
    range_type: str | None = None
    indexes: list[dict[str, Any]] = field(default_factory=list)

    def key_names(self) -> list[str]:
        return [name for name in (self.hash_key, self.range_key) if name]

    def create_request(self, table: str) -> dict[str, Any]:
        """CreateTable's request for these keys (an index key declared without a type is a string)."""
        key_schema = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        types = {self.hash_key: self.hash_type}
        if self.range_key:
            key_schema.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
            types[self.range_key] = self.range_type or "S"
        request: dict[str, Any] = {"TableName": table, "KeySchema": key_schema, "BillingMode": "PAY_PER_REQUEST"}
        if self.indexes:
            request["GlobalSecondaryIndexes"] = self.indexes
            for index in self.indexes:
                for key in index.get("KeySchema", []):
                    types.setdefault(key["AttributeName"], "S")
        request["AttributeDefinitions"] = [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]
        return request


class Tables:
    """The tables stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.dynamodb = DynamoDB(root)
        self.path = self.dynamodb.path

    def _call(self, table: str, action: str, request: dict[str, Any]) -> dict[str, Any]:
        try:
            return self.dynamodb.call(action, {"TableName": table, **request})
        except DynamoDBError as error:
            if error.code == "ResourceNotFoundException":
                raise ResourceNotFound(table) from None
            raise ValidationError(error.message) from None

    def create(self, table: str, hash_key: str | KeySchema) -> bool:
        """Create the table; return False when it already existed with these keys (idempotent)."""
        schema = hash_key if isinstance(hash_key, KeySchema) else KeySchema(hash_key)
        if self.exists(table):
            existing = self.schema(table)
            if existing.key_names() != schema.key_names():
                raise ValidationError(
                    f"table {table!r} exists with key {existing.key_names()}, not {schema.key_names()}"
                )
            return False
        self.dynamodb.call("CreateTable", schema.create_request(table))
        return True

    def schema(self, table: str) -> KeySchema:
        described = self._call(table, "DescribeTable", {})["Table"]
        types = {d["AttributeName"]: d["AttributeType"] for d in described["AttributeDefinitions"]}
        roles = {k["KeyType"]: k["AttributeName"] for k in described["KeySchema"]}
        range_key = roles.get("RANGE")
        return KeySchema(roles["HASH"], types[roles["HASH"]], range_key, types.get(range_key) if range_key else None,
                         described.get("GlobalSecondaryIndexes", []))

    def exists(self, table: str) -> bool:
        return table in self.names()

    def names(self) -> list[str]:
        """Every table, sorted."""
        return self.dynamodb.call("ListTables", {"Limit": 10**6})["TableNames"]

    def count(self, table: str) -> int:
        return self._call(table, "DescribeTable", {})["Table"]["ItemCount"]

    def delete(self, table: str) -> None:
        """Delete the table and all its items."""
        self._call(table, "DeleteTable", {})

    # --- typed items (DynamoDB JSON) ---------------------------------------------------------------

    def put(self, table: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """Write the whole typed item, replacing any with the same key; return the old one."""
        return self._call(table, "PutItem", {"Item": item, "ReturnValues": "ALL_OLD"}).get("Attributes")

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """The typed item with this typed key, or None."""
        return self._call(table, "GetItem", {"Key": key}).get("Item")

    def remove(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """Delete the item with this typed key; return it (None when there was none)."""
        return self._call(table, "DeleteItem", {"Key": key, "ReturnValues": "ALL_OLD"}).get("Attributes")

    # --- plain JSON items -------------------------------------------------------------------------

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        """Write a plain-JSON item, replacing any item with the same key."""
        self.put(table, {name: av.from_plain(value) for name, value in item.items()})

    def get_item(self, table: str, key: str) -> dict[str, Any] | None:
        """The plain item whose hash key (of a table without range key) is ``key``, or None."""
        schema = self.schema(table)
        found = self.get(table, {schema.hash_key: {schema.hash_type: key}})
        return None if found is None else _plain(found)

    def scan(self, table: str) -> list[dict[str, Any]]:
        """Every item as plain JSON, ordered by key."""
        return [_plain(item) for item in self._call(table, "Scan", {})["Items"]]


def _plain(item: av.Item) -> dict[str, Any]:
    return {name: av.to_plain(value) for name, value in item.items()}
