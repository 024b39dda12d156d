"""Map (inline): runs the ItemProcessor (legacy: Iterator) once per item of ItemsPath, concurrently
up to MaxConcurrency; the result is the array of iteration outputs, in item order.

Each iteration's input is the item, or ItemSelector (legacy: Parameters) rendered against the
Map's effective input with ``$$.Map.Item.Index`` / ``$$.Map.Item.Value`` set. A failing iteration
stops the others and fails the state with its error unchanged, unless ToleratedFailureCount /
ToleratedFailurePercentage allow it; past the threshold the state fails with
States.ExceedToleratedFailureThreshold.
"""
from __future__ import annotations

import math
import re
import threading
from typing import Any

from stepflow.asl.errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, ASLError
from stepflow.asl.jsonata import QueryEvaluationError
from stepflow.asl.paths import PathNotFound, StateDataError, java_text, to_json
from stepflow.engine.context import map_item_context
from stepflow.engine.dataflow import PAYLOAD_LIMIT_BYTES, Reader, data_limit_exceeded
from stepflow.engine.states.base import (
    CompiledBranch,
    CompiledState,
    Lane,
    Stopped,
    StopSignal,
    error_output,
    run_lane,
)
from stepflow.engine.states.fanout import BranchLinks, fan_out
from stepflow.engine.trace import StepRecord

# AWS: "an inline Map state supports up to 40 concurrent iterations"; MaxConcurrency 0 means that.
INLINE_CONCURRENCY_LIMIT = 40


class MapState(CompiledState):
    def __init__(
        self,
        *args: Any,
        processor: CompiledBranch,
        items_path: Reader | None,
        item_selector: Any = None,
        max_concurrency: int | Reader = 0,
        tolerated_count: int | Reader | None = None,
        tolerated_percentage: float | Reader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.processor = processor
        self.items_path = items_path
        self.item_selector = item_selector
        self.max_concurrency = max_concurrency
        self.tolerated_count = tolerated_count
        self.tolerated_percentage = tolerated_percentage

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        items = self._items(data, context)
        count = len(items)
        concurrency = self._number(self.max_concurrency, data, context, "MaxConcurrencyPath")
        allowed = self._allowed_failures(count, data, context)
        run = lane.run
        history = run.history
        started = lane.follow(history.container_event("Map", "started", lane.last_event_id, length=count))
        links = BranchLinks(started)
        workers = min(concurrency or INLINE_CONCURRENCY_LIMIT, INLINE_CONCURRENCY_LIMIT, count)
        size = _ResultSize(count) if _result_is_output(self.flow) else None

        def run_iteration(index: int, stop: StopSignal) -> Any:
            # Sequential iterations chain as AWS records them; concurrent ones all follow MapStateStarted.
            follows = links.latest_state_event if workers == 1 else started
            iteration = lane.child((*lane.scope, self.name, index), follows, stop)

            def mark(phase: str) -> None:
                links.ended(index, iteration.last_event_id)
                links.seen(history.map_iteration(phase, self.name, index, iteration.last_event_id))

            iteration.follow(history.map_iteration("started", self.name, index, iteration.last_event_id))
            try:
                item = items[index]
                if self.item_selector is not None:
                    item = self.item_selector.render(data, map_item_context(context, index, item))
                output = run_lane(self.processor, item, iteration)
            except ASLError:
                mark("failed")
                raise
            except Stopped:
                mark("aborted")
                raise
            mark("succeeded")
            if size is not None and size.add(iteration.last_output, output):
                stop.set()  # the output cannot fit in AWS's payload quota any more: stop now
            return output

        outcome = fan_out(
            run.executor,
            count,
            run_iteration,
            clock=run.clock,
            workers=workers,
            stop=StopSignal(lane.stop),
            stop_after_failures=allowed + 1,
        )
        if len(outcome.errors) > allowed:
            links.failed(lane, outcome, allowed)
            if self.tolerated_count is None and self.tolerated_percentage is None:
                raise next(iter(outcome.errors.values()))
            raise ASLError(
                EXCEED_TOLERATED_FAILURE_THRESHOLD,
                "The specified tolerated failure threshold was exceeded",
            )
        if size is not None and size.over:
            lane.last_event_id, lane.branch_failed = links.latest_state_event, True
            raise data_limit_exceeded(self.name)
        if len(outcome.outputs) + len(outcome.errors) < count:  # an enclosing lane was stopped
            lane.last_event_id = links.latest_event
            raise Stopped()
        # MapStateExited links where MapStateSucceeded does (AWS), so the lane does not follow it.
        lane.last_event_id = links.latest_event
        history.container_event("Map", "succeeded", links.latest_event)
        return [
            outcome.outputs[i] if i in outcome.outputs else error_output(outcome.errors[i])
            for i in range(count)
        ]

    def _allowed_failures(self, count: int, data: Any, context: dict) -> int:
        """How many iterations may fail before the Map fails (0 without a tolerance)."""
        allowed = count
        if self.tolerated_count is not None:
            allowed = min(allowed, self._number(self.tolerated_count, data, context, "ToleratedFailureCountPath"))
        percentage = self._percentage(data, context)
        if percentage is not None:
            allowed = min(allowed, math.floor(count * percentage / 100))
        if self.tolerated_count is None and self.tolerated_percentage is None:
            return 0
        return allowed

    def _items(self, data: Any, context: dict) -> list[Any]:
        """The items ItemsPath (JSONata: Items) selects: a JSON array."""
        items = data if self.items_path is None else _read(self.items_path, data, context, "ItemsPath")
        if not isinstance(items, list) and self.flow.query_language == "JSONata":
            # A JSONata Map without Items (test_map_state_items_input_types recordings).
            raise QueryEvaluationError(f"Map state input must be an array but was: {to_json(items)}")
        if not isinstance(items, list):
            raise StateDataError(
                f"Items of the Map state must be a JSON array, but ItemsPath selected: {_json_kind(items)}"
            )
        return items

    def _percentage(self, data: Any, context: dict) -> float | None:
        """ToleratedFailurePercentage, read from its path when given as one (None when absent)."""
        percentage = self.tolerated_percentage
        if percentage is None or isinstance(percentage, (int, float)):
            return percentage
        percentage = _read(percentage, data, context, "ToleratedFailurePercentagePath")
        if isinstance(percentage, bool) or not isinstance(percentage, (int, float)) or not 0 <= percentage <= 100:
            raise StateDataError(
                f"ToleratedFailurePercentagePath must select a number from 0 to 100, got {percentage!r}"
            )
        return percentage

    @staticmethod
    def _number(value: int | Reader, data: Any, context: dict, field: str) -> int:
        if isinstance(value, int):
            return value
        number = _read(value, data, context, field)
        if isinstance(number, str) and re.fullmatch(r"\d+", number):
            number = int(number)  # AWS reads a numeric string ("1") as the integer
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            if field == "MaxConcurrencyPath":  # AWS's cause (test_max_concurrency_path recordings)
                raise StateDataError(
                    f"The MaxConcurrencyPath field refers to value \"{java_text(number)}\" which is not a "
                    f"valid integer: {getattr(value, 'text', '')}"
                )
            raise StateDataError(f"{field} must select a non-negative integer, got {number!r}")
        return number


class _ResultSize:
    """The UTF-8 size of the Map's result array as its iterations succeed, so that a Map whose
    output can no longer fit AWS's 256 KiB payload quota fails then, not after every iteration."""

    def __init__(self, count: int) -> None:
        self.bytes = 2 + max(count - 1, 0)  # the brackets and commas
        self.over = False
        self._lock = threading.Lock()

    def add(self, carried: tuple[Any, str] | None, output: Any) -> bool:
        """Count one iteration's output (its JSON text, when the lane carries it); True once over."""
        text = carried[1] if carried is not None and carried[0] is output else to_json(output)
        length = len(text) if text.isascii() else len(text.encode("utf-8"))
        with self._lock:
            self.bytes += length
            self.over = self.over or self.bytes > PAYLOAD_LIMIT_BYTES
            return self.over


def _result_is_output(flow: Any) -> bool:
    """Whether the Map's result becomes its output unchanged (no ResultSelector, ResultPath,
    OutputPath or JSONata Output), so that the result's size is the output's."""
    return all(getattr(flow, field, None) is None
               for field in ("result_selector", "result_path", "output_path", "output"))


def _read(path: Reader, data: Any, context: dict, field: str) -> Any:
    try:
        return path.find(data, context)
    except PathNotFound as missing:
        raise StateDataError(f"{field}: {missing}") from None


def _json_kind(value: Any) -> str:
    return {dict: "an object", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
