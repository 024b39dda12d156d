"""Fail: ends its lane with an error; Error/Cause are fixed, or read by ErrorPath/CausePath."""
from __future__ import annotations

from typing import Any, Callable

from stepflow.asl.errors import ASLError
from stepflow.asl.paths import StateDataError
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord

# A compiled ErrorPath / CausePath: a reference path or an intrinsic call, read from the raw input.
Reader = Callable[[Any, dict], Any]


class FailState(CompiledState):
    def __init__(
        self,
        *args: Any,
        error: str | None = None,
        cause: str | None = None,
        error_reader: Reader | None = None,
        cause_reader: Reader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.error, self.cause = error, cause
        self.error_reader, self.cause_reader = error_reader, cause_reader

    def execute(self, state_input: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        error = self._read("ErrorPath", self.error_reader, state_input, context, self.error)
        cause = self._read("CausePath", self.cause_reader, state_input, context, self.cause)
        # Without Error the execution fails with no error name, as on AWS (ExecutionFailed has none).
        raise ASLError(error, cause)  # type: ignore[arg-type]

    @staticmethod
    def _read(field: str, reader: Reader | None, data: Any, context: dict, fixed: str | None) -> str | None:
        if reader is None:
            return fixed
        value = reader(data, context)
        if not isinstance(value, str):
            raise StateDataError(f"The {field} must resolve to a string, got {type(value).__name__}")
        return value

