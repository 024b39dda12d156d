"""Succeed: ends its lane successfully; only InputPath and OutputPath shape its output."""
from __future__ import annotations

from typing import Any

from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord


class SucceedState(CompiledState):
    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        return data
