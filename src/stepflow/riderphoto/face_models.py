"""dlib's face models, each loaded on first use and kept for the life of the process.

Importing face_recognition's api module loads every model it has plus a HOG detector (~1.2 s
measured, and ~0.1 s more for pkg_resources); the workflow needs the 68-point predictor and the
encoder only for photos with a face, the CNN only for photos where HOG finds nothing or has
doubts, and never the 5-point predictor. The model files come from the face_recognition_models
package, located without importing it (its ``__init__`` imports pkg_resources).

``preload`` starts loading the predictor and the encoder on a background thread, so a fresh
process (every ``stepflow run``) reads them while it decodes the photo and runs HOG: dlib lets go
of the GIL while it reads a model, so the two overlap.
"""
from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlib

_local = threading.local()
_preload_started = threading.Event()


def _loaded_once(load: Callable[[], Any]) -> Callable[[], Any]:
    """``load()`` run on the first call only, later and concurrent callers waiting for its result."""
    lock, loaded = threading.Lock(), []

    def get() -> Any:
        with lock:
            if not loaded:
                loaded.append(load())
        return loaded[0]

    get.__doc__ = load.__doc__
    return get


def model_file(name: str) -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("face_recognition_models (dlib's model files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / name


@_loaded_once
def shape_predictor() -> Any:
    """The 68-point landmark predictor (~0.5 s to load: a 100 MB file)."""
    return dlib.shape_predictor(str(model_file("shape_predictor_68_face_landmarks.dat")))


@_loaded_once
def encoder() -> Any:
    """The ResNet that maps an aligned face to face_recognition's 128-d encoding (~50 ms to load)."""
    return dlib.face_recognition_model_v1(str(model_file("dlib_face_recognition_resnet_model_v1.dat")))


@_loaded_once
def cnn_detector() -> Any:
    """The MMOD CNN face detector (a few ms to load, ~10x HOG's cost to run)."""
    return dlib.cnn_face_detection_model_v1(str(model_file("mmod_human_face_detector.dat")))


def hog_detector() -> Any:
    """This thread's HOG detector (~0.3 s to build): dlib's object detectors must not be shared
    between threads, and the HOG one runs well in parallel, so each thread gets its own."""
    detector = getattr(_local, "hog", None)
    if detector is None:
        detector = _local.hog = dlib.get_frontal_face_detector()
    return detector


def preload() -> None:
    """Start loading the predictor and encoder in the background (once per process)."""
    if not _preload_started.is_set():
        _preload_started.set()
        threading.Thread(target=lambda: (shape_predictor(), encoder()), name="face-models", daemon=True).start()
