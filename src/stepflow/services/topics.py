"""Local SNS topics: topics and subscriptions in the data root's SQLite file.

Publishing delivers to every subscription, as SNS does: ``sqs`` puts the notification (SNS's
JSON envelope, or the bare message with RawMessageDelivery) into a local queue, ``email`` sends
it through the local outbox (and SMTP when configured), and ``lambda`` hands the envelope, in
SNS's Lambda event, to a function the caller can run (``publish(..., run_function=...)``).
"""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from stepflow.services.arns import arn
from stepflow.services.errors import ServiceError
from stepflow.services.mail import Outbox
from stepflow.services.queues import Queues
from stepflow.services.sqlite import transaction

FILE_NAME = "topics.sqlite3"
PROTOCOLS = ("sqs", "email", "lambda")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (name TEXT PRIMARY KEY, attributes TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions (
    arn TEXT PRIMARY KEY, topic TEXT NOT NULL REFERENCES topics(name) ON DELETE CASCADE,
    protocol TEXT NOT NULL, endpoint TEXT NOT NULL, raw INTEGER NOT NULL DEFAULT 0
);
"""


class TopicError(ServiceError):
    """An SNS error (``NotFound``, ``InvalidParameter``)."""


def topic_name(reference: str) -> str:
    return reference.rsplit(":", 1)[-1] if isinstance(reference, str) else ""


class Topics:
    """The topics stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / FILE_NAME

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    @staticmethod
    def arn(name: str) -> str:
        return arn("sns", name)

    def create(self, name: str) -> str:
        """Create the topic (idempotent, as CreateTopic); its ARN."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise TopicError("InvalidParameter", "Invalid parameter: Topic Name")
        with self._transaction(write=True) as db:
            db.execute("INSERT OR IGNORE INTO topics VALUES (?, ?)", (name, "{}"))
        return self.arn(name)

    def _existing(self, db: sqlite3.Connection, reference: str) -> str:
        name = topic_name(reference)
        if db.execute("SELECT 1 FROM topics WHERE name = ?", (name,)).fetchone() is None:
            raise TopicError("NotFound", "Topic does not exist")
        return name

    def names(self) -> list[str]:
        if not self.path.exists():
            return []
        with self._transaction() as db:
            return [row[0] for row in db.execute("SELECT name FROM topics ORDER BY name")]

    def delete(self, reference: str) -> None:
        with self._transaction(write=True) as db:
            db.execute("DELETE FROM topics WHERE name = ?", (self._existing(db, reference),))

    def subscribe(self, reference: str, protocol: str, endpoint: str, raw: bool = False) -> str:
        """Subscribe ``endpoint`` (a queue name/URL/ARN, an email address, a function ARN)."""
        if protocol not in PROTOCOLS:
            raise TopicError("InvalidParameter", f"Invalid parameter: Protocol {protocol!r} "
                             f"(stepflow delivers to {', '.join(PROTOCOLS)})")
        with self._transaction(write=True) as db:
            name = self._existing(db, reference)
            subscription = f"{self.arn(name)}:{uuid.uuid4()}"
            db.execute("INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?)",
                       (subscription, name, protocol, endpoint, int(raw)))
        return subscription

    def unsubscribe(self, subscription: str) -> bool:
        """Unsubscribe; whether the subscription was there."""
        if not self.path.exists():
            return False
        with self._transaction(write=True) as db:
            return db.execute("DELETE FROM subscriptions WHERE arn = ?", (subscription,)).rowcount > 0

    def subscriptions(self, reference: str) -> list[dict[str, Any]]:
        with self._transaction() as db:
            name = self._existing(db, reference)
            rows = db.execute("SELECT arn, protocol, endpoint, raw FROM subscriptions WHERE topic = ? ORDER BY rowid",
                              (name,)).fetchall()
        return [{"SubscriptionArn": r[0], "TopicArn": self.arn(name), "Protocol": r[1], "Endpoint": r[2],
                 "RawMessageDelivery": bool(r[3])} for r in rows]

    def publish(
        self, reference: str, message: str, subject: str | None = None,
        attributes: dict[str, Any] | None = None,
        run_function: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> str:
        """Publish and deliver to every subscription; the message id."""
        if not isinstance(message, str) or not message:
            raise TopicError("InvalidParameter", "Invalid parameter: Message too short")
        subscriptions = self.subscriptions(reference)
        message_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "Type": "Notification", "MessageId": message_id, "TopicArn": self.arn(topic_name(reference)),
            "Subject": subject, "Message": message,
            "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "SignatureVersion": "1", "Signature": "", "SigningCertURL": "", "UnsubscribeURL": "",
        }
        if attributes:
            envelope["MessageAttributes"] = {
                key: {"Type": value.get("DataType", "String"), "Value": value.get("StringValue")}
                for key, value in attributes.items()
            }
        for subscription in subscriptions:
            protocol, endpoint = subscription["Protocol"], subscription["Endpoint"]
            if protocol == "sqs":
                body = message if subscription["RawMessageDelivery"] else json.dumps(envelope)
                Queues(self.root).send(endpoint.rsplit(":", 1)[-1], body)
            elif protocol == "email":
                Outbox(self.root).send("no-reply@sns.amazonaws.com", [endpoint],
                                       subject or "AWS Notification Message", message)
            elif run_function is not None:
                run_function(endpoint, {"Records": [{
                    "EventSource": "aws:sns", "EventVersion": "1.0",
                    "EventSubscriptionArn": subscription["SubscriptionArn"], "Sns": envelope,
                }]})
        return message_id
