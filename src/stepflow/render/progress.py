"""A one-line progress display for long runs (a Map over thousands of items), fed event by event.

The engine calls a ``ProgressLine`` with each history event as it is appended (from any thread);
on a terminal it rewrites one line at most every ``interval`` seconds, e.g.
``ProcessItems: 1234/5000 items (2 failed) · 8765 events``. ``start()`` also redraws it on a timer,
so a run with no events for a while (a real-time Wait) shows how long its latest state has been
at it: ``Wait1 for 42 s · 3 events``.
"""
from __future__ import annotations

import threading
import time
from typing import Any, Callable, TextIO

from stepflow.engine.history import details_key


class ProgressLine:
    def __init__(self, stream: TextIO, interval: float = 0.2, now: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.interval = interval
        self.now = now
        self.events = 0
        self.maps: dict[str, list[int]] = {}  # Map state name -> [items, done, failed]
        self._map_entered: dict[int, str] = {}  # MapStateEntered event id -> state name
        self._lock = threading.Lock()
        self._shown_at = float("-inf")
        self._width = 0
        self.state: str | None = None  # the state entered last
        self._last_event_at = now()
        self._stopped = threading.Event()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.events += 1
            moment = self._last_event_at = self.now()
            kind = event["type"]
            entered = event.get("stateEnteredEventDetails")
            if entered is not None:
                self.state = entered["name"]
            if kind == "MapStateEntered":
                self._map_entered[event["id"]] = event["stateEnteredEventDetails"]["name"]
            elif kind == "MapStateStarted":
                name = self._map_entered.get(event.get("previousEventId"), "Map")
                length = (event.get("mapStateStartedEventDetails") or {}).get("length", 0)
                self.maps[name] = [length, 0, 0]
            elif kind in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
                counts = self.maps.setdefault(event[details_key(kind)]["name"], [0, 0, 0])
                counts[1] += 1
                counts[2] += kind != "MapIterationSucceeded"
            if moment - self._shown_at >= self.interval:
                self._shown_at = moment
                self._show(self.text(moment))

    def text(self, moment: float | None = None) -> str:
        parts = []
        for name, (items, done, failed) in self.maps.items():
            if done < items:  # only Maps still running
                parts.append(f"{name}: {done}/{items} items" + (f" ({failed} failed)" if failed else ""))
        idle = int((self.now() if moment is None else moment) - self._last_event_at)
        if idle >= 1 and self.state is not None:
            parts.append(f"{self.state} for {idle} s")
        parts.append(f"{self.events} events")
        return " · ".join(parts)

    def start(self) -> ProgressLine:
        """Redraw every ``interval`` seconds, events or not, until ``finish``."""

        def redraw() -> None:
            while not self._stopped.wait(self.interval):
                with self._lock:
                    self._show(self.text())

        threading.Thread(target=redraw, name="stepflow-progress", daemon=True).start()
        return self

    def finish(self) -> None:
        """Stop redrawing and clear the line so what is printed next starts clean."""
        self._stopped.set()
        with self._lock:
            if self._width and self.stream.isatty():
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()

    def _show(self, text: str) -> None:
        if not self.stream.isatty():
            return
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = max(self._width, len(text))
