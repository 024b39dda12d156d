"""An execution's timeline: each state visit as a bar over time, as the AWS console's execution
timeline ("Timeline" view of the Events table) draws it.

Rows follow the order states were entered; a visit inside a Parallel branch or a Map iteration is
indented under it and labelled with its branch or iteration; each attempt of a Task (the first and
each retry) is a bar of its own inside the visit's bar, failed attempts in the failure colour.
Times come from the history's timestamps, so a virtual-clock run draws its virtual time.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stepflow.render.overlay import STATUS_COLOURS

ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH, ROWS_SHOWN = 22, 260, 560, 400
_ATTEMPT_START = ("Scheduled",)
_ATTEMPT_END = ("Succeeded", "Failed", "TimedOut", "ScheduleFailed", "StartFailed", "SubmitFailed")


@dataclass(frozen=True)
class Bar:
    label: str
    depth: int
    start: datetime
    end: datetime
    status: str  # a key of overlay.STATUS_COLOURS
    attempts: tuple[tuple[datetime, datetime, bool], ...] = ()  # (start, end, failed)


def timeline_bars(history: list[dict[str, Any]], steps: list[Any], now: datetime | None = None) -> list[Bar]:
    """A bar per state visit (``steps`` give the visits, ``history`` their times); a visit still
    running ends at ``now`` (or the last event)."""
    events = {event["id"]: {**event, "timestamp": _moment(event["timestamp"])} for event in history}
    if not events:
        return []
    last = now or events[history[-1]["id"]]["timestamp"]
    followers: dict[int, list[int]] = {}
    for event in history:
        followers.setdefault(event["previousEventId"], []).append(event["id"])
    bars = []
    for step in steps:
        entered = events.get(step.entered_event_id or -1)
        if entered is None:
            continue
        exited = events.get(step.exited_event_id or -1)
        where = ", ".join(
            f"{'branch' if isinstance(index, int) and _is_parallel(owner, steps) else 'iteration'} {index}"
            for owner, index in zip(step.scope[::2], step.scope[1::2])
        )
        status = {"SUCCEEDED": "succeeded", "FAILED": "failed", "CAUGHT": "caught"}.get(step.status, "entered")
        bars.append(Bar(
            label=step.name + (f" ({where})" if where else ""),
            depth=len(step.scope) // 2,
            start=entered["timestamp"],
            end=exited["timestamp"] if exited else last,
            status=status if exited or step.status != "SUCCEEDED" else "entered",
            attempts=_attempts(events, followers, entered["id"], step.exited_event_id),
        ))
    return bars


def _moment(value: datetime | str) -> datetime:
    """A history timestamp (a stored history has ISO 8601 text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _is_parallel(owner: Any, steps: list[Any]) -> bool:
    return any(s.name == owner and s.state_type == "Parallel" for s in steps)


def _attempts(
    events: dict[int, dict[str, Any]], followers: dict[int, list[int]], entered: int, exited: int | None
) -> tuple[tuple[datetime, datetime, bool], ...]:
    """The visit's task attempts: each ``*Scheduled`` event to the ``*Succeeded``/``*Failed``... that
    follows it, walking the ``previousEventId`` links from the visit's Entered event."""
    attempts, started, todo = [], None, [entered]
    seen: set[int] = set()
    while todo:
        event_id = todo.pop(0)
        if event_id in seen or (exited is not None and event_id > exited):
            continue
        seen.add(event_id)
        event = events[event_id]
        kind = event["type"]
        if kind.endswith(_ATTEMPT_START):
            started = event["timestamp"]
        elif started is not None and kind.endswith(_ATTEMPT_END):
            attempts.append((started, event["timestamp"], not kind.endswith("Succeeded")))
            started = None
        if event_id != exited:
            todo.extend(f for f in followers.get(event_id, []) if not events[f]["type"].endswith("StateEntered") or f == entered)
    return tuple(attempts)


def timeline_svg(bars: list[Bar]) -> str:
    """The bars as inline SVG (no script, no external resource)."""
    if not bars:
        return '<p class="none">No state has run yet.</p>'
    shown = bars[:ROWS_SHOWN]
    origin = min(bar.start for bar in shown)
    span = max((bar.end - origin).total_seconds() for bar in shown) or 1.0

    def x(moment: datetime) -> float:
        return LABEL_WIDTH + (moment - origin).total_seconds() / span * BAR_WIDTH

    height = ROW_HEIGHT * (len(shown) + 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{LABEL_WIDTH + BAR_WIDTH + 70}" '
        f'height="{height}" font-family="sans-serif" font-size="12" role="img" aria-label="Execution timeline">',
        f'<text x="{LABEL_WIDTH}" y="14" fill="#555">0 s</text>',
        f'<text x="{LABEL_WIDTH + BAR_WIDTH}" y="14" fill="#555" text-anchor="end">{span:.3g} s</text>',
    ]
    for row, bar in enumerate(shown, start=1):
        top = row * ROW_HEIGHT
        fill, stroke, _ = STATUS_COLOURS[bar.status]
        left, right = x(bar.start), max(x(bar.end), x(bar.start) + 2)
        seconds = (bar.end - bar.start).total_seconds()
        parts.append(
            f'<g class="bar {bar.status}"><title>{html.escape(bar.label)}: {seconds:.3g} s</title>'
            f'<text x="{4 + 12 * bar.depth}" y="{top + 15}">{html.escape(bar.label)}</text>'
            f'<rect x="{left:.1f}" y="{top + 3}" width="{right - left:.1f}" height="{ROW_HEIGHT - 6}" '
            f'fill="{fill}" stroke="{stroke}"/>'
        )
        for start, end, failed in bar.attempts:
            colour = STATUS_COLOURS["failed" if failed else "succeeded"][1]
            a_left, a_right = x(start), max(x(end), x(start) + 2)
            parts.append(
                f'<rect class="attempt" x="{a_left:.1f}" y="{top + 8}" width="{a_right - a_left:.1f}" '
                f'height="{ROW_HEIGHT - 16}" fill="{colour}"/>'
            )
        parts.append(f'<text x="{right + 4:.1f}" y="{top + 15}" fill="#555">{seconds:.3g} s</text></g>')
    parts.append("</svg>")
    if len(bars) > ROWS_SHOWN:
        parts.append(f'<p class="none">… and {len(bars) - ROWS_SHOWN} more visits.</p>')
    return "".join(parts)
