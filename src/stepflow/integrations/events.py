"""EventBridge tasks (``arn:aws:states:::events:putEvents``, also ``.waitForTaskToken``) on the local
event bus (``services.events``): each entry is enveloped and matched against the bus's rules, and
what they target (a state machine) is delivered as ``stepflow serve`` or the next trigger runs it.

Evidence: LocalStack's AWS-validated recording tests/aws/services/stepfunctions/v2/services/
test_events_task_service.snapshot.json: a ``Detail`` given as JSON is sent as its text; the result
is ``{"Entries": [{"EventId"}], "FailedEntryCount": 0}``; an entry that fails (Detail not a JSON
object: MalformedDetail "Detail is malformed."; no Source: InvalidArgument) fails the task with
``EventBridge.FailedEntry`` and the whole response as the cause.
"""
from __future__ import annotations

import json
from typing import Any

from stepflow.asl.errors import ASLError
from stepflow.integrations.aws_service import parameters_of
from stepflow.integrations.base import Integration, TaskCall
from stepflow.services.events import EventBus

PUT_EVENTS = "arn:aws:states:::events:putEvents"


def _problem(entry: dict[str, Any]) -> dict[str, str] | None:
    """Why EventBridge refuses the entry, as its result entry, or None."""
    for field in ("Source", "DetailType"):
        if not entry.get(field):
            return {"ErrorCode": "InvalidArgument",
                    "ErrorMessage": f"Parameter {field} is not valid. Reason: {field} is a required argument."}
    try:
        detail = json.loads(entry.get("Detail") or "{}")
    except ValueError:
        detail = None
    if not isinstance(detail, dict):
        return {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."}
    return None


class PutEvents(Integration):
    patterns = frozenset({"waitForTaskToken"})

    def invoke(self, call: TaskCall) -> Any:
        request = parameters_of(call.parameters, call.state_name, self.resource)
        bus = EventBus(call.resources.data_root)
        results = []
        for given in request.get("Entries") or []:
            entry = dict(given) if isinstance(given, dict) else {}
            if "Detail" in entry and not isinstance(entry["Detail"], str):
                entry["Detail"] = json.dumps(entry["Detail"], separators=(",", ":"))
            problem = _problem(entry)
            results.append(problem if problem else bus.put_events([entry])["Entries"][0])
        failed = sum(1 for result in results if "ErrorCode" in result)
        response = {"Entries": results, "FailedEntryCount": failed}
        if failed:
            raise ASLError("EventBridge.FailedEntry", json.dumps(response, separators=(",", ":")))
        return response
