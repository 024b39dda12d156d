"""Choice: picks the Next state from the first matching rule, else ``Default``, else fails.

The state's ``Assign`` applies whichever rule matches, with a matching rule's own ``Assign`` added;
in JSONata a matching rule's ``Output`` replaces the state's (developer guide, "Choice Rules").
"""
from __future__ import annotations

from typing import Any, Callable

from stepflow.asl.errors import NO_CHOICE_MATCHED, ASLError
from stepflow.engine.dataflow import Dataflow
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord

Predicate = Callable[[Any, Any], bool]


class ChoiceState(CompiledState):
    def __init__(
        self,
        *args: Any,
        choices: list[tuple[Predicate, str]],
        rule_flows: list[Dataflow],
        default: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        self.rule_flows = rule_flows
        self.default = default

    def execute(self, state_input: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        data = self.flow.effective_input(state_input, context, record)
        flow = self._choose(data, context, record)
        return flow.state_output(state_input, data, context, record)

    def _choose(self, data: Any, context: dict, record: StepRecord) -> Dataflow:
        """Set ``record.next``; the flow of the matching rule, or the state's own for Default."""
        for (predicate, next_state), flow in zip(self.choices, self.rule_flows):
            if predicate(data, context):
                record.next = next_state
                return flow
        if self.default is None:
            # AWS's exact cause text is not documented; this one names the state and the reason.
            raise ASLError(
                NO_CHOICE_MATCHED,
                f"No Choice Rule matched the input of the Choice state '{self.name}', which has no Default",
            )
        record.next = self.default
        return self.flow
