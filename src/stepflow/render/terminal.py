"""What the CLI prints for people, through rich: tables, and colour only where it belongs.

Colour follows rich's rules: a terminal, unless ``NO_COLOR`` is set (no-color.org) or ``TERM`` is
``dumb``; ``FORCE_COLOR`` forces it. Off a terminal, tables are plain aligned columns, never wrapped,
so they stay greppable.
"""
from __future__ import annotations

import sys
from typing import Iterable, Sequence, TextIO

from rich import box
from rich.color import ColorSystem
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

_UNWRAPPED = 10_000  # the width off a terminal: a long ARN stays on its line
_STATUS_STYLES = {"SUCCEEDED": "green", "FAILED": "red", "TIMED_OUT": "red", "ABORTED": "red", "RUNNING": "blue"}


def console(stream: TextIO | None = None) -> Console:
    """A rich Console on ``stream`` (default stdout), wide enough never to wrap off a terminal."""
    stream = stream or sys.stdout
    probe = Console(file=stream)
    return probe if probe.is_terminal else Console(file=stream, width=_UNWRAPPED, soft_wrap=True)


def colour(stream: TextIO) -> bool:
    """Whether text written to ``stream`` should carry colour."""
    out = console(stream)
    return out.color_system is not None and not out.no_color


def styled(text: str, style: str) -> str:
    """``text`` with ANSI codes for rich's ``style`` (e.g. "bold cyan"), for text built as strings."""
    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)


def print_table(headers: Sequence[str], rows: Iterable[Sequence[str]], stream: TextIO | None = None) -> None:
    """Rows under a header: ruled and coloured on a terminal, plain columns elsewhere."""
    out = console(stream)
    table = Table(box=box.SIMPLE_HEAD if out.is_terminal else None, show_edge=False, pad_edge=False,
                  header_style="bold" if out.is_terminal else "", padding=(0, 2, 0, 0))
    for header in headers:
        table.add_column(header, no_wrap=not out.is_terminal, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell, style=_STATUS_STYLES.get(cell, "")) for cell in row))
    if out.is_terminal:
        out.print(table)
        return
    with out.capture() as captured:
        out.print(table)
    out.file.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
