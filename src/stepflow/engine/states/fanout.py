"""Running branches or iterations concurrently on an executor, without deadlock when nested.

A fixed number of workers pull indexes from a shared counter, so MaxConcurrency is simply the
number of workers. The caller submits all but one worker to the executor, runs one itself, then
for each submitted worker either waits for it (it is running) or, when it has not started yet
(``Future.cancel`` succeeds), runs it in its own thread. So a bounded pool shared by nested
Parallel/Map states can never deadlock: nobody waits on work that no thread is doing.

Each index runs on its own ``clock.timeline``, from the fork (or, past MaxConcurrency, from when an
earlier index ended), so on a VirtualClock concurrent branches' Waits and Retry intervals overlap as
on AWS whatever threads ran them; after the join the caller's time moves to the latest end.
"""
from __future__ import annotations

import contextvars
import heapq
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from stepflow.asl.errors import ASLError
from stepflow.runtime.clock import Clock
from stepflow.engine.states.base import Lane
from stepflow.runtime.signals import Stopped, StopSignal


@dataclass
class FanOutResult:
    """What each index ended as: ``outputs[i]`` when it succeeded, ``errors[i]`` when it failed,
    neither when it was stopped before finishing."""

    outputs: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, ASLError] = field(default_factory=dict)


class BranchLinks:
    """Where a Parallel/Map state's own events link (previousEventId), as AWS records them.

    A sequential Map iteration's MapIterationStarted follows the previous iteration's last *state*
    event (MapStateStarted for the first).
    ``...StateSucceeded`` (and the state's Exited event) follows the latest event of any branch;
    ``...StateFailed`` follows the failing branch's last state event, not MapIterationFailed.
    """

    def __init__(self, started: int) -> None:
        self._lock = threading.Lock()
        self.latest_state_event = started
        self.latest_event = started
        self.state_events: dict[int, int] = {}

    def ended(self, index: int, state_event: int) -> None:
        """Branch ``index`` ran its last state; ``state_event`` is that state's last event."""
        with self._lock:
            self.state_events[index] = state_event
            self.latest_state_event = max(self.latest_state_event, state_event)
            self.latest_event = max(self.latest_event, state_event)

    def seen(self, event_id: int) -> None:
        """``event_id`` (a MapIteration* event) closed a branch."""
        with self._lock:
            self.latest_event = max(self.latest_event, event_id)

    def failed(self, lane: Lane, outcome: FanOutResult, allowed: int = 0) -> None:
        """Point ``lane`` at the state event that failed the fan-out (its ``allowed + 1``-th failure)
        and mark it, so ``run_state`` records ``...StateFailed`` there unless the state is retried."""
        lane.last_event_id = self.state_events[list(outcome.errors)[allowed]]
        lane.branch_failed = True


def fan_out(
    executor: Executor | None,
    count: int,
    body: Callable[[int, StopSignal], Any],
    *,
    clock: Clock,
    workers: int,
    stop: StopSignal,
    stop_after_failures: int,
) -> FanOutResult:
    """Run ``body(index, stop)`` for every index below ``count`` on at most ``workers`` threads.

    Once ``stop_after_failures`` bodies have failed, ``stop`` is set so the others end at their
    next state boundary. Exceptions other than ASLError and Stopped (a timeout, a bug) stop the
    others too and are re-raised here.
    """
    result = FanOutResult()
    lock = threading.Lock()
    next_index = iter(range(count))

    # Virtual time: ``workers`` slots, each free from the fork on; an index runs on its own timeline
    # from the earliest-free slot's time, as AWS starts the next iteration when one ends.
    fork = clock.now()
    slots = [fork] * max(1, min(workers, count))
    ends: list[datetime] = []

    def timed(index: int) -> Any:
        with lock:
            start = heapq.heappop(slots)
        end = start
        try:
            with clock.timeline(start) as timeline:
                output = body(index, stop)
            end = timeline.end or start
            return output
        finally:
            with lock:
                heapq.heappush(slots, end)
                ends.append(end)

    def worker() -> None:
        try:
            while True:
                with lock:
                    index = next(next_index, None)
                if index is None or stop.is_set():
                    return
                try:
                    output = timed(index)
                except Stopped:
                    continue
                except ASLError as error:
                    with lock:
                        result.errors[index] = error
                        if len(result.errors) >= stop_after_failures:
                            stop.set()
                    continue
                with lock:
                    result.outputs[index] = output
        except BaseException:
            stop.set()
            raise

    workers = max(1, min(workers, count))
    # Each worker starts from the caller's context, so it reads the variables the caller's state sees.
    futures = (
        [executor.submit(contextvars.copy_context().run, worker) for _ in range(workers - 1)]
        if executor is not None
        else []
    )
    problem: BaseException | None = None
    for run_here in [None, *futures]:
        try:
            if run_here is None or run_here.cancel():
                worker()
            else:
                run_here.result()
        except BaseException as raised:  # keep joining the others before re-raising
            problem = problem or raised
    if ends:
        clock.wait_until(max(ends))
    if problem is not None:
        raise problem
    return result
