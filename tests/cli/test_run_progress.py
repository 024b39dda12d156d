"""``stepflow run`` shows a progress line on a terminal's stderr, and nothing of it elsewhere."""
from __future__ import annotations

import io
import json

import pytest

from stepflow.cli import main

MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "End": True,
        }
    },
}


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def definition(tmp_path, monkeypatch):
    monkeypatch.setenv("STEPFLOW_HOME", str(tmp_path / "home"))
    path = tmp_path / "map.asl.json"
    path.write_text(json.dumps(MAP))
    return path


def test_run_on_a_terminal_shows_progress_then_clears_it(definition, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["run", str(definition), "--virtual-time", "--input", "[1, 2, 3]"]) == 0
    shown = terminal.getvalue()
    assert "\r1 events" in shown  # the first event is shown at once
    assert "\r1 events" + "\r" + " " * len("1 events") + "\r" in shown  # finish() blanked the line
    assert "status: SUCCEEDED" in capsys.readouterr().out


def test_run_without_a_terminal_writes_no_progress(definition, capsys):
    assert main(["run", str(definition), "--virtual-time", "--json", "--input", "[1]"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["status"] == "SUCCEEDED"
    assert "events" not in captured.err
