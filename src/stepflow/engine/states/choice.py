"""Choice: picks the Next state from the first matching rule, else ``Default``, else fails."""
from __future__ import annotations

from typing import Any, Callable

from stepflow.asl.errors import NO_CHOICE_MATCHED, ASLError
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord

Predicate = Callable[[Any, Any], bool]


class ChoiceState(CompiledState):
    def __init__(
        self, *args: Any, choices: list[tuple[Predicate, str]], default: str | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.default = default

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        for predicate, next_state in self.choices:
            if predicate(data, context):
                record.next = next_state
                return data
        if self.default is None:
            # AWS's exact cause text is not documented; this one names the state and the reason.
            raise ASLError(
                NO_CHOICE_MATCHED,
                f"No Choice Rule matched the input of the Choice state '{self.name}', which has no Default",
            )
        record.next = self.default
        return data
