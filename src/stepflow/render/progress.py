"""A one-line progress display for long runs (a Map over thousands of items), fed event by event.

The engine calls a ``ProgressLine`` with each history event as it is appended (from any thread);
on a terminal it rewrites one line at most every ``interval`` seconds, e.g.
``ProcessItems: 1234/5000 items (2 failed) · 8765 events``.
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

    def __call__(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.events += 1
            kind = event["type"]
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
            moment = self.now()
            if moment - self._shown_at >= self.interval:
                self._shown_at = moment
                self._show(self.text())

    def text(self) -> str:
        parts = []
        for name, (items, done, failed) in self.maps.items():
            if done < items:  # only Maps still running
                parts.append(f"{name}: {done}/{items} items" + (f" ({failed} failed)" if failed else ""))
        parts.append(f"{self.events} events")
        return " · ".join(parts)

    def finish(self) -> None:
        """Clear the line so what is printed next starts clean."""
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
