"""Find faces with face_recognition's dlib models: boxes, 68 landmarks and 128-d encodings.

Measured on the fixtures (bench/faces.py): HOG on the photo reduced to 800 px finds every labelled
face except the turned head behind the wheel in ``2_sunglass_face.jpg``; the CNN detector finds
that one but costs ~10x HOG at the same size and reports a false face in the skyline at 500 px.
So: HOG first (upsampled only for small photos, whose faces are below HOG's ~80 px window), and
only when HOG finds nothing, the CNN on the photo reduced to 400 px, its boxes scaled back.
A photo with faces costs one HOG pass; a photo without any pays the CNN pass too.

dlib's object detectors are not safe to share between threads (the HOG one parallelises well, so
each thread gets its own); the CNN detector, shape predictor and encoder are shared under a lock
(they hold the GIL or use both cores already, so the lock costs no throughput).
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, Literal

import numpy as np
from PIL import Image

# Detection runs on the photo reduced to this side: HOG costs ~30 ms there, and faces a person
# would count stay above HOG's 80 px window in photos of a few people.
DETECTION_MAX_SIDE = 800
# The CNN fallback runs at this side (smaller photos are upsampled to reach it): ~0.4 s;
# 2_sunglass_face is found, and no false face in the skyline (at 500 px there is one).
CNN_MAX_SIDE = 400
# Photos smaller than this are upsampled for HOG (twice at most: 64 px -> 256 px) so faces below
# its 80 px window are found (measured: 3 faces in multi_friends.png at 400 px need it).
HOG_UPSAMPLE_BELOW = 640
MAX_UPSAMPLE = 2
# CNN boxes grown by this factor and moved down by this share of their height (see _hog_like).
_CNN_BOX_GROWTH, _CNN_BOX_SHIFT = 1.15, 0.1

Detector = Literal["hog", "cnn"]

_models_lock = threading.Lock()
_local = threading.local()


@dataclass(frozen=True, eq=False)
class DetectedFace:
    """One face in the image it was found in (pixel coordinates of that image)."""

    box: tuple[int, int, int, int]  # top, right, bottom, left (face_recognition's order), clipped
    confidence: float  # 0-100, a squash of the detector's margin (see _confidence)
    detector: Detector
    landmarks: np.ndarray  # (68, 2) float x, y: dlib's 68-point layout (iBUG 300-W)
    encoding: np.ndarray  # (128,) float64, face_recognition's embedding


@cache
def _face_recognition() -> ModuleType:
    """face_recognition's loaded models, imported on first use (the import takes ~1.5 s)."""
    import face_recognition.api as api  # noqa: PLC0415 - deferred on purpose

    return api


def _hog_detector() -> Any:
    detector = getattr(_local, "hog", None)
    if detector is None:
        import dlib  # noqa: PLC0415 - dlib arrives with face_recognition

        detector = _local.hog = dlib.get_frontal_face_detector()
    return detector


def _confidence(margin: float) -> float:
    """Detector margin (0 at dlib's threshold, ~1-3 for clear faces) -> 0-100, monotone.

    Rekognition's Confidence has no dlib equivalent; this keeps the order of the detector's
    certainty on a familiar scale (margin 0 -> 73, 1 -> 98, 2 -> 99.9).
    """
    return round(100.0 / (1.0 + math.exp(-(3.0 * margin + 1.0))), 4)


def _upsample_for(rgb: np.ndarray, below: int) -> int:
    """How many times dlib should double ``rgb`` so its longer side reaches ``below`` (at most 2)."""
    side = max(rgb.shape[:2])
    times = 0
    while side < below and times < MAX_UPSAMPLE:
        side *= 2
        times += 1
    return times


def _reduce(rgb: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """``rgb`` fitted within ``max_side`` and the factor applied (1.0 when already small)."""
    factor = max_side / max(rgb.shape[:2])
    if factor >= 1.0:
        return rgb, 1.0
    image = Image.fromarray(rgb)
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return np.asarray(image.resize(size, Image.Resampling.LANCZOS)), factor


def _clip(rgb: np.ndarray, left: float, top: float, right: float, bottom: float) -> tuple[int, int, int, int]:
    height, width = rgb.shape[:2]
    return (max(0, round(top)), min(width, round(right)), min(height, round(bottom)), max(0, round(left)))


def find_face_boxes(rgb: np.ndarray) -> list[tuple[tuple[int, int, int, int], float, Detector]]:
    """Face boxes (top, right, bottom, left), confidence and detector, HOG first then CNN."""
    rects, margins, _ = _hog_detector().run(rgb, _upsample_for(rgb, HOG_UPSAMPLE_BELOW), 0.0)
    if len(rects):
        return [(_clip(rgb, r.left(), r.top(), r.right(), r.bottom()), _confidence(m), "hog")
                for r, m in zip(rects, margins)]
    reduced, factor = _reduce(rgb, CNN_MAX_SIDE)
    with _models_lock:
        found = _face_recognition().cnn_face_detector(reduced, _upsample_for(reduced, CNN_MAX_SIDE))
    return [(_hog_like(rgb, d.rect, factor), _confidence(d.confidence), "cnn") for d in found]


def _hog_like(rgb: np.ndarray, rect: Any, factor: float) -> tuple[int, int, int, int]:
    """A CNN box (found at ``factor`` scale) as the clipped HOG-style box the 68-point predictor
    was trained on: the CNN's boxes are tighter and sit higher. Measured on 2_sunglass_face and
    copies of it: with the raw box the eye points of the grayscale copy miss the lenses."""
    width, height = rect.width() / factor, rect.height() / factor
    centre_x = (rect.left() + rect.right()) / 2 / factor
    centre_y = (rect.top() + rect.bottom()) / 2 / factor + _CNN_BOX_SHIFT * height
    half_width, half_height = _CNN_BOX_GROWTH * width / 2, _CNN_BOX_GROWTH * height / 2
    return _clip(rgb, centre_x - half_width, centre_y - half_height, centre_x + half_width, centre_y + half_height)


def detect_faces(rgb: np.ndarray) -> list[DetectedFace]:
    """Every face in ``rgb`` (uint8 HxWx3) with its landmarks and encoding, in detection order."""
    import dlib  # noqa: PLC0415

    api = _face_recognition()
    faces = []
    for box, confidence, detector in find_face_boxes(rgb):
        top, right, bottom, left = box
        with _models_lock:
            shape = api.pose_predictor_68_point(rgb, dlib.rectangle(left, top, right, bottom))
            encoding = np.array(api.face_encoder.compute_face_descriptor(rgb, shape, 1))
        landmarks = np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float64)
        faces.append(DetectedFace(box, confidence, detector, landmarks, encoding))
    return faces
