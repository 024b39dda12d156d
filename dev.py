#!/usr/bin/env python3
"""Developer entry point: sets up .venv on first use, then runs the demo, the tests or the benchmarks.

    python3 dev.py demo          the rider-photo demo on the shared fixture photos
    python3 dev.py test [ARGS]   the whole test suite (ARGS go to pytest)
    python3 dev.py bench [ARGS]  the benchmarks in bench/

Only the standard library is used here, so it runs on a bare Python 3.11+.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".stepflow-install"
# face_recognition's metadata depends on `dlib`, which pip would compile; its real dependencies
# (dlib-bin, face_recognition_models, Click, numpy, Pillow) are the `faces` extra in pyproject.toml.
NO_DEPS = ["face_recognition==1.3.0"]
# The test suite also drives the terminal stepper and executes the notebooks.
EXTRAS = ["faces", "test", "step", "notebook", "aws", "server"]


def python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "dev.py"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create or refresh .venv when pyproject.toml or this file changed since the last install."""
    if STAMP.exists() and STAMP.read_text() == install_fingerprint() and python().exists():
        return
    if not python().exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    print("dev.py: installing stepflow and its dependencies", file=sys.stderr)
    subprocess.run([*pip, "-e", f"{ROOT}[{','.join(EXTRAS)}]"], check=True)
    subprocess.run([*pip, "--no-deps", *NO_DEPS], check=True)
    STAMP.write_text(install_fingerprint())


def main(argv: list[str]) -> int:
    commands = {
        "demo": ["-m", "stepflow", "demo"],
        "test": ["-m", "pytest"],
        "bench": [str(ROOT / "bench" / "run.py")],
    }
    if not argv or argv[0] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    return subprocess.call([str(python()), *commands[argv[0]], *argv[1:]], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
