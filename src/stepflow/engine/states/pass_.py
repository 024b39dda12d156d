"""Pass: passes its input on, or a fixed ``Result``; Parameters and ResultPath still apply."""
from __future__ import annotations

from typing import Any

from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord

NO_RESULT = object()  # "Result" absent (null is a valid Result)


class PassState(CompiledState):
    def __init__(self, *args: Any, result: Any = NO_RESULT, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.result = result

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        # AWS: with "Result", the effective input (after Parameters) is replaced by it.
        return data if self.result is NO_RESULT else self.result

