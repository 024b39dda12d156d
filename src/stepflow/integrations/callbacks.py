"""Task tokens: callback tasks (``.waitForTaskToken``) and activities waiting for an answer.

A waiting task is answered from outside the execution, as on AWS: SendTaskSuccess /
SendTaskFailure / SendTaskHeartbeat with its token, and for activities a worker that first takes
the task with GetActivityTask. Timeouts follow the developer guide: TimeoutSeconds runs from the
moment the task is scheduled (an activity's time in the queue counts), HeartbeatSeconds from the
task's start (an activity's pickup by a worker) or its latest heartbeat; both are measured on the
execution's clock, so on a VirtualClock a test moves time itself (``clock.sleep(301)``), and a
task waiting inside a Parallel branch or Map iteration follows that outside time.

A run that nobody outside can answer (``StateMachine.run`` blocks its caller) *settles* its waits
on a VirtualClock: once nothing has happened for ``SETTLE_AFTER_SECONDS`` (real), time moves to the
earliest deadline of its waiting tasks, so timeouts fire as AWS would fire them; a task with no
deadline left raises ``NoAnswerComing`` instead of waiting for ever.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterator

from stepflow.api.errors import InvalidToken, TaskDoesNotExist, TaskTimedOut
from stepflow.asl.errors import TIMEOUT, ASLError
from stepflow.runtime.clock import Clock
from stepflow.runtime.signals import HeartbeatTimedOut

# How often (real seconds) a waiting task looks at its clock, its deadline and its lane.
POLL_SECONDS = 0.01
# How long (real seconds) a settling wait lets a thread a handler started answer before time moves.
SETTLE_AFTER_SECONDS = 0.3
MAX_TOKEN_LENGTH = 1024  # SendTask* taskToken: 1-1024 characters


def new_task_token() -> str:
    """An opaque, unguessable token, like AWS's (a long URL-safe string)."""
    return secrets.token_urlsafe(96)


@dataclass(eq=False)
class PendingTask:
    """A task waiting for its answer; ``outcome`` is ("success", output) or ("failure", ASLError)."""

    token: str
    input: Any
    state_name: str
    clock: Clock
    scheduled_at: datetime
    activity_arn: str | None = None
    worker_name: str | None = None
    started_at: datetime | None = None
    last_heartbeat: datetime | None = None
    outcome: tuple[str, Any] | None = None
    closed: bool = False
    # Set while a settling wait (see the module's docstring) waits: its next deadline, or None.
    settling: bool = False
    next_deadline: datetime | None = None


class NoAnswerComing(Exception):
    """A settling wait whose task has no deadline: nothing can ever answer it."""

    def __init__(self, task: PendingTask) -> None:
        super().__init__(task.state_name)
        self.task = task


@dataclass
class CallbackHub:
    """The tokens of every task waiting for an answer, shared by the executions of one client."""

    _tasks: dict[str, PendingTask] = field(default_factory=dict)
    _queues: dict[str, deque[PendingTask]] = field(default_factory=dict)
    _activities: set[str] = field(default_factory=set)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _version: int = 0  # bumped (under the lock) whenever a task is opened, answered or taken

    def create_activity(self, activity_arn: str) -> None:
        """Let tasks be scheduled on ``activity_arn`` (CreateActivity)."""
        with self._changed:
            self._activities.add(activity_arn)

    def delete_activity(self, activity_arn: str) -> None:
        with self._changed:
            self._activities.discard(activity_arn)

    def activity_exists(self, activity_arn: str) -> bool:
        with self._changed:
            return activity_arn in self._activities

    def open(
        self, token: str, input: Any, state_name: str, clock: Clock, activity_arn: str | None = None
    ) -> PendingTask:
        """Register a task waiting on ``token``; an activity task also joins its activity's queue."""
        now = clock.now()
        task = PendingTask(token, input, state_name, clock, now, activity_arn)
        with self._changed:
            self._tasks[token] = task
            if activity_arn is None:
                task.started_at = task.last_heartbeat = now
            else:
                self._queues.setdefault(activity_arn, deque()).append(task)
            self._touch()
        return task

    def pending(self, state_name: str | None = None) -> list[PendingTask]:
        """Tasks still waiting (optionally only those of one state), oldest first: how a test finds
        the token a callback task is waiting on."""
        with self._changed:
            return list(self._waiting(state_name))

    def wait_for_pending(self, state_name: str | None = None, timeout: float = 5.0) -> PendingTask:
        """The oldest waiting task (of ``state_name``), waiting up to ``timeout`` real seconds for one."""
        with self._changed:
            found = self._changed.wait_for(lambda: next(self._waiting(state_name), None), timeout)
        if not found:
            which = f"of {state_name!r} " if state_name else ""
            raise TimeoutError(f"no task {which}is waiting for a callback")
        return found

    def _waiting(self, state_name: str | None) -> Iterator[PendingTask]:
        """Unanswered tasks (of ``state_name``), oldest first; call with the lock held."""
        for task in self._tasks.values():
            if not task.closed and task.outcome is None and state_name in (None, task.state_name):
                yield task

    # --- answers from outside (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat) -------------

    def knows(self, token: Any) -> bool:
        """Whether ``token`` is one of this hub's tasks (answered or not)."""
        return isinstance(token, str) and token in self._tasks

    def send_success(self, token: str, output: Any) -> None:
        self._answer(token, ("success", output))

    def send_failure(self, token: str, error: str | None, cause: str | None) -> None:
        self._answer(token, ("failure", ASLError(error, cause)))  # type: ignore[arg-type]

    def send_heartbeat(self, token: str) -> None:
        with self._changed:
            task = self._open_task(token)
            task.last_heartbeat = task.clock.now()
            self._touch()

    def _answer(self, token: str, outcome: tuple[str, Any]) -> None:
        with self._changed:
            self._open_task(token).outcome = outcome
            self._touch()

    def _open_task(self, token: str) -> PendingTask:
        if not isinstance(token, str) or not 1 <= len(token) <= MAX_TOKEN_LENGTH:
            raise InvalidToken("Invalid token")
        task = self._tasks.get(token)
        if task is None:
            raise TaskDoesNotExist("Task does not exist")
        if task.closed or task.outcome is not None:
            raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")
        return task

    def _touch(self) -> None:
        """Something changed: wake the waiters; call with the lock held."""
        self._version += 1
        self._changed.notify_all()

    def close(self, task: PendingTask) -> None:
        """The task's wait is over (answered, failed, timed out or stopped): later answers are refused."""
        with self._changed:
            task.closed = True
            self._touch()

    # --- activity workers (GetActivityTask) -------------------------------------------------------

    def take_activity_task(self, activity_arn: str, worker_name: str | None, wait_seconds: float) -> PendingTask | None:
        """The oldest queued task of ``activity_arn``, marked started by ``worker_name``; waits up to
        ``wait_seconds`` real seconds (GetActivityTask long-polls), None when nothing came."""

        def first_queued() -> PendingTask | None:
            queue = self._queues.get(activity_arn)
            while queue and queue[0].closed:
                queue.popleft()
            return queue.popleft() if queue else None

        with self._changed:
            task = self._changed.wait_for(first_queued, wait_seconds)
            if task is not None:
                task.worker_name = worker_name
                task.started_at = task.last_heartbeat = task.clock.now()
                self._touch()
            return task

    # --- the waiting side (the execution's lane) --------------------------------------------------

    def wait(
        self,
        task: PendingTask,
        *,
        timeout_seconds: float | None,
        heartbeat_seconds: float | None,
        check: Callable[[], None],
        on_start: Callable[[PendingTask], None] | None = None,
        settle: bool = False,
    ) -> Any:
        """Block until ``task`` is answered: its output, or the ASLError it failed with.

        ``check`` raises when the lane must stop (the execution was stopped or timed out);
        ``on_start`` is told once when a worker takes an activity task. A lapsed TimeoutSeconds
        raises States.Timeout, a lapsed HeartbeatSeconds a HeartbeatTimedOut. ``settle`` (on a
        VirtualClock) moves time when nobody answers; see the module's docstring.
        """
        clock = task.clock
        deadline = task.scheduled_at + timedelta(seconds=timeout_seconds) if timeout_seconds else None
        announced = task.activity_arn is None
        settle = settle and hasattr(clock, "advance_to")  # only time that can be moved (VirtualClock)
        quiet_since, seen = time.monotonic(), (-1, clock.now())
        try:
            while True:
                with self._changed:
                    outcome, started, beat = task.outcome, task.started_at, task.last_heartbeat
                    if outcome is None:
                        self._changed.wait(POLL_SECONDS)
                if not announced and started is not None:
                    announced = True
                    if on_start is not None:
                        on_start(task)
                if outcome is not None:
                    kind, value = outcome
                    if kind == "failure":
                        raise value
                    return value
                now = clock.catch_up()
                if deadline is not None and now >= deadline:
                    raise ASLError(TIMEOUT)
                heartbeat_due = beat + timedelta(seconds=heartbeat_seconds) if heartbeat_seconds and beat else None
                if heartbeat_due is not None and now >= heartbeat_due:
                    raise HeartbeatTimedOut()
                check()
                if settle:
                    with self._changed:
                        task.settling = True
                        task.next_deadline = min((d for d in (deadline, heartbeat_due) if d), default=None)
                        if (self._version, now) != seen:
                            quiet_since, seen = time.monotonic(), (self._version, now)
                        elif time.monotonic() - quiet_since >= SETTLE_AFTER_SECONDS:
                            self._settle(task)
        finally:
            self.close(task)

    def _settle(self, task: PendingTask) -> None:
        """Nothing moved for a while: move time to the earliest deadline among the settling tasks on
        ``task``'s clock when it is ``task``'s own; with no deadline anywhere, nothing can answer it.
        Call with the lock held."""
        deadlines = [
            other.next_deadline
            for other in self._waiting(None)
            if other.settling and other.clock is task.clock and other.next_deadline is not None
        ]
        if not deadlines:
            raise NoAnswerComing(task)
        if task.next_deadline == min(deadlines):
            task.clock.advance_to(task.next_deadline)  # type: ignore[attr-defined]
