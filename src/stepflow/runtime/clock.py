"""Time as the engine sees it: real time for the CLI, virtual time for tests.

Wait states and Retry intervals never call ``time.sleep`` directly; they ask a ``Clock``. A
``VirtualClock`` makes a one-hour Wait cost nothing, so tests of timing behaviour stay fast and
their timestamps reproducible.
"""
from __future__ import annotations

import threading
import time
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, runtime_checkable

if TYPE_CHECKING:
    from stepflow.runtime.signals import StopSignal

# A fixed start a test can pin virtual time to (``VirtualClock(DEFAULT_VIRTUAL_START)``), so the
# histories it records are reproducible.
DEFAULT_VIRTUAL_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


class Timeline:
    """A branch's time span on a clock; ``end`` is set when its ``timeline()`` block exits."""

    end: datetime | None = None


@runtime_checkable
class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> datetime:
        """The current time, UTC-aware."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (negative or zero: return at once)."""
        ...

    def wait(self, seconds: float, stop: StopSignal | None = None) -> bool:
        """Let ``seconds`` pass, ending early when ``stop`` is set first; True when stopped."""
        ...

    def wait_until(self, moment: datetime, stop: StopSignal | None = None) -> bool:
        """Wait until ``moment`` (timezone-aware; a past moment returns at once); True when stopped."""
        ...

    def catch_up(self) -> datetime:
        """The time a lane waiting on the outside world lives at (see VirtualClock.catch_up)."""
        ...

    def timeline(self, start: datetime | None = None) -> AbstractContextManager[Timeline]:
        """Context for one concurrent branch forked at ``start`` (see VirtualClock)."""
        ...


class RealClock:
    """Wall-clock time. ``on_long_wait(seconds)`` hears of every pause of ``long_wait`` seconds or
    more before it begins (the CLI says on stderr what waits and until when)."""

    def __init__(self, on_long_wait: Callable[[float], None] | None = None, long_wait: float = 5.0) -> None:
        self.on_long_wait = on_long_wait
        self.long_wait = long_wait

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def waiting(self, seconds: float) -> None:
        """A pause of ``seconds`` is about to begin."""
        if self.on_long_wait is not None and seconds >= self.long_wait:
            self.on_long_wait(seconds)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.waiting(seconds)
            time.sleep(seconds)

    def wait(self, seconds: float, stop: StopSignal | None = None) -> bool:
        if stop is None:
            self.sleep(seconds)
            return False
        self.waiting(seconds)
        return seconds > 0 and stop.wait(seconds)

    def wait_until(self, moment: datetime, stop: StopSignal | None = None) -> bool:
        return self.wait((_aware(moment) - self.now()).total_seconds(), stop)

    def catch_up(self) -> datetime:
        return self.now()

    @contextmanager
    def timeline(self, start: datetime | None = None) -> Iterator[Timeline]:
        """Real branches overlap by themselves; this only records when the branch ended."""
        timeline = Timeline()
        try:
            yield timeline
        finally:
            timeline.end = self.now()


class VirtualClock:
    """Time that moves only when someone sleeps, and then instantly.

    The model: one shared, monotonic ``now`` (the frontier). ``sleep(s)`` moves it forward by ``s``
    under a lock and returns at once, so concurrent sleepers never block each other and cannot
    deadlock. Left at that, sleeps in concurrent branches add up (two parallel one-hour Waits end
    two virtual hours later).

    To let concurrent branches overlap as on AWS, run each branch inside ``timeline(fork_time)``:
    on that thread ``now()`` and ``sleep()`` then use the branch's own cursor, starting at the
    fork, and every wake time also pushes the frontier forward. After joining the branches, a
    caller outside any timeline sees the frontier, the latest branch end; a caller inside one
    (a nested Parallel) calls ``clock.wait_until(max(branch ends))``.
    """

    def __init__(self, start: datetime | None = None) -> None:
        """Virtual time from ``start``; by default from the real current time (whole milliseconds,
        as history timestamps show it), so a run's dates say when it ran."""
        if start is None:
            real = datetime.now(timezone.utc)
            start = real.replace(microsecond=real.microsecond // 1000 * 1000)
        if start.tzinfo is None:
            raise ValueError(f"VirtualClock needs a timezone-aware start, got {start.isoformat()}")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()
        self._local = threading.local()

    def now(self) -> datetime:
        cursor = self._cursor()
        if cursor is not None:
            return cursor
        return self._now  # one reference read: atomic, no lock needed

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        cursor = self._cursor()
        if cursor is not None:
            self.advance_to(cursor + timedelta(seconds=seconds))
            return
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)

    def wait(self, seconds: float, stop: StopSignal | None = None) -> bool:
        """Virtual time passes at once, so nothing can stop it midway."""
        self.sleep(seconds)
        return False

    def wait_until(self, moment: datetime, stop: StopSignal | None = None) -> bool:
        self.advance_to(_aware(moment))
        return False

    def advance_to(self, moment: datetime) -> None:
        """Move time forward to ``moment``; a moment already past leaves time unchanged."""
        cursor = self._cursor()
        if cursor is not None and moment > cursor:
            self._local.cursor = moment
        with self._lock:
            if moment > self._now:
                self._now = moment

    def catch_up(self) -> datetime:
        """Bring this thread's timeline up to the latest time reached anywhere, and return it.

        A branch waiting on the outside world (a callback task's answer) lives at the outside's
        time: a test that moves the clock moves every waiting branch with it.
        """
        with self._lock:
            frontier = self._now
        cursor = self._cursor()
        if cursor is not None and frontier > cursor:
            self._local.cursor = frontier
        return self.now()

    @contextmanager
    def timeline(self, start: datetime | None = None) -> Iterator[Timeline]:
        """Run a concurrent branch on its own cursor from ``start`` (default: this thread's now).

        The yielded Timeline's ``end`` is the branch's time when the block exits.
        """
        saved = self._cursor()
        self._local.cursor = start if start is not None else self.now()
        timeline = Timeline()
        try:
            yield timeline
        finally:
            timeline.end = self._local.cursor
            self._local.cursor = saved

    def _cursor(self) -> datetime | None:
        return getattr(self._local, "cursor", None)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"a clock needs a timezone-aware moment, got {moment.isoformat()}")
    return moment
