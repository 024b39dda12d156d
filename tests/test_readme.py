"""The README's library example runs as printed and does what its comments say."""
import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    return next(block for block in blocks if "StateMachine.from_file" in block)


def test_the_readme_example_runs_the_workshop_definition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(readme_example(), "README.md", "exec"), namespace)
    execution = namespace["execution"]
    # A GIF is caught by the Catch on FaceDetection and handed to the notification task.
    assert execution.status == "SUCCEEDED"
    assert execution.output["messageToSend"]["Error"] == "PhotoDoesNotMeetRequirementError"
    assert printed.getvalue().startswith("SUCCEEDED ")
