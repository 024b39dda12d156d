"""Local EventBridge connections: the authorization an HTTP Task sends, kept in the data root.

A connection is what ``InvocationConfig.ConnectionArn`` (or the older ``Authentication.ConnectionArn``)
of an ``http:invoke`` task names: an authorization type (API_KEY, BASIC or
OAUTH_CLIENT_CREDENTIALS) with its parameters, plus invocation HTTP parameters (headers, query
string, body) added to every request, in EventBridge CreateConnection's shapes. Secrets stay in
the data root's SQLite file; they are never shown by ``describe``.
"""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepflow.services.arns import arn
from stepflow.services.errors import ServiceError
from stepflow.services.sqlite import transaction

FILE_NAME = "connections.sqlite3"
AUTHORIZATION_TYPES = ("API_KEY", "BASIC", "OAUTH_CLIENT_CREDENTIALS")
_NAME = re.compile(r"[\.\-_A-Za-z0-9]{1,64}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS connections (
    name TEXT PRIMARY KEY, arn TEXT NOT NULL UNIQUE, authorization_type TEXT NOT NULL,
    auth_parameters TEXT NOT NULL
);
"""


class ConnectionProblem(ServiceError):
    """A connection that does not exist or cannot be made (EventBridge's code and message)."""


@dataclass(frozen=True)
class Connection:
    name: str
    arn: str
    authorization_type: str
    auth_parameters: dict[str, Any]

    def invocation_parameters(self, kind: str) -> list[tuple[str, str]]:
        """``HeaderParameters``, ``QueryStringParameters`` or ``BodyParameters`` as (key, value)."""
        params = (self.auth_parameters.get("InvocationHttpParameters") or {}).get(kind) or []
        return [(p["Key"], str(p["Value"])) for p in params]

    def describe(self) -> dict[str, Any]:
        """DescribeConnection's answer: no secret values."""
        return {"ConnectionArn": self.arn, "Name": self.name, "ConnectionState": "AUTHORIZED",
                "AuthorizationType": self.authorization_type}


class Connections:
    """The connections stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    def create(self, name: str, authorization_type: str, auth_parameters: dict[str, Any]) -> Connection:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConnectionProblem("ValidationException", f"invalid connection name {name!r}: 1-64 of [.-_A-Za-z0-9]")
        if authorization_type not in AUTHORIZATION_TYPES:
            raise ConnectionProblem(
                "ValidationException", f"AuthorizationType must be one of {', '.join(AUTHORIZATION_TYPES)}"
            )
        connection = Connection(name, arn("events", f"connection/{name}/{uuid.uuid4()}"), authorization_type,
                                auth_parameters)
        with self._transaction(write=True) as db:
            if db.execute("SELECT 1 FROM connections WHERE name = ?", (name,)).fetchone():
                raise ConnectionProblem("ResourceAlreadyExistsException", f"Connection {name} already exists.")
            db.execute("INSERT INTO connections VALUES (?, ?, ?, ?)",
                       (name, connection.arn, authorization_type, json.dumps(auth_parameters)))
        return connection

    def get(self, reference: str) -> Connection:
        """By ARN (any UUID suffix: an ARN from AWS names the same local connection) or by name."""
        name = reference.split(":connection/", 1)[1].split("/", 1)[0] if ":connection/" in reference else reference
        with self._transaction() as db:
            row = db.execute("SELECT * FROM connections WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise ConnectionProblem("ResourceNotFoundException", f"Failed to describe the connection(s). "
                                   f"Connection '{name}' does not exist.")
        return Connection(row[0], row[1], row[2], json.loads(row[3]))

    def list(self) -> list[Connection]:
        if not self.path.exists():
            return []
        with self._transaction() as db:
            rows = db.execute("SELECT * FROM connections ORDER BY name").fetchall()
        return [Connection(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def delete(self, name: str) -> None:
        self.get(name)
        with self._transaction(write=True) as db:
            db.execute("DELETE FROM connections WHERE name = ?", (name,))
