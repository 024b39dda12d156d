"""The stacks that are up, kept in the data root (``stacks.sqlite3``): what each one created."""
from __future__ import annotations

import json
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from stepflow.services.sqlite import transaction

_SCHEMA = "CREATE TABLE IF NOT EXISTS stacks (name TEXT PRIMARY KEY, template TEXT NOT NULL, record TEXT NOT NULL)"


class StackStore:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / "stacks.sqlite3"

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    def get(self, name: str) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        with self._transaction() as connection:
            row = connection.execute("SELECT record FROM stacks WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row[0])

    def save(self, name: str, template: str, record: dict[str, Any]) -> None:
        with self._transaction(write=True) as connection:
            connection.execute("INSERT OR REPLACE INTO stacks VALUES (?, ?, ?)", (name, template, json.dumps(record)))

    def delete(self, name: str) -> None:
        with self._transaction(write=True) as connection:
            connection.execute("DELETE FROM stacks WHERE name = ?", (name,))

    def all(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self._transaction() as connection:
            rows = connection.execute("SELECT record FROM stacks ORDER BY name").fetchall()
        return [json.loads(row[0]) for row in rows]
