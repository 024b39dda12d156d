"""The CLI shell: unknown input gives usage errors, never a traceback."""
import subprocess
import sys


def test_no_command_prints_usage_and_exits_2():
    done = subprocess.run([sys.executable, "-m", "stepflow"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "usage: stepflow" in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_is_a_usage_error():
    done = subprocess.run(
        [sys.executable, "-m", "stepflow", "no-such-command"], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
