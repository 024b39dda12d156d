"""Local DynamoDB stand-in: tables with their key schema, typed items, in one SQLite file.

A table has a hash key and optionally a range key, each of type S, N or B, as its
``AttributeDefinitions`` say; items are kept as DynamoDB's typed JSON, so what a function writes
with boto3 reads back the same. The plain-JSON methods (``put_item``, ``get_item``, ``scan``) are
for callers that think in plain values (the rider-photo tasks, ``stepflow table``).

Each write is one SQLite transaction, so a crash never leaves half an item; ``put`` replaces a
whole item with the same key, as DynamoDB's PutItem does.
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stepflow.asl.errors import StepflowError
from stepflow.services.attribute_values import (
    AttributeValueError,
    item_to_plain,
    item_to_typed,
    key_text,
    to_plain,
)
from stepflow.services.sqlite import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS key_schemas (
    name TEXT PRIMARY KEY,
    hash_key TEXT NOT NULL,
    hash_type TEXT NOT NULL,
    range_key TEXT,
    range_type TEXT,
    indexes TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS table_items (
    table_name TEXT NOT NULL REFERENCES key_schemas(name) ON DELETE CASCADE,
    hash_value TEXT NOT NULL,
    range_value TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, hash_value, range_value)
);
"""


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

    def key_of(self, item: dict[str, Any], table: str) -> tuple[str, str]:
        """The (hash, range) texts of a typed item or key; ValidationError when one is missing."""
        texts = []
        for name, kind in ((self.hash_key, self.hash_type), (self.range_key, self.range_type)):
            if name is None:
                texts.append("")
                continue
            if name not in item:
                raise ValidationError(
                    "One or more parameter values were invalid: Missing the key "
                    f"{name} in the item (table {table!r})"
                )
            try:
                texts.append(key_text(item[name], kind or "S", name))
            except AttributeValueError as invalid:
                raise ValidationError(str(invalid)) from None
        return texts[0], texts[1]

    def key_names(self) -> list[str]:
        return [name for name in (self.hash_key, self.range_key) if name]


class Tables:
    """The tables stored under one data root (``<root>/dynamodb.sqlite3``)."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / "dynamodb.sqlite3"

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        with transaction(self.path, _SCHEMA, write) as connection:
            _migrate(connection)
            yield connection

    def _schema(self, connection: sqlite3.Connection, table: str) -> KeySchema:
        row = connection.execute(
            "SELECT hash_key, hash_type, range_key, range_type, indexes FROM key_schemas WHERE name = ?",
            (table,),
        ).fetchone()
        if row is None:
            raise ResourceNotFound(table)
        return KeySchema(row[0], row[1], row[2], row[3], json.loads(row[4]))

    def create(self, table: str, hash_key: str | KeySchema) -> bool:
        """Create the table; return False when it already existed with these keys (idempotent)."""
        schema = hash_key if isinstance(hash_key, KeySchema) else KeySchema(hash_key)
        with self._transaction(write=True) as connection:
            try:
                existing = self._schema(connection, table)
            except ResourceNotFound:
                connection.execute(
                    "INSERT INTO key_schemas VALUES (?, ?, ?, ?, ?, ?)",
                    (table, schema.hash_key, schema.hash_type, schema.range_key, schema.range_type,
                     json.dumps(schema.indexes)),
                )
                return True
            if existing.key_names() != schema.key_names():
                raise ValidationError(
                    f"table {table!r} exists with key {existing.key_names()}, not {schema.key_names()}"
                )
            return False

    def schema(self, table: str) -> KeySchema:
        with self._transaction() as connection:
            return self._schema(connection, table)

    def exists(self, table: str) -> bool:
        if not self.path.exists():
            return False
        with self._transaction() as connection:
            found = connection.execute("SELECT 1 FROM key_schemas WHERE name = ?", (table,)).fetchone()
            return found is not None

    def names(self) -> list[str]:
        """Every table, sorted."""
        if not self.path.exists():
            return []
        with self._transaction() as connection:
            rows = connection.execute("SELECT name FROM key_schemas ORDER BY name").fetchall()
        return [row[0] for row in rows]

    def count(self, table: str) -> int:
        with self._transaction() as connection:
            self._schema(connection, table)
            return connection.execute(
                "SELECT COUNT(*) FROM table_items WHERE table_name = ?", (table,)
            ).fetchone()[0]

    def delete(self, table: str) -> None:
        """Delete the table and all its items."""
        with self._transaction(write=True) as connection:
            self._schema(connection, table)
            connection.execute("DELETE FROM key_schemas WHERE name = ?", (table,))

    # --- typed items (DynamoDB JSON) ---------------------------------------------------------------

    def put(self, table: str, item: dict[str, Any]) -> dict[str, Any] | None:
        """Write the whole typed item, replacing any with the same key; return the old one."""
        with self._transaction(write=True) as connection:
            hash_value, range_value = self._schema(connection, table).key_of(item, table)
            old = self._get(connection, table, hash_value, range_value)
            connection.execute(
                "INSERT OR REPLACE INTO table_items VALUES (?, ?, ?, ?)",
                (table, hash_value, range_value, json.dumps(item, sort_keys=True)),
            )
            return old

    def get(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """The typed item with this typed key, or None."""
        with self._transaction() as connection:
            schema = self._schema(connection, table)
            _check_only_keys(schema, key)
            return self._get(connection, table, *schema.key_of(key, table))

    def remove(self, table: str, key: dict[str, Any]) -> dict[str, Any] | None:
        """Delete the item with this typed key; return it (None when there was none)."""
        with self._transaction(write=True) as connection:
            schema = self._schema(connection, table)
            _check_only_keys(schema, key)
            hash_value, range_value = schema.key_of(key, table)
            old = self._get(connection, table, hash_value, range_value)
            connection.execute(
                "DELETE FROM table_items WHERE table_name = ? AND hash_value = ? AND range_value = ?",
                (table, hash_value, range_value),
            )
            return old

    def items(self, table: str, hash_value: str | None = None) -> list[dict[str, Any]]:
        """Typed items (those of one hash key when given), ordered by key; numbers in number order."""
        with self._transaction() as connection:
            schema = self._schema(connection, table)
            sql = "SELECT item FROM table_items WHERE table_name = ?"
            arguments: tuple[str, ...] = (table,)
            if hash_value is not None:
                sql += " AND hash_value = ?"
                arguments += (hash_value,)
            rows = [json.loads(row[0]) for row in connection.execute(sql, arguments)]
        return sorted(rows, key=lambda item: _order(schema, item))

    def _get(self, connection: sqlite3.Connection, table: str, hash_value: str, range_value: str) -> Any:
        row = connection.execute(
            "SELECT item FROM table_items WHERE table_name = ? AND hash_value = ? AND range_value = ?",
            (table, hash_value, range_value),
        ).fetchone()
        return None if row is None else json.loads(row[0])

    # --- plain JSON items -------------------------------------------------------------------------

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        """Write a plain-JSON item, replacing any item with the same key."""
        self.put(table, item_to_typed(item))

    def get_item(self, table: str, key: str) -> dict[str, Any] | None:
        """The plain item whose hash key (of a table without range key) is ``key``, or None."""
        schema = self.schema(table)
        found = self.get(table, {schema.hash_key: {schema.hash_type: key}})
        return None if found is None else item_to_plain(found)

    def scan(self, table: str) -> list[dict[str, Any]]:
        """Every item as plain JSON, ordered by key."""
        return [item_to_plain(item) for item in self.items(table)]


def _migrate(connection: sqlite3.Connection) -> None:
    """Carry a data root written before key schemas (``tables``/``items``: string hash keys, plain
    JSON items) over to typed items, once, in the caller's transaction."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'items' AND type = 'table'").fetchone() is None:
        return
    for name, hash_key in connection.execute("SELECT name, hash_key FROM tables").fetchall():
        connection.execute("INSERT OR IGNORE INTO key_schemas VALUES (?, ?, 'S', NULL, NULL, '[]')", (name, hash_key))
    for table, hash_value, item in connection.execute("SELECT table_name, hash_value, item FROM items").fetchall():
        connection.execute("INSERT OR IGNORE INTO table_items VALUES (?, ?, '', ?)",
                           (table, hash_value, json.dumps(item_to_typed(json.loads(item)), sort_keys=True)))
    connection.execute("DROP TABLE items")
    connection.execute("DROP TABLE tables")


def _check_only_keys(schema: KeySchema, key: dict[str, Any]) -> None:
    extra = sorted(set(key) - set(schema.key_names()))
    if extra or not isinstance(key, dict):
        raise ValidationError("The provided key element does not match the schema")


def _order(schema: KeySchema, item: dict[str, Any]) -> tuple[Any, ...]:
    """Sort by hash then range key, numbers as numbers (a string key's order is its code points)."""
    return tuple(
        to_plain(item[name]) if isinstance(to_plain(item[name]), (int, float)) else str(to_plain(item[name]))
        for name in schema.key_names()
    )
