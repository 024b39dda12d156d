"""Errors stepflow raises: ASL runtime errors (with AWS's names) and definition diagnostics.

Two families, because they mean different things to a user:
- ``ASLError`` is an error *inside* an execution. It has an ASL error name (``States.Runtime``,
  ``PhotoDoesNotMeetRequirementError``...) and a cause, and Retry/Catch can handle it.
- ``DefinitionError`` means the definition itself is wrong; it carries every problem found, each
  with a JSON pointer into the definition, so a user fixes them all in one go.
Both derive from ``StepflowError``, which the CLI turns into a clear message and exit status.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


class StepflowError(Exception):
    """Base of every error stepflow raises on purpose; the CLI prints it without a traceback."""


class ASLError(StepflowError):
    """An error raised during an execution, named as AWS Step Functions names it."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class TaskError(ASLError):
    """Raised by a task handler to fail with an exact ASL error name and cause."""


# Predefined error names (ASL specification, "Errors"; AWS developer guide, "Error names").
ALL = "States.ALL"
HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"
TIMEOUT = "States.Timeout"
TASK_FAILED = "States.TaskFailed"
PERMISSIONS = "States.Permissions"
RESULT_PATH_MATCH_FAILURE = "States.ResultPathMatchFailure"
# Not in AWS's list, but what real executions fail with when ResultPath cannot be written into the
# input (e.g. the input is a string): public reports of AWS runs quote it with the same cause text.
REFERENCE_PATH_CONFLICT = "States.ReferencePathConflict"
PARAMETER_PATH_FAILURE = "States.ParameterPathFailure"
BRANCH_FAILED = "States.BranchFailed"
NO_CHOICE_MATCHED = "States.NoChoiceMatched"
INTRINSIC_FAILURE = "States.IntrinsicFailure"
EXCEED_TOLERATED_FAILURE_THRESHOLD = "States.ExceedToleratedFailureThreshold"
ITEM_READER_FAILED = "States.ItemReaderFailed"
RESULT_WRITER_FAILED = "States.ResultWriterFailed"
RUNTIME = "States.Runtime"
DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"


Severity = Literal["ERROR", "WARNING"]


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a definition, shaped like ValidateStateMachineDefinition's diagnostics."""

    code: str  # AWS's code where one fits: SCHEMA_VALIDATION_FAILED, MISSING_END_STATE, ...
    message: str
    location: str  # JSON pointer into the definition, e.g. "/States/FaceDetection/Next"
    severity: Severity = "ERROR"
    # For people, not AWS's response: a fix to try ("did you mean 'ChargeCard'?"), and the location
    # of the diagnostic this one follows from (a state unreachable only because of a misspelt Next).
    hint: str = field(default="", compare=False)
    follows: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.severity} {self.code} at {self.location or '/'}: {self.message}{hint}"


def readable(diagnostics: list[Diagnostic]) -> list[str]:
    """One line per problem for a person; the states unreachable only because of a misspelt
    target are folded into one line under it."""
    lines = []
    for diagnostic in diagnostics:
        if diagnostic.follows is None:
            lines.append(str(diagnostic))
            stranded = [_last_name(d.location) for d in diagnostics if d.follows == diagnostic.location]
            if stranded:
                lines.append(f"  and so not reachable: {', '.join(stranded)}")
    return lines


def _last_name(pointer: str) -> str:
    """The last part of a JSON pointer, unescaped (``/States/A~1B`` -> ``A/B``)."""
    return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


class DefinitionError(StepflowError):
    """A definition that cannot run; ``diagnostics`` lists every problem found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        causes = sum(1 for d in diagnostics if d.follows is None)
        lines = "\n".join(f"  {line}" for line in readable(diagnostics))
        super().__init__(f"the definition has {causes} problem(s):\n{lines}")
