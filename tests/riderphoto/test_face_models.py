"""dlib's models load once per process, on first use, and not when the CLI merely binds the stack."""
from __future__ import annotations

import subprocess
import sys
import threading

from stepflow.riderphoto import face_models


def test_binding_the_riderphoto_stack_loads_no_face_model() -> None:
    # what `stepflow run --stack riderphoto` imports before a task runs
    code = ("import sys; from stepflow.riderphoto.stack import bindings; bindings(); "
            "print(sorted(m for m in sys.modules if m.startswith(('face_recognition', 'pkg_resources'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_concurrent_first_uses_load_a_model_once() -> None:
    calls = []

    @face_models._loaded_once
    def model() -> object:
        """A stand-in model."""
        calls.append(1)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(model())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and len({id(g) for g in got}) == 1 and model.__doc__ == "A stand-in model."


def test_the_model_files_come_from_the_face_recognition_models_package() -> None:
    path = face_models.model_file("shape_predictor_68_face_landmarks.dat")
    assert path.is_file() and path.parent.parent.name == "face_recognition_models"
