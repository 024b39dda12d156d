"""Wait: delays its lane by Seconds, until a Timestamp, or by either read from the input."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from stepflow.asl.paths import PathNotFound, StateDataError, to_json
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
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise StateDataError(
                    f"The SecondsPath parameter does not reference a valid integer value: {seconds!r}"
                )
            lane.sleep(seconds)
        elif self.timestamp_path is not None:
            value = self._read(self.timestamp_path, data, context)
            moment = parse_timestamp(value)
            if moment is None:
                raise StateDataError(
                    "The TimestampPath parameter does not reference a valid ISO-8601 "
                    f"extended offset date-time format string: {_selected(self.timestamp_path, value)}"
                )
            lane.sleep_until(moment.to_datetime())
        return data

    @staticmethod
    def _read(path: Reader, data: Any, context: Any) -> Any:
        try:
            return path.find(data, context)
        except PathNotFound as missing:
            raise StateDataError(str(missing)) from None


def _selected(path: Reader, value: Any) -> str:
    """What AWS's cause shows of a bad TimestampPath value: ``$.TimestampValue == 2016-12-05T21:29:29``
    (the path and the value as text; a JSONata Timestamp has no path, so only the value)."""
    text = value if isinstance(value, str) else to_json(value)
    source = getattr(path, "text", None)
    return f"{source} == {text}" if isinstance(source, str) else text
