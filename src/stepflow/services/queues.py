"""Local SQS queues: messages in the data root's SQLite file, surviving restarts.

A queue is named as SQS names it (1-80 letters, digits, ``-`` and ``_``, ``.fifo`` for FIFO) and
found by name or by any queue URL whose last path segment is its name, so a definition written
with an AWS queue URL reaches the local queue of that name. Receiving hides a message for its
visibility timeout, as SQS does; deleting takes its receipt handle.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from stepflow.services.arns import ACCOUNT, REGION, arn
from stepflow.services.errors import ServiceError
from stepflow.services.sqlite import transaction

FILE_NAME = "queues.sqlite3"
DEFAULT_VISIBILITY_SECONDS = 30
_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}(\.fifo)?|[A-Za-z0-9_-]{1,80}")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS queues (name TEXT PRIMARY KEY, attributes TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL REFERENCES queues(name) ON DELETE CASCADE,
    message_id TEXT NOT NULL, body TEXT NOT NULL, attributes TEXT NOT NULL,
    sent REAL NOT NULL, visible_at REAL NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
    receipt_handle TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_queue ON messages(queue, visible_at, seq);
"""


class QueueError(ServiceError):
    """An SQS error (``AWS.SimpleQueueService.NonExistentQueue``, ``MissingParameter`` ...)."""


def queue_name(reference: str) -> str:
    """The queue a name or URL refers to (the URL's last path segment)."""
    return reference.rstrip("/").rsplit("/", 1)[-1] if "/" in reference else reference


def md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


class Queues:
    """The queues stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    @staticmethod
    def url(name: str) -> str:
        return f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"

    @staticmethod
    def arn(name: str) -> str:
        return arn("sqs", name)

    def create(self, name: str, attributes: dict[str, str] | None = None) -> str:
        """Create the queue (idempotent, as CreateQueue with the same attributes); its URL."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise QueueError("InvalidParameterValue", "Can only include alphanumeric characters, hyphens, or "
                             "underscores. 1 to 80 in length")
        with self._transaction(write=True) as db:
            db.execute("INSERT OR IGNORE INTO queues VALUES (?, ?, ?)",
                       (name, json.dumps(attributes or {}), time.time()))
        return self.url(name)

    def _existing(self, db: sqlite3.Connection, reference: str) -> str:
        name = queue_name(reference) if isinstance(reference, str) else ""
        if db.execute("SELECT 1 FROM queues WHERE name = ?", (name,)).fetchone() is None:
            raise QueueError("AWS.SimpleQueueService.NonExistentQueue",
                             "The specified queue does not exist for this wsdl version.")
        return name

    def names(self) -> list[str]:
        if not self.path.exists():
            return []
        with self._transaction() as db:
            return [row[0] for row in db.execute("SELECT name FROM queues ORDER BY name")]

    def delete(self, reference: str) -> None:
        with self._transaction(write=True) as db:
            db.execute("DELETE FROM queues WHERE name = ?", (self._existing(db, reference),))

    def send(self, reference: str, body: str, attributes: dict[str, Any] | None = None,
             delay_seconds: int = 0) -> dict[str, str]:
        """SendMessage: the message's id and body MD5."""
        if not isinstance(body, str) or not body:
            raise QueueError("MissingParameter", "The request must contain the parameter MessageBody.")
        message_id = str(uuid.uuid4())
        now = time.time()
        with self._transaction(write=True) as db:
            name = self._existing(db, reference)
            db.execute(
                "INSERT INTO messages (queue, message_id, body, attributes, sent, visible_at) VALUES (?, ?, ?, ?, ?, ?)",
                (name, message_id, body, json.dumps(attributes or {}), now, now + delay_seconds),
            )
        return {"MD5OfMessageBody": md5(body), "MessageId": message_id}

    def receive(self, reference: str, max_messages: int = 1,
                visibility_timeout: int = DEFAULT_VISIBILITY_SECONDS) -> list[dict[str, Any]]:
        """ReceiveMessage: up to ``max_messages`` visible messages, hidden for the timeout."""
        now = time.time()
        with self._transaction(write=True) as db:
            name = self._existing(db, reference)
            rows = db.execute(
                "SELECT seq, message_id, body, attributes, sent, receive_count FROM messages "
                "WHERE queue = ? AND visible_at <= ? ORDER BY seq LIMIT ?",
                (name, now, max_messages),
            ).fetchall()
            received = []
            for seq, message_id, body, attributes, sent, count in rows:
                handle = uuid.uuid4().hex
                db.execute("UPDATE messages SET visible_at = ?, receive_count = ?, receipt_handle = ? WHERE seq = ?",
                           (now + visibility_timeout, count + 1, handle, seq))
                message: dict[str, Any] = {
                    "MessageId": message_id, "ReceiptHandle": handle, "MD5OfBody": md5(body), "Body": body,
                    "Attributes": {"SentTimestamp": str(int(sent * 1000)),
                                   "ApproximateReceiveCount": str(count + 1)},
                }
                if json.loads(attributes):
                    message["MessageAttributes"] = json.loads(attributes)
                received.append(message)
        return received

    def delete_message(self, reference: str, receipt_handle: str) -> None:
        with self._transaction(write=True) as db:
            name = self._existing(db, reference)
            db.execute("DELETE FROM messages WHERE queue = ? AND receipt_handle = ?", (name, receipt_handle))

    def count(self, reference: str) -> int:
        """How many messages the queue holds (visible or not)."""
        with self._transaction() as db:
            name = self._existing(db, reference)
            return db.execute("SELECT COUNT(*) FROM messages WHERE queue = ?", (name,)).fetchone()[0]
