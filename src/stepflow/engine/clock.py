"""Time as the engine sees it: real time for the CLI, virtual time for tests.

Wait states and Retry intervals never call ``time.sleep`` directly; they ask a ``Clock``. A
``VirtualClock`` makes a one-hour Wait cost nothing, so tests of timing behaviour stay fast and
their timestamps reproducible.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Protocol, runtime_checkable

# A fixed default start for virtual time, so histories recorded in tests are reproducible.
DEFAULT_VIRTUAL_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


@runtime_checkable
class Clock(Protocol):
    """What the engine needs from time."""

    def now(self) -> datetime:
        """The current time, UTC-aware."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass (negative or zero: return at once)."""
        ...


class RealClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """Time that moves only when someone sleeps, and then instantly.

    The model: one shared, monotonic ``now``. ``sleep(s)`` moves ``now`` forward by ``s`` under a
    lock and returns at once, so concurrent sleepers never block each other and cannot deadlock.
    Sleeps in concurrent branches therefore add up rather than overlap (two parallel one-hour Waits
    end two virtual hours later): virtual time is an upper bound of AWS's elapsed time, and every
    timestamp handed out is still ordered the way the events happened.
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or DEFAULT_VIRTUAL_START
        if start.tzinfo is None:
            raise ValueError(f"VirtualClock needs a timezone-aware start, got {start.isoformat()}")
        self._now = start.astimezone(timezone.utc)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        with self._lock:
            self._now = self._now + timedelta(seconds=seconds)

    def advance_to(self, moment: datetime) -> None:
        """Move time forward to ``moment``; a moment already past leaves time unchanged."""
        with self._lock:
            if moment > self._now:
                self._now = moment


def sleep_until(clock: Clock, moment: datetime) -> None:
    """Sleep on ``clock`` until ``moment`` (a Wait state's Timestamp); a past moment returns at once."""
    if moment.tzinfo is None:
        raise ValueError(f"sleep_until needs a timezone-aware moment, got {moment.isoformat()}")
    if isinstance(clock, VirtualClock):
        clock.advance_to(moment)
        return
    clock.sleep((moment - clock.now()).total_seconds())
