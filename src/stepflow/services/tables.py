"""Local DynamoDB stand-in: tables with a string hash key, items as JSON, in one SQLite file.

Each write is one SQLite transaction, so a crash never leaves half an item; ``put_item`` replaces
a whole item with the same key, as DynamoDB's PutItem does.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from stepflow.asl.errors import StepflowError
from stepflow.services.sqlite import transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (name TEXT PRIMARY KEY, hash_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    table_name TEXT NOT NULL REFERENCES tables(name) ON DELETE CASCADE,
    hash_value TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (table_name, hash_value)
);
"""


class ResourceNotFound(StepflowError):
    """The table does not exist (DynamoDB's ResourceNotFoundException)."""

    def __init__(self, table: str) -> None:
        super().__init__(f"ResourceNotFoundException: the table {table!r} does not exist")
        self.table = table


class ValidationError(StepflowError):
    """An item that does not fit the table's key schema (DynamoDB's ValidationException)."""


class Tables:
    """The tables stored under one data root (``<root>/dynamodb.sqlite3``)."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / "dynamodb.sqlite3"

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    def _hash_key(self, connection: sqlite3.Connection, table: str) -> str:
        row = connection.execute("SELECT hash_key FROM tables WHERE name = ?", (table,)).fetchone()
        if row is None:
            raise ResourceNotFound(table)
        return row[0]

    def create(self, table: str, hash_key: str) -> bool:
        """Create the table; return False when it already existed with this key (idempotent)."""
        with self._transaction(write=True) as connection:
            row = connection.execute(
                "SELECT hash_key FROM tables WHERE name = ?", (table,)
            ).fetchone()
            if row is not None:
                if row[0] != hash_key:
                    raise ValidationError(
                        f"table {table!r} exists with hash key {row[0]!r}, not {hash_key!r}"
                    )
                return False
            connection.execute("INSERT INTO tables VALUES (?, ?)", (table, hash_key))
            return True

    def exists(self, table: str) -> bool:
        if not self.path.exists():
            return False
        with self._transaction() as connection:
            found = connection.execute("SELECT 1 FROM tables WHERE name = ?", (table,)).fetchone()
            return found is not None

    def names(self) -> list[str]:
        """Every table, sorted."""
        if not self.path.exists():
            return []
        with self._transaction() as connection:
            rows = connection.execute("SELECT name FROM tables ORDER BY name").fetchall()
        return [row[0] for row in rows]

    def delete(self, table: str) -> None:
        """Delete the table and all its items."""
        with self._transaction(write=True) as connection:
            self._hash_key(connection, table)
            connection.execute("DELETE FROM tables WHERE name = ?", (table,))

    def put_item(self, table: str, item: dict[str, Any]) -> None:
        """Write the whole item, replacing any item with the same hash key."""
        with self._transaction(write=True) as connection:
            hash_key = self._hash_key(connection, table)
            value = item.get(hash_key)
            if not isinstance(value, str) or not value:
                raise ValidationError(
                    f"One or more parameter values were invalid: the item for table {table!r} "
                    f"needs a non-empty string {hash_key!r} (its hash key)"
                )
            connection.execute(
                "INSERT OR REPLACE INTO items VALUES (?, ?, ?)",
                (table, value, json.dumps(item, sort_keys=True)),
            )

    def get_item(self, table: str, key: str) -> dict[str, Any] | None:
        """The item whose hash key is ``key``, or None."""
        with self._transaction() as connection:
            self._hash_key(connection, table)
            row = connection.execute(
                "SELECT item FROM items WHERE table_name = ? AND hash_value = ?", (table, key)
            ).fetchone()
            return None if row is None else json.loads(row[0])

    def scan(self, table: str) -> list[dict[str, Any]]:
        """Every item, ordered by hash key."""
        with self._transaction() as connection:
            self._hash_key(connection, table)
            rows = connection.execute(
                "SELECT item FROM items WHERE table_name = ? ORDER BY hash_value", (table,)
            ).fetchall()
            return [json.loads(row[0]) for row in rows]
