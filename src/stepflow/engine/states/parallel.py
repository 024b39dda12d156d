"""Parallel: runs every branch on its own copy of the effective input, concurrently; the result is
the array of branch outputs. When a branch fails the others are stopped and the state fails with
that branch's error, unchanged (so a Catch on the Parallel state sees the branch's own error name)."""
from __future__ import annotations

from typing import Any

from stepflow.engine.states.base import CompiledBranch, CompiledState, Lane, run_lane
from stepflow.runtime.signals import Stopped, StopSignal
from stepflow.engine.states.fanout import BranchLinks, fan_out
from stepflow.engine.trace import StepRecord


class ParallelState(CompiledState):
    def __init__(self, *args: Any, branches: list[CompiledBranch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.branches = branches

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        history = lane.run.history
        started = lane.follow(history.container_event("Parallel", "started", lane.last_event_id))
        links = BranchLinks(started)

        def run_branch(index: int, stop: StopSignal) -> Any:
            branch_lane = lane.child((*lane.scope, self.name, index), started, stop)
            try:
                return run_lane(self.branches[index], data, branch_lane)
            finally:
                links.ended(index, branch_lane.last_event_id)

        count = len(self.branches)
        outcome = fan_out(
            lane.run.executor,
            count,
            run_branch,
            clock=lane.run.clock,
            workers=count,
            stop=StopSignal(lane.stop),
            stop_after_failures=1,
        )
        if outcome.errors:
            links.failed(lane, outcome)
            raise next(iter(outcome.errors.values()))
        # The closing events follow the last event of the branch that finished last; ParallelStateExited
        # links where ParallelStateSucceeded does (AWS), so the lane does not follow the latter.
        lane.last_event_id = links.latest_event
        if len(outcome.outputs) < count:  # an enclosing lane was stopped
            raise Stopped()
        history.container_event("Parallel", "succeeded", links.latest_event)
        return [outcome.outputs[index] for index in range(count)]
