"""The report in a real browser: headless Chromium loads the file, runs its script and shows it."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from stepflow.render.report import render_report

from .conftest import run_every_state_type

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return subprocess.run([CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *arguments],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    execution = run_every_state_type({"size": 20, "kind": "big", "urgent": False, "numbers": [1, 2, 3]}, name="browser")
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(execution), encoding="utf-8")
    return path


def test_the_report_renders_its_graph_and_runs_its_script(report_file, tmp_path):
    done = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'data-ready="true"' in dom  # the inline script ran to its end
    assert '<g id="node_s_PerItem" class="node">' in dom
    assert "PerItem: Item processor" in dom and "3 iterations" in dom
    assert dom.count('<tr class="ev"') > 40


def test_a_link_to_a_state_opens_and_highlights_its_data_flow(report_file, tmp_path):
    done = _chromium(tmp_path / "profile", "--virtual-time-budget=5000", "--dump-dom",
                     report_file.as_uri() + "#flow_s_Handle")
    assert done.returncode == 0, done.stderr[-2000:]
    opened = [line for line in done.stdout.splitlines() if 'id="flow_' in line and "selected" in line]
    assert len(opened) == 1
    assert 'id="flow_s_Handle"' in opened[0] and " open" in opened[0]


def test_a_screenshot_of_the_report_is_kept(report_file, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    done = _chromium(tmp_path / "profile", "--window-size=1200,1600", "--virtual-time-budget=5000",
                     f"--screenshot={screenshot}", report_file.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1200, 1600)
    assert screenshot.stat().st_size > 20_000  # a picture with content, not a blank page
