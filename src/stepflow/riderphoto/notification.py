"""NotificationPlaceholder: tell the rider why the photo was refused, and (extra credit) email it.

As the workshop's function: from ``$.errorInfo`` (what the Catch stored: {Error, Cause}) it builds
``{"messageToSend": {"title": Error, "message": Cause.errorMessage}}``. The workshop's extra credit
asks to really send it; here that is an email through SMTP when ``STEPFLOW_SMTP_HOST`` and
``STEPFLOW_SMTP_TO`` are set (``STEPFLOW_SMTP_PORT`` default 25, ``STEPFLOW_SMTP_FROM`` default
``stepflow@localhost``). A failed send fails the task, so the execution shows it.
"""
from __future__ import annotations

import json
import os
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from stepflow.riderphoto.stack import Stack

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    recipient: str

    @classmethod
    def from_environment(cls) -> SmtpSettings | None:
        host, recipient = os.environ.get("STEPFLOW_SMTP_HOST"), os.environ.get("STEPFLOW_SMTP_TO")
        if not host or not recipient:
            return None
        return cls(
            host,
            int(os.environ.get("STEPFLOW_SMTP_PORT", "25")),
            os.environ.get("STEPFLOW_SMTP_FROM", "stepflow@localhost"),
            recipient,
        )


def message_to_send(event: Any) -> dict[str, str]:
    """{title, message} from the caught error; empty strings when there is none, as the original.

    A Lambda error's Cause is JSON with ``errorMessage``; any other Cause is used as it is.
    """
    info = event.get("errorInfo") if isinstance(event, dict) else None
    if not info:
        return {"title": "", "message": ""}
    cause = info.get("Cause") or ""
    try:
        parsed = json.loads(cause)
    except ValueError:
        parsed = None
    message = parsed.get("errorMessage", cause) if isinstance(parsed, dict) else cause
    return {"title": info.get("Error", ""), "message": message}


def send_email(settings: SmtpSettings, event: Any, notice: dict[str, str]) -> None:
    email = EmailMessage()
    email["From"] = settings.sender
    email["To"] = settings.recipient
    email["Subject"] = f"Your Wild Rydes photo was not accepted: {notice['title']}"
    user = event.get("userId", "rider") if isinstance(event, dict) else "rider"
    photo = event.get("s3Key", "your photo") if isinstance(event, dict) else "your photo"
    email.set_content(
        f"Hello {user},\n\nWe could not use {photo} as your profile photo: {notice['message']}\n"
        "Please upload a different picture.\n"
    )
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        smtp.send_message(email)


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    notice = message_to_send(event)
    settings = SmtpSettings.from_environment()
    if settings is not None:
        send_email(settings, event, notice)
    return {"messageToSend": notice}
