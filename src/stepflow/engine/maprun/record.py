"""A Map Run's record: what DescribeMapRun and ListMapRuns report, and its child executions'
summaries (for ListExecutions with a mapRunArn). Updated only by the Map Run's dispatcher thread;
``update`` (UpdateMapRun) changes the limits the dispatcher reads on its next step."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stepflow.engine.maprun.child import ChildSummary

STATUSES = ("pending", "running", "succeeded", "failed", "timedOut", "aborted")
# A child execution's status -> its MapRunExecutionCounts field.
COUNT_OF_STATUS = {
    "SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timedOut", "ABORTED": "aborted",
}


@dataclass(eq=False)
class MapRun:
    map_run_arn: str
    execution_arn: str
    state_machine_arn: str  # the children's: stateMachine:<machine>/<Label or state name>
    start_date: datetime
    max_concurrency: int
    tolerated_failure_count: int
    tolerated_failure_percentage: float
    status: str = "RUNNING"
    stop_date: datetime | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*STATUSES, "total", "resultsWritten"), 0))
    children: list[ChildSummary] = field(default_factory=list)

    def started(self, count: int = 1) -> None:
        self.counts["running"] += count
        self.counts["total"] += count

    def ended(self, child: ChildSummary, keep: bool = True) -> None:
        self.counts["running"] -= 1
        self.counts[COUNT_OF_STATUS[child.status]] += 1
        if keep:
            self.children.append(child)

    def never_started(self, count: int) -> None:
        """Children dispatched but cancelled before they ran (the Map Run failed or was stopped)."""
        self.counts["running"] -= count
        self.counts["pending"] += count

    def finish(self, status: str, when: datetime) -> None:
        self.status, self.stop_date = status, when

    def update(self, *, max_concurrency: int | None = None, tolerated_failure_count: int | None = None,
               tolerated_failure_percentage: float | None = None) -> None:
        if max_concurrency is not None:
            self.max_concurrency = max_concurrency
        if tolerated_failure_count is not None:
            self.tolerated_failure_count = tolerated_failure_count
        if tolerated_failure_percentage is not None:
            self.tolerated_failure_percentage = float(tolerated_failure_percentage)

    def describe(self) -> dict[str, Any]:
        """DescribeMapRun's response (API reference; test_sfn_api_map_run recording): items and
        executions count alike, one item per child (a batch counts as one child's items here)."""
        counts = {**self.counts, "failuresNotRedrivable": 0, "pendingRedrive": 0}
        described: dict[str, Any] = {
            "mapRunArn": self.map_run_arn,
            "executionArn": self.execution_arn,
            "status": self.status,
            "startDate": self.start_date,
            "maxConcurrency": self.max_concurrency,
            "toleratedFailurePercentage": self.tolerated_failure_percentage,
            "toleratedFailureCount": self.tolerated_failure_count,
            "itemCounts": dict(counts),
            "executionCounts": dict(counts),
            "redriveCount": 0,
        }
        if self.stop_date is not None:
            described["stopDate"] = self.stop_date
        return described

    def list_item(self) -> dict[str, Any]:
        """A MapRunListItem (ListMapRuns)."""
        item: dict[str, Any] = {
            "executionArn": self.execution_arn,
            "mapRunArn": self.map_run_arn,
            "stateMachineArn": self.state_machine_arn,
            "startDate": self.start_date,
        }
        if self.stop_date is not None:
            item["stopDate"] = self.stop_date
        return item
