"""NotificationPlaceholder: tell the rider why the photo was refused, and (extra credit) email it.

As the workshop's function: from ``$.errorInfo`` (what the Catch stored: {Error, Cause}) it builds
``{"messageToSend": {"title": Error, "message": Cause.errorMessage}}``. The workshop's extra credit
asks to really send it; here that is an email through SMTP when a host and a recipient are
configured, by the environment (``STEPFLOW_SMTP_HOST``, ``STEPFLOW_SMTP_TO``,
``STEPFLOW_SMTP_PORT`` default 25, ``STEPFLOW_SMTP_FROM`` default ``stepflow@localhost``) or by
the stack's settings (``stepflow stack up --smtp-host ... --smtp-to ...``); the environment wins.
A failed send fails the task, so the execution shows it.
"""
from __future__ import annotations

import json
from email.message import EmailMessage
from typing import Any

from stepflow.riderphoto.stack import Stack
from stepflow.services.mail import SmtpSettings, deliver


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
    email["To"] = settings.recipient or ""
    email["Subject"] = f"Your Wild Rydes photo was not accepted: {notice['title']}"
    user = event.get("userId", "rider") if isinstance(event, dict) else "rider"
    photo = event.get("s3Key", "your photo") if isinstance(event, dict) else "your photo"
    email.set_content(
        f"Hello {user},\n\nWe could not use {photo} as your profile photo: {notice['message']}\n"
        "Please upload a different picture.\n"
    )
    deliver(settings, email)


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack.current()
    notice = message_to_send(event)
    settings = SmtpSettings.configured(stack.settings())
    if settings is not None and settings.recipient:
        send_email(settings, event, notice)
    return {"messageToSend": notice}
