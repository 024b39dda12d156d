"""Picture changes that turn one labelled photo into photos nobody tuned for.

Each function takes a Pillow RGB image (and, where it matters, the face's box ``(top, right,
bottom, left)`` in that image) and returns the changed image with the face's new box, so labels
and geometry follow the change. Randomness comes only from the ``random.Random`` passed in: the
same seed gives the same pictures.
"""
from __future__ import annotations

import io
import math
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

Box = tuple[int, int, int, int]  # top, right, bottom, left (face_recognition's order)


def _scaled_box(box: Box, factor: float, dx: float = 0.0, dy: float = 0.0) -> Box:
    top, right, bottom, left = box
    return (round(top * factor + dy), round(right * factor + dx),
            round(bottom * factor + dy), round(left * factor + dx))


def face_width(box: Box) -> int:
    return box[1] - box[3]


def resize(image: Image.Image, box: Box, factor: float) -> tuple[Image.Image, Box]:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS), _scaled_box(box, factor)


def face_to_width(image: Image.Image, box: Box, pixels: int) -> tuple[Image.Image, Box]:
    """Scale the photo so the face's box is ``pixels`` wide (a phone photo taken from further away)."""
    return resize(image, box, pixels / max(face_width(box), 1))


def crop_around(image: Image.Image, box: Box, rng: random.Random, margin: tuple[float, float]) -> tuple[Image.Image, Box]:
    """A crop keeping the face whole, with a random margin of ``margin`` face widths on each side."""
    top, right, bottom, left = box
    width = face_width(box)
    x0 = max(0, round(left - rng.uniform(*margin) * width))
    y0 = max(0, round(top - rng.uniform(*margin) * width))
    x1 = min(image.width, round(right + rng.uniform(*margin) * width))
    y1 = min(image.height, round(bottom + rng.uniform(*margin) * width))
    return image.crop((x0, y0, x1, y1)), (top - y0, right - x0, bottom - y0, left - x0)


def exposure(image: Image.Image, gain: float, gamma: float) -> Image.Image:
    """Under- or over-exposure: linear gain then a gamma curve, clipped as a sensor clips."""
    pixels = np.asarray(image, dtype=np.float64) / 255.0
    changed = np.clip(pixels * gain, 0.0, 1.0) ** gamma
    return Image.fromarray(np.round(changed * 255).astype(np.uint8))


def blur(image: Image.Image, radius: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def rotate(image: Image.Image, box: Box, degrees: float) -> tuple[Image.Image, Box]:
    """Turn the photo (counter-clockwise), the canvas grown to keep it whole; the box becomes the
    upright box around the turned one."""
    turned = image.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 128, 128))
    top, right, bottom, left = box
    cx, cy = image.width / 2, image.height / 2
    ncx, ncy = turned.width / 2, turned.height / 2
    angle = math.radians(degrees)
    xs, ys = [], []
    for x, y in ((left, top), (right, top), (right, bottom), (left, bottom)):
        dx, dy = x - cx, y - cy
        xs.append(ncx + dx * math.cos(angle) + dy * math.sin(angle))
        ys.append(ncy - dx * math.sin(angle) + dy * math.cos(angle))
    return turned, (round(min(ys)), round(max(xs)), round(max(ys)), round(min(xs)))


def occlude(image: Image.Image, box: Box, rng: random.Random) -> Image.Image:
    """A flat patch over the lower face (a hand, a scarf or a mask), leaving eyes and nose bridge
    visible as in photos people accept as showing a face."""
    top, right, bottom, left = box
    height = bottom - top
    changed = image.copy()
    colour = tuple(rng.randrange(40, 220) for _ in range(3))
    ImageDraw.Draw(changed).rectangle(
        (left + 0.05 * (right - left), top + rng.uniform(0.72, 0.8) * height,
         right - 0.05 * (right - left), bottom + 0.1 * height), fill=colour)
    return changed


def cut_out(image: Image.Image, box: Box, garbage: tuple[int, int, int] = (0, 0, 0)) -> Image.Image:
    """An RGBA cut-out: the head and shoulders opaque in an ellipse, the rest transparent with
    ``garbage`` colour under it (what background-removal tools often leave)."""
    top, right, bottom, left = box
    width, height = right - left, bottom - top
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).ellipse((left - 0.6 * width, top - 0.8 * height, right + 0.6 * width, bottom + 1.2 * height),
                                 fill=255)
    rgba = Image.new("RGBA", image.size, (*garbage, 0))
    rgba.paste(image.convert("RGBA"), mask=mask.filter(ImageFilter.GaussianBlur(3)))
    return rgba


def head_tile(image: Image.Image, box: Box, face_pixels: int) -> tuple[Image.Image, Box]:
    """The head with some surroundings (1.9 face widths square), scaled so the face is ``face_pixels``
    wide: a person cut out of one photo to be placed in a group."""
    top, right, bottom, left = box
    cx, cy, side = (left + right) / 2, (top + bottom) / 2, 1.9 * max(face_width(box), bottom - top)
    x0, y0 = round(cx - side / 2), round(cy - side / 2)
    tile = image.crop((x0, y0, x0 + round(side), y0 + round(side)))  # outside the photo reads black
    factor = face_pixels / max(face_width(box), 1)
    shifted = (top - y0, right - x0, bottom - y0, left - x0)
    return resize(tile, shifted, factor)


def group(background: Image.Image, tiles: list[tuple[Image.Image, Box]], rng: random.Random) -> tuple[Image.Image, list[Box]]:
    """Tiles side by side (in a row, a little up or down each) over ``background``: a group photo."""
    gap = 8
    width = sum(tile.width for tile, _ in tiles) + gap * (len(tiles) + 1)
    height = max(tile.height for tile, _ in tiles) * 2
    canvas = background.resize((width, height), Image.Resampling.LANCZOS)
    x, boxes = gap, []
    for tile, (top, right, bottom, left) in tiles:
        y = rng.randrange(0, height - tile.height + 1)
        canvas.paste(tile, (x, y))
        boxes.append((top + y, right + x, bottom + y, left + x))
        x += tile.width + gap
    return canvas, boxes


def paste_patch(image: Image.Image, patch: Image.Image, avoid: list[Box], rng: random.Random,
                share: float = 0.3) -> Image.Image:
    """``patch`` (a printed texture: text, a halftone, a pattern) pasted where it covers no face,
    about ``share`` of the photo's shorter side wide; tried at a few places, else in a corner."""
    side = max(16, round(share * min(image.size)))
    patch = patch.convert("RGB").resize((side, max(8, round(side * patch.height / patch.width))), Image.Resampling.LANCZOS)
    changed = image.copy()
    spots = [(rng.randrange(0, max(1, image.width - patch.width)), rng.randrange(0, max(1, image.height - patch.height)))
             for _ in range(20)] + [(0, image.height - patch.height)]
    for x, y in spots:
        if not any(x < right and x + patch.width > left and y < bottom and y + patch.height > top
                   for top, right, bottom, left in avoid):
            changed.paste(patch, (x, y))
            break
    return changed
