"""Terminal output through rich: colour only on a terminal and never with NO_COLOR; plain columns elsewhere."""
from __future__ import annotations

import io

from stepflow.render.terminal import colour, print_table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_but_not_with_no_color_nor_off_a_terminal(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert colour(Terminal())
    assert not colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")  # https://no-color.org
    assert not colour(Terminal())


def test_off_a_terminal_a_table_is_plain_columns_that_never_wrap():
    out = io.StringIO()
    arn = "arn:aws:states:us-east-1:123456789012:execution:orders:" + "x" * 120
    print_table(("NAME", "STATUS", "ARN"), [("first", "SUCCEEDED", arn), ("second", "FAILED", "-")], out)
    assert out.getvalue().splitlines() == [
        "NAME    STATUS     ARN",
        f"first   SUCCEEDED  {arn}",
        "second  FAILED     -",
    ]


def test_on_a_terminal_a_table_has_a_ruled_bold_header_and_coloured_statuses(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = Terminal()
    print_table(("NAME", "STATUS"), [("first", "SUCCEEDED"), ("second", "FAILED")], out)
    shown = out.getvalue()
    assert "\x1b[1mNAME" in shown and "─" in shown
    assert "\x1b[32mSUCCEEDED" in shown and "\x1b[31mFAILED" in shown
