"""The Step Functions API's Map Run operations (DescribeMapRun, ListMapRuns, UpdateMapRun, and
ListExecutions by mapRunArn), over the Map Runs a client's executions start. The client delegates
to one ``MapRunApi`` so these stay apart from its own operations."""
from __future__ import annotations

import math
import threading
from typing import Any

from stepflow.api import shapes as api_shapes
from stepflow.api.errors import InvalidArn, ResourceNotFound, ValidationException
from stepflow.api.pagination import page
from stepflow.engine.maprun.record import MapRun


class MapRunApi:
    def __init__(self) -> None:
        self._runs: dict[str, MapRun] = {}
        self._lock = threading.Lock()

    def track(self, map_run: MapRun) -> None:
        """Called as a Map Run starts (``MapRunSettings.on_map_run``)."""
        with self._lock:
            self._runs[map_run.map_run_arn] = map_run

    def describe_map_run(self, *, mapRunArn: str, **_: Any) -> dict[str, Any]:
        return self._find(mapRunArn, "DescribeMapRun").describe()

    def list_map_runs(self, *, executionArn: str, maxResults: int = 100, nextToken: str | None = None,
                      **_: Any) -> dict[str, Any]:
        with self._lock:
            runs = [run for run in self._runs.values() if run.execution_arn == executionArn]
        return page([run.list_item() for run in runs], "mapRuns", maxResults, nextToken, 100)

    def update_map_run(self, *, mapRunArn: str, maxConcurrency: int | None = None,
                       toleratedFailurePercentage: float | None = None,
                       toleratedFailureCount: int | None = None, **_: Any) -> dict[str, Any]:
        """Change a running Map Run's limits; the dispatcher applies them at its next step."""
        run = self._find(mapRunArn, "UpdateMapRun")
        for name, value, low, high in (
            ("maxConcurrency", maxConcurrency, 0, math.inf),
            ("toleratedFailureCount", toleratedFailureCount, 0, math.inf),
            ("toleratedFailurePercentage", toleratedFailurePercentage, 0, 100),
        ):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high):
                raise ValidationException(f"Value '{value}' at '{name}' failed to satisfy constraint", "UpdateMapRun")
        if maxConcurrency is None and toleratedFailureCount is None and toleratedFailurePercentage is None:
            raise ValidationException("At least one of the parameters must be specified", "UpdateMapRun")
        run.update(max_concurrency=maxConcurrency, tolerated_failure_count=toleratedFailureCount,
                   tolerated_failure_percentage=toleratedFailurePercentage)
        return {}

    def list_children(self, *, mapRunArn: str, statusFilter: str | None = None, maxResults: int = 100,
                      nextToken: str | None = None) -> dict[str, Any]:
        """ListExecutions with a mapRunArn: the Map Run's child executions, newest first."""
        run = self._find(mapRunArn, "ListExecutions")
        listed = [
            api_shapes.list_item(child) | {"mapRunArn": run.map_run_arn}
            for child in reversed(run.children) if statusFilter in (None, child.status)
        ]
        return page(listed, "executions", maxResults, nextToken, 100)

    def _find(self, arn: str, operation: str) -> MapRun:
        if not isinstance(arn, str) or not arn.startswith("arn:") or ":mapRun:" not in arn:
            raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'", operation)
        with self._lock:
            run = self._runs.get(arn)
        if run is None:
            raise ResourceNotFound(f"Resource not found: '{arn}'", operation)
        return run

