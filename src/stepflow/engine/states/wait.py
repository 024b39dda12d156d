"""Wait: delays its lane by Seconds, until a Timestamp, or by either read from the input."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from stepflow.asl.jsonata import QueryEvaluationError
from stepflow.asl.paths import PathNotFound, StateDataError, java_text
from stepflow.asl.timestamps import parse_timestamp
from stepflow.engine.dataflow import Reader
from stepflow.engine.states.base import CompiledState, Lane
from stepflow.engine.trace import StepRecord


class WaitState(CompiledState):
    def __init__(
        self,
        *args: Any,
        seconds: int | None = None,
        timestamp: datetime | None = None,
        seconds_path: Reader | None = None,
        timestamp_path: Reader | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.seconds, self.timestamp = seconds, timestamp
        self.seconds_path, self.timestamp_path = seconds_path, timestamp_path

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        if self.seconds is not None:
            lane.sleep(self.seconds)
        elif self.timestamp is not None:
            lane.sleep_until(self.timestamp)
        elif self.seconds_path is not None:
            seconds = self._read(self.seconds_path, data, context)
            lane.sleep(_seconds(self.seconds_path, seconds))
        elif self.timestamp_path is not None:
            value = self._read(self.timestamp_path, data, context)
            moment = parse_timestamp(value)
            if moment is None:
                source = getattr(self.timestamp_path, "text", None)
                if not isinstance(source, str):  # a JSONata Timestamp (test_wait_timestamp_jsonata)
                    raise QueryEvaluationError(
                        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                        f"format string: {java_text(value)}",
                        "Timestamp",
                    )
                raise StateDataError(
                    "The TimestampPath parameter does not reference a valid ISO-8601 "
                    f"extended offset date-time format string: {source} == {java_text(value)}"
                )
            lane.sleep_until(moment.to_datetime())
        return data

    @staticmethod
    def _read(path: Reader, data: Any, context: Any) -> Any:
        try:
            return path.find(data, context)
        except PathNotFound as missing:
            raise StateDataError(str(missing)) from None


def _seconds(path: Reader, value: Any) -> int:
    """SecondsPath's value, refused with AWS's causes (test_wait.snapshot.json): "references a
    negative value: $.x == -1", "cannot be parsed as a long value: $.x == 1.5"."""
    shown = f"{getattr(path, 'text', '')} == {java_text(value)}"
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer()
            or not -(2**63) <= value < 2**63):  # a Java long
        raise StateDataError(f"The SecondsPath parameter cannot be parsed as a long value: {shown}")
    if value < 0:
        raise StateDataError(f"The SecondsPath parameter references a negative value: {shown}")
    return int(value)
