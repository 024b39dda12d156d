"""The Step Functions API's execution response shapes, made once for the client and the CLI.

Each takes anything with ``stepflow.Execution``'s attributes (an ``Execution``, a stored one, a
running one) and returns the API's field names with datetimes as boto3 gives them; the CLI turns
the datetimes into ISO 8601 as AWS CLI v2 prints them.
"""
from __future__ import annotations

from typing import Any

from stepflow.asl.errors import Diagnostic
from stepflow.asl.paths import to_json

# ExecutionStatus: what ListExecutions' statusFilter takes.
EXECUTION_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
# RedriveExecution takes FAILED, TIMED_OUT and ABORTED executions (API reference, DescribeExecution).
REDRIVABLE = ("FAILED", "TIMED_OUT", "ABORTED")


def outcome(execution: Any) -> dict[str, Any]:
    """The output (only on success) and the error and cause (when there are any) of an execution."""
    shaped: dict[str, Any] = {}
    if execution.status == "SUCCEEDED":
        shaped["output"] = to_json(execution.output)
        shaped["outputDetails"] = {"included": True}
    if execution.error is not None:
        shaped["error"] = execution.error
    if execution.cause is not None:
        shaped["cause"] = execution.cause
    return shaped


def redrive_count(history: list[dict[str, Any]]) -> int:
    """How many times the execution was redriven: its ExecutionRedriven events."""
    return sum(1 for event in history if event["type"] == "ExecutionRedriven")


def _redrive_fields(execution: Any) -> dict[str, Any]:
    """redriveCount (and redriveDate once redriven); a shape without a history (a Map Run's child
    summary) was never redriven."""
    history = getattr(execution, "history", ())
    redriven = [event for event in history if event["type"] == "ExecutionRedriven"]
    return {"redriveCount": len(redriven)} | ({"redriveDate": redriven[-1]["timestamp"]} if redriven else {})


def list_item(execution: Any) -> dict[str, Any]:
    """An ``ExecutionListItem`` (ListExecutions)."""
    return execution_fields(execution) | _redrive_fields(execution)


def execution_fields(execution: Any) -> dict[str, Any]:
    """The fields every execution shape opens with: which execution, its status and its dates."""
    shaped = {
        "executionArn": execution.execution_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": execution.status,
        "startDate": execution.start_date,
    }
    if execution.stop_date is not None:
        shaped["stopDate"] = execution.stop_date
    return shaped


def describe_execution(execution: Any, input_text: str | None = None) -> dict[str, Any]:
    """A ``DescribeExecution`` response: input/output as JSON text (``input_text``, when given, is the
    input exactly as it was sent), output only on success, error and cause only when the execution
    failed or was aborted (AWS describes a TIMED_OUT execution without them), and the redrive fields."""
    described = execution_fields(execution)
    described["input"] = to_json(execution.input) if input_text is None else input_text
    described["inputDetails"] = {"included": True}
    if execution.status != "TIMED_OUT":
        described |= outcome(execution)
    described |= _redrive_fields(execution)
    if execution.status in REDRIVABLE:
        described["redriveStatus"] = "REDRIVABLE"
    else:
        described["redriveStatus"] = "NOT_REDRIVABLE"
        described["redriveStatusReason"] = f"Execution is {execution.status} and cannot be redriven"
    return described


def validation_response(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    """ValidateStateMachineDefinition's response shape: result, diagnostics, truncated."""
    failed = any(d.severity == "ERROR" for d in diagnostics)
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": [_diagnostic(d) for d in diagnostics],
        "truncated": False,
    }


def _diagnostic(diagnostic: Diagnostic) -> dict[str, str]:
    # AWS leaves "location" out when the problem is the whole document (e.g. MISSING_END_STATE).
    shaped = {"severity": diagnostic.severity, "code": diagnostic.code, "message": diagnostic.message}
    if diagnostic.location:
        shaped["location"] = diagnostic.location
    return shaped
