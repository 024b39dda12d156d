"""Decode a rider's photo the way Rekognition accepts it: JPEG or PNG only, upright, RGB, bounded.

Rekognition's DetectFaces takes JPEG and PNG and answers ``InvalidImageFormatException`` for
anything else, including files it cannot decode; the workshop's FaceDetection function turns that
into ``Unsupported image file format. Only JPEG or PNG is supported``. ``decode_photo`` gives every
input users send a defined outcome: a ``DecodedPhoto`` or a ``PhotoRejected`` carrying the message
FaceDetection reports.

Two Pillow behaviours are handled here rather than trusted:
- importing face_recognition sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole
  process, after which a truncated file decodes silently with a grey tail. Completeness is checked
  on the bytes themselves (JPEG markers up to EOI, PNG chunks and CRCs up to IEND), so the answer
  does not depend on that global and needs no lock.
- Pillow ignores EXIF orientation unless asked; phones store portraits sideways plus a tag.
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import Literal

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from stepflow.asl.errors import StepflowError

PhotoFormat = Literal["JPEG", "PNG"]

INVALID_IMAGE_FORMAT = "InvalidImageFormatException"
IMAGE_TOO_LARGE = "ImageTooLargeException"
# The workshop's FaceDetection function reports InvalidImageFormatException with this text.
UNSUPPORTED_FORMAT_MESSAGE = "Unsupported image file format. Only JPEG or PNG is supported"
# Rekognition's documented description of ImageTooLargeException (the workshop passes it through).
TOO_LARGE_MESSAGE = "The input image size exceeds the allowed limit"

# Rekognition's quota for an image read from S3 ("Guidelines and quotas in Amazon Rekognition").
MAX_BYTES = 15 * 1024 * 1024
# Decompression-bomb guard: a few hundred bytes of PNG can claim gigapixels. 50 MP covers phone
# cameras and stays below Pillow's own warning threshold (~89 MP).
MAX_PIXELS = 50_000_000
# Transparent pixels are composited on white, as viewers show them; see _flatten.
ALPHA_BACKGROUND = (255, 255, 255)

# Pillow's JPEG reader answers "MPO" for a multi-picture JPEG (what many phones write); it is a
# JPEG to Rekognition.
_ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_EXIF_ORIENTATION = 0x0112
_TRANSPOSING_ORIENTATIONS = {5, 6, 7, 8}  # the EXIF orientations that swap width and height


class PhotoRejected(StepflowError):
    """A photo Rekognition would refuse; ``message`` is the exact text FaceDetection reports.

    ``code`` is the Rekognition exception it stands for (``InvalidImageFormatException`` or
    ``ImageTooLargeException``); ``reason`` says what was actually wrong, for people and logs.
    """

    def __init__(self, code: str, message: str, reason: str) -> None:
        super().__init__(f"{message} ({reason})")
        self.code = code
        self.message = message
        self.reason = reason


@dataclass(frozen=True, eq=False)
class DecodedPhoto:
    """An upright RGB photo. ``width``/``height`` are the full upright size; ``rgb`` may be smaller
    when decoding was bounded (``max_side``), so ratios computed on ``rgb`` apply to the original."""

    rgb: np.ndarray  # uint8, H x W x 3, C-contiguous
    format: PhotoFormat
    width: int
    height: int

    @property
    def scale(self) -> float:
        """Size of ``rgb`` relative to the full photo (1.0 when not reduced)."""
        return self.rgb.shape[1] / self.width


def _invalid(reason: str) -> PhotoRejected:
    return PhotoRejected(INVALID_IMAGE_FORMAT, UNSUPPORTED_FORMAT_MESSAGE, reason)


def _too_large(reason: str) -> PhotoRejected:
    return PhotoRejected(IMAGE_TOO_LARGE, TOO_LARGE_MESSAGE, reason)


# Leading bytes of formats users commonly send instead, to say what a refused file was.
_OTHER_SIGNATURES = (
    (b"GIF87a", "a GIF image"), (b"GIF89a", "a GIF image"), (b"BM", "a BMP image"),
    (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"%PDF", "a PDF document"),
)


def _describe(data: bytes) -> str:
    """Name what a refused file looks like (``a GIF image``), for PhotoRejected.reason."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif"):
        return "a HEIF/AVIF image"
    for signature, description in _OTHER_SIGNATURES:
        if data.startswith(signature):
            return description
    if data.startswith(b"\xff\xd8") or data.startswith(_PNG_SIGNATURE):
        return "a damaged file"
    return "unrecognised data"


def _jpeg_incomplete(data: bytes) -> str | None:
    """Why a JPEG's marker stream does not reach its EOI marker, or None when it does.

    Walks the segments (lengths given) and the entropy-coded scans (which end at the first 0xFF
    not followed by 0x00 stuffing or a restart marker), so data after EOI is allowed.
    """
    n = len(data)
    pos = 2
    while True:
        pos = data.find(b"\xff", pos)
        while 0 <= pos < n - 1 and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos < 0 or pos >= n - 1:
            return "JPEG data ends before the end-of-image marker (truncated file)"
        marker = data[pos + 1]
        if marker == 0xD9:
            return None
        if marker == 0x01 or 0xD0 <= marker <= 0xD7 or marker == 0x00:
            pos += 2
            continue
        if pos + 4 > n:
            return "JPEG data ends inside a segment header (truncated file)"
        end = pos + 2 + int.from_bytes(data[pos + 2:pos + 4], "big")
        if end > n:
            return f"JPEG segment 0xFF{marker:02X} at byte {pos} runs past the end (truncated file)"
        pos = end
        if marker == 0xDA:  # start of scan: skip the entropy-coded data that follows
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos >= n - 1:
                    return "JPEG scan data ends before the end-of-image marker (truncated file)"
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                    continue
                break


def _png_incomplete(data: bytes) -> str | None:
    """Why a PNG's chunk stream is damaged or stops before IEND, or None when it is whole."""
    view = memoryview(data)
    n = len(data)
    pos = len(_PNG_SIGNATURE)
    while True:
        if pos + 8 > n:
            return "PNG data ends before the IEND chunk (truncated file)"
        length = int.from_bytes(view[pos:pos + 4], "big")
        kind = bytes(view[pos + 4:pos + 8])
        end = pos + 12 + length
        if end > n:
            return f"PNG chunk {kind!r} at byte {pos} runs past the end (truncated file)"
        stored = int.from_bytes(view[end - 4:end], "big")
        if zlib.crc32(view[pos + 4:end - 4]) != stored:
            return f"PNG chunk {kind!r} at byte {pos} fails its CRC check (corrupt file)"
        if kind == b"IEND":
            return None
        pos = end


def _flatten(image: Image.Image) -> Image.Image:
    """Any accepted mode -> RGB. Alpha is composited on ``ALPHA_BACKGROUND``: PNG cut-outs often
    keep black (or garbage) colour under transparent pixels, which dropped alpha would reveal."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode.startswith("I"):  # 16-bit grayscale PNG
        image = Image.fromarray((np.asarray(image, dtype=np.uint32) >> 8).astype(np.uint8), "L")
    if image.mode in {"LA", "La", "PA", "RGBa"} or (image.mode == "L" and "transparency" in image.info):
        image = image.convert("RGBA")
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, ALPHA_BACKGROUND)
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def decode_photo(data: bytes, max_side: int | None = None) -> DecodedPhoto:
    """Decode JPEG/PNG bytes to an upright RGB array, or raise ``PhotoRejected``.

    With ``max_side`` the pixels are reduced so neither side exceeds it (JPEGs are decoded at
    1/2..1/8 scale directly, which bounds time and memory for large photos); ``width``/``height``
    still give the full upright size.
    """
    if not data:
        raise _invalid("the file is empty")
    if len(data) > MAX_BYTES:
        raise _too_large(f"{len(data)} bytes; at most {MAX_BYTES} bytes are accepted")
    try:
        image = Image.open(io.BytesIO(data), formats=("JPEG", "PNG"))
    except Image.DecompressionBombError as exc:
        raise _too_large(str(exc)) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _invalid(f"{_describe(data)}, not a JPEG or PNG image") from exc
    photo_format: PhotoFormat = _ACCEPTED_FORMATS[image.format or ""]
    pixels = image.width * image.height
    if pixels > MAX_PIXELS:
        raise _too_large(f"{image.width}x{image.height} = {pixels} pixels; at most {MAX_PIXELS}")
    incomplete = _jpeg_incomplete(data) if photo_format == "JPEG" else _png_incomplete(data)
    if incomplete:
        raise _invalid(incomplete)
    width, height = image.size
    try:
        if image.getexif().get(_EXIF_ORIENTATION) in _TRANSPOSING_ORIENTATIONS:
            width, height = height, width
        if max_side and photo_format == "JPEG":
            image.draft("RGB", (max_side, max_side))  # DCT scaling: never below the requested size
        image.load()
        rgb_image = _flatten(ImageOps.exif_transpose(image))
    except (OSError, SyntaxError, ValueError) as exc:  # Pillow reports decoder errors as these
        raise _invalid(f"the {photo_format} data cannot be decoded ({exc})") from exc
    if max_side and max(rgb_image.size) > max_side:
        factor = max_side / max(rgb_image.size)
        target = (max(1, round(rgb_image.width * factor)), max(1, round(rgb_image.height * factor)))
        rgb_image = rgb_image.resize(target, Image.Resampling.LANCZOS)
    return DecodedPhoto(np.ascontiguousarray(rgb_image, dtype=np.uint8), photo_format, width, height)
