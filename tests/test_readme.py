"""The README's library example runs as printed and does what its comments say."""
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
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


def test_the_readme_first_screen_runs_traces_and_tests_the_example(tmp_path: Path) -> None:
    text = (ROOT / "README.md").read_text()
    first_screen = "\n".join(text.splitlines()[:40])
    assert first_screen.index("python3 dev.py demo") < first_screen.index("python3 dev.py test")
    commands = re.findall(r"^(stepflow run .*?|pytest \S+)\s+#", first_screen.replace("\\\n    ", ""), re.M)
    assert [c.split()[0] for c in commands] == ["stepflow", "stepflow", "pytest"]
    env = {**os.environ, "STEPFLOW_HOME": str(tmp_path / "home")}
    for command in commands:  # with this interpreter, as `stepflow` / `pytest` from the venv
        program, args = command.split(" ", 1)
        done = subprocess.run([sys.executable, "-m", program, *shlex.split(args)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        if "--trace" in command:
            assert "▶ HoldForFraudCheck (Wait)" in done.stderr
        elif program == "stepflow":
            assert "status: SUCCEEDED" in done.stdout and "arn:    arn:aws:states:" in done.stdout
        else:
            assert "2 passed" in done.stdout
