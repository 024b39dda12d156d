"""SES tasks (``aws-sdk:sesv2:sendEmail`` and ``aws-sdk:ses:sendEmail``) through the local outbox.

The message is kept in the data root's outbox and, when an SMTP server is configured, delivered
through it (``services.mail``). Requests and answers as the SES APIs take them: v2's
``FromEmailAddress``, ``Destination``, ``Content.Simple`` (``Subject``, ``Body.Text``/``Html``);
v1's ``Source``, ``Destination``, ``Message``; both answer ``{"MessageId"}``.
"""
from __future__ import annotations

import smtplib
from typing import Any

from stepflow.integrations.aws_service import ServiceNames, parameters_of, service_error
from stepflow.integrations.base import Integration, TaskCall, task_names
from stepflow.services.mail import Outbox

SESV2_SEND = "arn:aws:states:::aws-sdk:sesv2:sendEmail"
SES_SEND = "arn:aws:states:::aws-sdk:ses:sendEmail"
NAMES = {
    "sesv2": ServiceNames("SesV2", "AmazonSimpleEmailServiceV2", "AmazonSimpleEmailServiceV2Exception",
                          "SesV2", "SesV2", "SesV2Exception",
                          modeled=frozenset({"BadRequestException", "MessageRejected"})),
    "ses": ServiceNames("Ses", "AmazonSimpleEmailService", "AmazonSimpleEmailServiceException",
                        "Ses", "Ses", "SesException", modeled=frozenset({"MessageRejected"})),
}


def _text(part: Any) -> str | None:
    return part.get("Data") if isinstance(part, dict) else None


class SendEmail(Integration):
    def __init__(self, resource: str) -> None:
        super().__init__(resource)
        self.service = task_names(resource)[0].split(":", 1)[1]

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        names = NAMES[self.service]
        if self.service == "sesv2":
            sender = request.get("FromEmailAddress")
            content = (request.get("Content") or {}).get("Simple") or {}
        else:
            sender = request.get("Source")
            content = request.get("Message") or {}
        destination = request.get("Destination") or {}
        recipients = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in destination.get(key) or []]
        body = content.get("Body") or {}
        subject, text, html = _text(content.get("Subject")), _text(body.get("Text")), _text(body.get("Html"))
        if not sender or not recipients or subject is None or (text is None and html is None):
            code = "BadRequestException" if self.service == "sesv2" else "InvalidParameterValue"
            raise service_error(names, code, "The message needs a sender, a recipient, a subject and a body",
                                sdk=True)
        try:
            message_id = Outbox(call.resources.data_root).send(sender, recipients, subject, text or "", html)
        except (OSError, smtplib.SMTPException) as failed:
            raise service_error(names, "MessageRejected", f"the SMTP server refused the message: {failed}",
                                sdk=True) from None
        return {"MessageId": message_id}
