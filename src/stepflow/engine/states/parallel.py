"""Parallel: runs every branch on its own copy of the effective input, concurrently; the result is
the array of branch outputs. When a branch fails the others are stopped and the state fails with
that branch's error, unchanged (so a Catch on the Parallel state sees the branch's own error name)."""
from __future__ import annotations

from typing import Any

from stepflow.engine.states.base import CompiledBranch, CompiledState, Lane, Stopped, StopSignal, run_lane
from stepflow.engine.states.fanout import fan_out
from stepflow.engine.trace import StepRecord


class ParallelState(CompiledState):
    def __init__(self, *args: Any, branches: list[CompiledBranch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.branches = branches

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        history = lane.run.history
        started = lane.follow(history.container_event("Parallel", "started", lane.last_event_id))
        last_event_ids: list[int] = [started]

        def run_branch(index: int, stop: StopSignal) -> Any:
            branch_lane = lane.child((*lane.scope, self.name, index), started, stop)
            try:
                return run_lane(self.branches[index], data, branch_lane)
            finally:
                last_event_ids.append(branch_lane.last_event_id)

        count = len(self.branches)
        outcome = fan_out(
            lane.run.executor,
            count,
            run_branch,
            workers=count,
            stop=StopSignal(lane.stop),
            stop_after_failures=1,
        )
        # The closing event follows the last event of the branch that finished last.
        lane.last_event_id = max(last_event_ids)
        if outcome.errors:
            lane.follow(history.container_event("Parallel", "failed", lane.last_event_id))
            raise next(iter(outcome.errors.values()))
        if len(outcome.outputs) < count:  # an enclosing lane was stopped
            raise Stopped()
        lane.follow(history.container_event("Parallel", "succeeded", lane.last_event_id))
        return [outcome.outputs[index] for index in range(count)]
