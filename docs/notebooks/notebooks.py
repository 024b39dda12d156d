"""Execute the notebooks in this folder on a real kernel, and take the README's screenshot.

    .venv/bin/python docs/notebooks/notebooks.py run rider-photo.ipynb      # execute, print a summary
    .venv/bin/python docs/notebooks/notebooks.py screenshot                  # docs/images/rider-photo-notebook.png

Needs stepflow's ``notebook`` extra (nbclient, ipykernel, nbconvert), the workshop photos
(STEPFLOW_FIXTURES) and, for the screenshot, Chromium (``chromium`` on PATH).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SCREENSHOT = HERE.parent / "images" / "rider-photo-notebook.png"
# The screenshot shows the happy-path and the sunglasses executions, with the first step of the
# former opened, as a reader would click it.
SHOWN_CELLS = ("happy = machine.run", "sunglasses = machine.run")


def execute(name: str, timeout: int = 300) -> nbformat.NotebookNode:
    """Run every cell of a notebook of this folder, in this folder, on a fresh Python kernel."""
    notebook = nbformat.read(HERE / name, as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return notebook


def screenshot(output: Path = SCREENSHOT) -> Path:
    from nbconvert import HTMLExporter

    notebook = execute("rider-photo.ipynb")
    sources = [cell.source for cell in notebook.cells]
    first = next(i for i, s in enumerate(sources) if s.startswith(SHOWN_CELLS[0]))
    last = next(i for i, s in enumerate(sources) if s.startswith(SHOWN_CELLS[1]))
    notebook.cells = notebook.cells[first: last + 1]
    page, _ = HTMLExporter().from_notebook_node(notebook)
    opened = page.index('<details class="sf-step')
    page = page[:opened] + '<details open class="sf-step' + page[opened + len('<details class="sf-step'):]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("the screenshot needs Chromium (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as folder:
        html = Path(folder) / "notebook.html"
        html.write_text(page, encoding="utf-8")
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={output}", "--window-size=1280,1650", html.as_uri()],
                       check=True, capture_output=True, timeout=120)
    return output


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"] and len(argv) == 2:
        notebook = execute(argv[1])
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                print(output.get("text") or output.get("data", {}).get("text/plain", ""))
        return 0
    if argv == ["screenshot"]:
        print(f"wrote {screenshot()}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
