"""Sunglasses and eyeglasses from dlib's 68 landmarks, which dlib itself cannot tell.

Sunglasses replace the skin around the eyes with something dark. For each eye, a lens-sized box
centred on the eye's landmarks (0.44 x 0.26 of the outer-eye-corner distance, which stays stable
where the landmarks of a covered eye wander) is compared with the skin of the nose (landmarks
29-35). ``lens_cover`` is the share of its pixels much darker than that skin (< 0.4 of its
brightness) minus the share that look like it (at least half as bright, same chromaticity): bare
eyes and clear glasses show skin around a small dark pupil (at most ~0.02), dark or tinted lenses
show dark glass and reflections but no skin (0.36 and up). Known limit: a washed-out photo
(contrast reduced to 0.6x) lifts dark lenses towards skin brightness and the measure fails. Only the difference of the two holds
when the predictor, confused by the lenses, slides the eye points down onto the cheek (seen on
sunglasses_awsman_clipon re-encoded at 0.75x and 1.5x): skin alone then reads ~0.2 there.

Eyeglasses show a frame: the bridge crosses the nose between the eyes, a sharp horizontal edge in
a strip along the nose's centre line from the brows down to landmark 29, where bare noses shade
smoothly. The strip's brightness profile is resampled to 40 rows per eye span before taking its
steepest step, so the measure does not change with the photo's resolution. Sunglasses count as
eyeglasses too.

A dark face is measured on its photo's exposure-normalised copy (detection.detect_faces): in an
underexposed photo the skin is lost in the sensor's noise and bare eyes read as covered (lens
cover 0.45 on a darkened fixture; on the normalised copy no bare face of the generated set's
tuning side reads above 0.07).

The thresholds come from the labelled fixtures, each also re-encoded at 0.5x, 0.75x and 1.5x
(108 faces); bench/faces.py prints the confusion tables and the measured ranges.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# lens_cover at or above which the eyes are taken to be behind dark lenses.
# Measured over the 108 faces: sunglasses 0.363 and up, all others 0.016 and below; over copies
# made grayscale, 0.6x darker or 1.4x brighter: sunglasses 0.293 and up, others up to 0.192
# (a brightened 160 px face). The threshold sits between those.
LENS_COVER_THRESHOLD = 0.24
# Steepest step of the nose-bridge profile (relative to skin brightness) from which a frame is seen.
# Measured over the 108 faces: clear eyeglasses 0.238 and up, bare faces 0.205 and below (narrow;
# 0.221 vs 0.212 over the grayscale/darker/brighter copies).
FRAME_EDGE_THRESHOLD = 0.22

# Lens box half-width and half-height, as fractions of the outer-eye-corner distance.
_LENS_HALF_WIDTH, _LENS_HALF_HEIGHT = 0.22, 0.13
_BRIDGE_HALF_WIDTH = 0.1  # nose-bridge strip half-width, same unit
_BRIDGE_ROWS_PER_SPAN = 40  # profile resolution, same unit
_LUMA = np.array([0.299, 0.587, 0.114])
_SKIN_MIN_BRIGHTNESS = 0.5  # a skin-like pixel is at least half as bright as the nose
_SKIN_MAX_CHROMA_DISTANCE = 0.05  # ... and within this distance in (r, g, b)/(r + g + b)
_DARK_MAX_BRIGHTNESS = 0.4  # a dark pixel is below 0.4 of the nose's brightness
_EYES = (slice(36, 42), slice(42, 48))


@dataclass(frozen=True)
class EyewearMeasures:
    """What the eyewear decisions are made from (kept for the bench and for explanations)."""

    skin_visible: float  # share of skin-like pixels in the lens boxes, 0-1
    dark: float  # share of pixels much darker than the skin in the lens boxes, 0-1
    frame_edge: float  # steepest step on the nose bridge, relative to skin brightness

    @property
    def lens_cover(self) -> float:
        """Dark minus skin-like share: high behind dark lenses, near or below 0 otherwise."""
        return round(self.dark - self.skin_visible, 4)


def _region(image: np.ndarray, left: float, top: float, right: float, bottom: float) -> np.ndarray:
    height, width = image.shape[:2]
    x0, y0 = max(0, int(left)), max(0, int(top))
    x1, y1 = min(width, math.ceil(right)), min(height, math.ceil(bottom))
    return image[y0:max(y0, y1), x0:max(x0, x1)]


def _chromaticity(pixels: np.ndarray) -> np.ndarray:
    return pixels / (pixels.sum(axis=-1, keepdims=True) + 1e-6)


def _frame_edge(pixels: np.ndarray, landmarks: np.ndarray, eye_span: float, skin_brightness: float) -> float:
    centre_x = (landmarks[39, 0] + landmarks[42, 0]) / 2
    top, bottom = min(landmarks[21, 1], landmarks[22, 1]), landmarks[29, 1]
    strip = _region(pixels, centre_x - _BRIDGE_HALF_WIDTH * eye_span, top,
                    centre_x + _BRIDGE_HALF_WIDTH * eye_span, bottom)
    if strip.shape[0] < 2 or strip.shape[1] < 1:
        return 0.0
    profile = (strip @ _LUMA).mean(axis=1)
    rows = max(2, round((bottom - top) / eye_span * _BRIDGE_ROWS_PER_SPAN))
    resampled = np.interp(np.linspace(0, len(profile) - 1, rows), np.arange(len(profile)), profile)
    return float(np.abs(np.diff(resampled)).max()) / skin_brightness


def measure_eyewear(rgb: np.ndarray, landmarks: np.ndarray) -> EyewearMeasures:
    """Measure the eye regions of one face (``landmarks``: dlib's 68 points as (x, y))."""
    pixels = rgb.astype(np.float64)
    nose = _region(pixels, landmarks[31, 0], landmarks[29, 1], landmarks[35, 0] + 1, landmarks[33, 1] + 1)
    nose = nose.reshape(-1, 3) if nose.size else pixels.reshape(-1, 3)
    skin_brightness = max(float(np.median(nose @ _LUMA)), 1.0)
    skin_colour = np.median(_chromaticity(nose), axis=0)

    eye_span = max(float(np.linalg.norm(landmarks[45] - landmarks[36])), 4.0)
    half_width, half_height = _LENS_HALF_WIDTH * eye_span, _LENS_HALF_HEIGHT * eye_span
    skin_shares, dark_shares = [], []
    for eye in _EYES:
        centre_x, centre_y = landmarks[eye].mean(axis=0)
        lens = _region(pixels, centre_x - half_width, centre_y - half_height,
                       centre_x + half_width, centre_y + half_height).reshape(-1, 3)
        if not len(lens):
            continue
        brightness = lens @ _LUMA
        skin_like = (brightness >= _SKIN_MIN_BRIGHTNESS * skin_brightness) & (
            np.linalg.norm(_chromaticity(lens) - skin_colour, axis=1) < _SKIN_MAX_CHROMA_DISTANCE)
        skin_shares.append(float(np.mean(skin_like)))
        dark_shares.append(float(np.mean(brightness < _DARK_MAX_BRIGHTNESS * skin_brightness)))
    return EyewearMeasures(
        skin_visible=round(float(np.mean(skin_shares)), 4) if skin_shares else 1.0,
        dark=round(float(np.mean(dark_shares)), 4) if dark_shares else 0.0,
        frame_edge=round(_frame_edge(pixels, landmarks, eye_span, skin_brightness), 4),
    )


def _attribute(value: bool, distance: float) -> dict[str, bool | float]:
    """Rekognition's {Value, Confidence}: 50 at the threshold (distance 0), towards 100 away from it."""
    return {"Value": value, "Confidence": round(50.0 + 50.0 * (1.0 - math.exp(-distance)), 4)}


def sunglasses(measures: EyewearMeasures) -> dict[str, bool | float]:
    """Rekognition's Sunglasses attribute: dark or tinted lenses over the eyes."""
    cover = measures.lens_cover
    # distance in units of 0.06: 0.12 from the threshold reads ~93
    return _attribute(cover >= LENS_COVER_THRESHOLD, abs(cover - LENS_COVER_THRESHOLD) / 0.06)


def eyeglasses(measures: EyewearMeasures) -> dict[str, bool | float]:
    """Rekognition's Eyeglasses attribute: a frame on the nose bridge, or sunglasses."""
    if measures.lens_cover >= LENS_COVER_THRESHOLD:
        return sunglasses(measures)
    edge = measures.frame_edge
    # distance in log ratio (twice or half the threshold read alike), ~90 at a factor of 2
    return _attribute(edge >= FRAME_EDGE_THRESHOLD, 3.3 * abs(math.log((edge + 0.005) / FRAME_EDGE_THRESHOLD)))
