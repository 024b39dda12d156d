"""Local email: what SES sends, delivered through SMTP when configured and kept in an outbox.

Every message sent is kept in the data root's outbox (``outbox.sqlite3``: sender, recipients,
subject, text, the SES message id), so a definition's notification can be read back
(``stepflow mail list``) with no mail server. When an SMTP server is configured, by the
environment (``STEPFLOW_SMTP_HOST``, ``_PORT`` default 25, ``_FROM``, ``_TO``) or by the stack's
settings (``stepflow stack up --smtp-host ...``), the message is also delivered through it; a
failed delivery fails the send. ``_TO`` is the rider-photo notification's recipient.
"""
from __future__ import annotations

import json
import os
import smtplib
import sqlite3
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from stepflow.services.sqlite import transaction

FILE_NAME = "outbox.sqlite3"
SMTP_TIMEOUT_SECONDS = 10
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL, sender TEXT NOT NULL,
    recipients TEXT NOT NULL, subject TEXT NOT NULL, text TEXT NOT NULL, html TEXT,
    sent TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
"""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipient: str | None

    @classmethod
    def configured(cls, stack_settings: dict[str, str] | None = None) -> SmtpSettings | None:
        """From ``STEPFLOW_SMTP_*`` or else the stack's ``Smtp*`` settings; None without a host."""
        settings = stack_settings or {}

        def value(name: str, default: str | None = None) -> str | None:
            return os.environ.get(f"STEPFLOW_SMTP_{name.upper()}") or settings.get(f"Smtp{name}", default)

        host = value("Host")
        if not host:
            return None
        port = int(value("Port", "25") or 25)
        return cls(host, port, value("From", "stepflow@localhost") or "", value("To"))


def _stack_settings(root: Path) -> dict[str, str]:
    """The SMTP settings ``stepflow stack up`` kept in the data root, if any."""
    try:
        return dict(json.loads((root / "stack.json").read_text()).get("Settings", {}))
    except (OSError, ValueError):
        return {}


def deliver(settings: SmtpSettings, email: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(email)


class Outbox:
    """The messages sent from one data root."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / FILE_NAME

    def _transaction(self, write: bool = False) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path, _SCHEMA, write)

    def send(self, sender: str, recipients: list[str], subject: str, text: str, html: str | None = None) -> str:
        """Deliver (SMTP, when configured) and keep the message; return its message id."""
        message_id = f"{uuid.uuid4().hex}-{uuid.uuid4().hex[:8]}-000000"
        settings = SmtpSettings.configured(_stack_settings(self.root))
        if settings is not None:
            email = EmailMessage()
            email["From"] = sender or settings.sender
            email["To"] = ", ".join(recipients)
            email["Subject"] = subject
            email.set_content(text)
            if html:
                email.add_alternative(html, subtype="html")
            deliver(settings, email)
        with self._transaction(write=True) as db:
            db.execute(
                "INSERT INTO outbox (message_id, sender, recipients, subject, text, html) VALUES (?, ?, ?, ?, ?, ?)",
                (message_id, sender, json.dumps(recipients), subject, text, html),
            )
        return message_id

    def messages(self) -> list[dict[str, Any]]:
        """Every message kept, oldest first."""
        if not self.path.exists():
            return []
        with self._transaction() as db:
            rows = db.execute(
                "SELECT message_id, sender, recipients, subject, text, html, sent FROM outbox ORDER BY seq"
            ).fetchall()
        return [
            {"MessageId": r[0], "From": r[1], "To": json.loads(r[2]), "Subject": r[3], "Text": r[4],
             "Html": r[5], "Sent": r[6]}
            for r in rows
        ]
