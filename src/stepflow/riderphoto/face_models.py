"""dlib's face models, each loaded on first use and kept for the life of the process.

Importing face_recognition's api module loads every model it has plus a HOG detector (~1.2 s
measured, and ~0.1 s more for pkg_resources); the workflow needs the 68-point predictor and the
encoder only for photos with a face, the CNN only for photos where HOG finds nothing or has
doubts, and never the 5-point predictor. The model files come from the face_recognition_models
package, located without importing it (its ``__init__`` imports pkg_resources).
"""
from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path
from typing import Any

import dlib

_local = threading.local()


def model_file(name: str) -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("face_recognition_models (dlib's model files) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models" / name


@cache
def shape_predictor() -> Any:
    """The 68-point landmark predictor (~0.5 s to load: a 100 MB file)."""
    return dlib.shape_predictor(str(model_file("shape_predictor_68_face_landmarks.dat")))


@cache
def encoder() -> Any:
    """The ResNet that maps an aligned face to face_recognition's 128-d encoding (~50 ms to load)."""
    return dlib.face_recognition_model_v1(str(model_file("dlib_face_recognition_resnet_model_v1.dat")))


@cache
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
