"""The wheel: built with the standard tools, offline, installing a light core into a clean venv.

Only the core (engine, CLI, testing toolkit) is required; the face detection is the `faces` extra,
and a command that needs it says which extra to install.
"""
from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = {"jsonpath-ng", "pydantic", "jsonata-python", "grandalf", "Jinja2", "rich", "PyYAML", "lark"}
FACES = {"numpy", "Pillow", "dlib-bin", "face-recognition-models", "Click", "setuptools"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out, source = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("source")
    # A copy, so the build's own folders never land in the working tree.
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "CHANGELOG.md"):
        shutil.copy(ROOT / name, source / name)
    # --no-isolation: build with this environment's setuptools, so no network is needed.
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    (built,) = out.glob("stepflow_asl-*.whl")
    return built


def requirements(wheel: Path) -> dict[str, str]:
    """Requires-Dist by distribution name: '' for the core, else the extra's marker."""
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        lines = archive.read(metadata).decode().splitlines()
    found = {}
    for line in lines:
        if line.startswith("Requires-Dist: "):
            spec, _, marker = line[len("Requires-Dist: "):].partition(";")
            name = spec.strip().split(" ")[0].split("[")[0]
            for cut in "<>=!~":
                name = name.split(cut)[0]
            found[name] = marker.strip()
    return found


def test_the_wheel_is_named_stepflow_asl_with_a_version_and_a_light_core(wheel):
    assert wheel.name.startswith("stepflow_asl-0.1.0-py3-none-any")
    needs = requirements(wheel)
    assert {name for name, marker in needs.items() if not marker} == CORE
    assert {name for name, marker in needs.items() if "faces" in marker} == FACES
    with zipfile.ZipFile(wheel) as archive:
        assert {"stepflow/py.typed", "stepflow/render/templates/report.html.j2"} <= set(archive.namelist())


def test_the_wheel_installs_into_a_clean_venv_and_runs_without_the_faces_extra(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, timeout=300)
    # The core's dependencies come from this environment (offline); the faces extra's are hidden.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    (Path(purelib) / "no_faces.pth").write_text(
        "import sys; sys.modules.update(dict.fromkeys(['numpy', 'PIL', 'dlib', 'face_recognition', "
        "'face_recognition_models']))\n")
    definition = tmp_path / "hello.asl.json"
    definition.write_text(json.dumps({"StartAt": "Hi", "States": {"Hi": {"Type": "Pass", "Result": "hi", "End": True}}}))
    env = {**os.environ, "STEPFLOW_HOME": str(tmp_path / "home"), "PYTHONPATH": ""}

    def stepflow(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(env_dir / "bin" / "stepflow"), *args], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)

    where = subprocess.run([str(python), "-c", "import stepflow, stepflow.testing; print(stepflow.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert where.stdout.startswith(str(env_dir)), where.stderr
    done = stepflow("run", str(definition), "--json")
    assert json.loads(done.stdout)["output"] == "hi", done.stderr
    assert stepflow("validate", str(definition)).returncode == 0
    done = stepflow("run", str(definition), "--name", "reported", "--report", str(tmp_path / "r.html"))
    assert done.returncode == 0 and "<svg" in (tmp_path / "r.html").read_text(), done.stderr
    faces = stepflow("collection", "list")
    assert faces.returncode == 2
    assert "needs the 'faces' extra" in faces.stderr and "pip install 'stepflow-asl[faces]'" in faces.stderr


def test_the_library_names_the_faces_extra_when_face_detection_is_needed_without_it(tmp_path):
    code = ("import sys; sys.modules['numpy'] = None\n"
            "from stepflow.extras import MissingExtra\n"
            "from stepflow.riderphoto.stack import bindings\n"
            "try:\n    bindings()\nexcept MissingExtra as missing:\n    print(missing)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "STEPFLOW_HOME": str(tmp_path / "home")})
    assert "needs the 'faces' extra" in done.stdout and "numpy is missing" in done.stdout, done.stderr
