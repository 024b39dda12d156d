"""StepRecord: what happened at one state visit, stage by stage, for traces, graphs and tests.

Records hold references to the values the engine produced (never copies): the engine never
mutates a value once produced, so a record stays true after the run goes on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

StepStatus = Literal["SUCCEEDED", "FAILED", "CAUGHT"]
Scope = tuple[str | int, ...]


@dataclass(slots=True, eq=False)
class StepRecord:
    """One state visit, in the order states were entered.

    ``scope`` locates nested runs: ``("ParallelProcessing", 0)`` is branch 0 of that Parallel
    state, ``("ProcessItems", 17)`` iteration 17 of that Map state, ``()`` the top level.
    A data-flow stage the visit never reached stays ``None``; ``reached`` names the stages it did
    reach, in order, so a stage that produced JSON null is told apart (``stage_reached``).
    """

    name: str
    state_type: str
    scope: Scope = ()
    status: StepStatus = "SUCCEEDED"
    # JSONata states record Arguments as ``after_parameters`` and Output as ``after_result_path``
    # (``after_input_path`` is the input, ``after_result_selector`` the result).
    query_language: str = "JSONPath"
    input: Any = None
    after_input_path: Any = None
    after_parameters: Any = None
    result: Any = None
    after_result_selector: Any = None
    after_result_path: Any = None
    output: Any = None
    error: str | None = None
    cause: str | None = None
    retries: list[dict[str, Any]] = field(default_factory=list)
    # The variables the visit's Assign (the state's, its matching Choice rule's or its Catcher's) set.
    assigned: dict[str, Any] | None = None
    next: str | None = None
    entered_event_id: int | None = None
    exited_event_id: int | None = None
    reached: list[str] = field(default_factory=list)

    def reach(self, stage: str, value: Any) -> None:
        """Record ``value`` as what data-flow ``stage`` (an attribute, e.g. ``after_parameters``) produced."""
        setattr(self, stage, value)
        self.reached.append(stage)

    def stage_reached(self, stage: str) -> bool:
        """Whether the visit got to ``stage``; ``input`` always. Records stored before ``reached``
        existed fall back to "not None"."""
        if stage == "input" or stage in self.reached:
            return True
        return not self.reached and getattr(self, stage) is not None
