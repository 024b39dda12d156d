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
    A data-flow stage the visit never reached stays ``None``.
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
