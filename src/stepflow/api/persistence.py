"""The API's resources kept in the data root, so ``stepflow serve`` finds them again after a restart.

State machines (with their versions, aliases and tags) and activities are JSON records in
``<root>/api.sqlite3``, one row per resource ARN, each write one transaction (a crash leaves the
old record or the new one, never half of one). Executions live in the execution store.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from stepflow.services.sqlite import transaction

FILE_NAME = "api.sqlite3"
_SCHEMA = "CREATE TABLE IF NOT EXISTS resources (arn TEXT PRIMARY KEY, kind TEXT NOT NULL, body TEXT NOT NULL)"


class ResourceStore:
    """``put``/``delete``/``load`` of JSON records keyed by ARN."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    def put(self, arn: str, kind: str, body: dict[str, Any]) -> None:
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute(
                "INSERT OR REPLACE INTO resources (arn, kind, body) VALUES (?, ?, ?)",
                (arn, kind, json.dumps(body, separators=(",", ":"))),
            )

    def delete(self, arn: str) -> None:
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute("DELETE FROM resources WHERE arn = ?", (arn,))

    def get(self, arn: str) -> dict[str, Any] | None:
        with transaction(self.path, _SCHEMA) as db:
            row = db.execute("SELECT body FROM resources WHERE arn = ?", (arn,)).fetchone()
        return json.loads(row[0]) if row else None

    def load(self, kind: str) -> Iterator[dict[str, Any]]:
        """Every record of ``kind``, in the order they were last written."""
        with transaction(self.path, _SCHEMA) as db:
            rows = db.execute("SELECT body FROM resources WHERE kind = ? ORDER BY rowid", (kind,)).fetchall()
        return (json.loads(body) for (body,) in rows)
