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


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    # `stepflow validate --json ... | head -c 1`: the pipe closes while stepflow is still writing.
    definition = tmp_path / "d.json"
    definition.write_text('{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}')
    command = f'"{sys.executable}" -m stepflow validate --json {" ".join([definition.name] * 2000)} | head -c 1'
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout == "["
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
