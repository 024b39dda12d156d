"""Sunglasses and eyeglasses from dlib's 68 landmarks, which dlib itself cannot tell.

Sunglasses hide the skin around the eyes. For each eye, a lens-sized box centred on the eye's
landmarks (sized from the distance between the outer eye corners, which stays stable where the
landmarks of a covered eye wander) is compared with the skin of the nose (landmarks 29-35): the
share of its pixels that look like that skin (at least half as bright, same chromaticity) is
~0.2-0.9 for bare eyes and clear glasses, and below ~0.08 behind dark or tinted lenses, which are
grey, black or coloured and darker than skin. Reflections on a lens do not look like skin either.

Eyeglasses show a frame: the bridge crosses the nose between the eyes, a sharp horizontal edge in
a narrow strip along the nose's centre line from the brows down to landmark 29, where bare noses
shade smoothly. Sunglasses count as eyeglasses too.

Thresholds and the measured separation on the labelled fixtures are in bench/faces.py's output.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Share of skin-like pixels in the lens boxes below which the eyes are taken to be covered.
# Measured: sunglasses 0.00-0.074, everything else 0.22 and up (clear glasses lowest); the
# threshold sits near their geometric mean.
SKIN_VISIBLE_THRESHOLD = 0.125
# Lens box half-width and half-height, as fractions of the outer-eye-corner distance.
_LENS_HALF_WIDTH, _LENS_HALF_HEIGHT = 0.22, 0.13
# Largest row-to-row change of the nose-bridge strip's brightness, relative to the skin's.
# Measured: eyeglasses and sunglasses 0.12 and up, bare faces 0.10 and below.
FRAME_EDGE_THRESHOLD = 0.115

_LUMA = np.array([0.299, 0.587, 0.114])
_MIN_SKIN_BRIGHTNESS = 0.5  # a skin-like pixel is at least half as bright as the nose
_MAX_CHROMA_DISTANCE = 0.05  # ... and within this distance in (r, g, b)/(r + g + b)
_EYES = (slice(36, 42), slice(42, 48))


@dataclass(frozen=True)
class EyewearMeasures:
    """What the eyewear decisions are made from (kept for the bench and for explanations)."""

    skin_visible: float  # share of skin-like pixels in the lens boxes, 0-1
    frame_edge: float  # strongest horizontal edge on the nose bridge, relative to skin brightness


def _region(image: np.ndarray, left: float, top: float, right: float, bottom: float) -> np.ndarray:
    height, width = image.shape[:2]
    x0, y0 = max(0, int(left)), max(0, int(top))
    x1, y1 = min(width, math.ceil(right)), min(height, math.ceil(bottom))
    return image[y0:max(y0, y1), x0:max(x0, x1)]


def _chromaticity(pixels: np.ndarray) -> np.ndarray:
    return pixels / (pixels.sum(axis=-1, keepdims=True) + 1e-6)


def measure_eyewear(rgb: np.ndarray, landmarks: np.ndarray) -> EyewearMeasures:
    """Measure the eye regions of one face (``landmarks``: dlib's 68 points as (x, y))."""
    pixels = rgb.astype(np.float64)
    nose = _region(pixels, landmarks[31, 0], landmarks[29, 1], landmarks[35, 0] + 1, landmarks[33, 1] + 1)
    nose = nose.reshape(-1, 3) if nose.size else pixels.reshape(-1, 3)
    skin_brightness = max(float(np.median(nose @ _LUMA)), 1.0)
    skin_colour = np.median(_chromaticity(nose), axis=0)

    eye_span = max(float(np.linalg.norm(landmarks[45] - landmarks[36])), 4.0)
    half_width, half_height = _LENS_HALF_WIDTH * eye_span, _LENS_HALF_HEIGHT * eye_span
    shares = []
    for eye in _EYES:
        centre_x, centre_y = landmarks[eye].mean(axis=0)
        lens = _region(pixels, centre_x - half_width, centre_y - half_height,
                       centre_x + half_width, centre_y + half_height).reshape(-1, 3)
        if not len(lens):
            continue
        bright = lens @ _LUMA >= _MIN_SKIN_BRIGHTNESS * skin_brightness
        close = np.linalg.norm(_chromaticity(lens) - skin_colour, axis=1) < _MAX_CHROMA_DISTANCE
        shares.append(float(np.mean(bright & close)))
    skin_visible = float(np.mean(shares)) if shares else 1.0

    centre_x = (landmarks[39, 0] + landmarks[42, 0]) / 2
    strip = _region(pixels, centre_x - 0.06 * eye_span, min(landmarks[21, 1], landmarks[22, 1]),
                    centre_x + 0.06 * eye_span, landmarks[29, 1])
    profile = (strip @ _LUMA).mean(axis=1) if strip.size else np.zeros(1)
    frame_edge = float(np.abs(np.diff(profile)).max()) / skin_brightness if len(profile) > 1 else 0.0
    return EyewearMeasures(round(skin_visible, 4), round(frame_edge, 4))


def _attribute(value: bool, measure: float, threshold: float) -> dict[str, bool | float]:
    """Rekognition's {Value, Confidence}: 50 at the threshold, towards 100 as the measure moves
    away from it (distance in log ratio, so 'twice/half the threshold' means the same)."""
    distance = abs(math.log((measure + 0.005) / threshold))
    return {"Value": value, "Confidence": round(50.0 + 50.0 * (1.0 - math.exp(-2.0 * distance)), 4)}


def sunglasses(measures: EyewearMeasures) -> dict[str, bool | float]:
    """Rekognition's Sunglasses attribute: dark or tinted lenses over the eyes."""
    covered = measures.skin_visible < SKIN_VISIBLE_THRESHOLD
    return _attribute(covered, measures.skin_visible, SKIN_VISIBLE_THRESHOLD)


def eyeglasses(measures: EyewearMeasures) -> dict[str, bool | float]:
    """Rekognition's Eyeglasses attribute: a frame on the nose bridge, or sunglasses."""
    if measures.skin_visible < SKIN_VISIBLE_THRESHOLD:
        return sunglasses(measures)
    framed = measures.frame_edge >= FRAME_EDGE_THRESHOLD
    return _attribute(framed, measures.frame_edge, FRAME_EDGE_THRESHOLD)
