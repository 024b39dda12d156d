"""decode_photo: every kind of file a rider may send gets a defined outcome (pixels or PhotoRejected)."""
from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile

from stepflow.riderphoto import images
from stepflow.riderphoto.images import (
    IMAGE_TOO_LARGE,
    INVALID_IMAGE_FORMAT,
    UNSUPPORTED_FORMAT_MESSAGE,
    PhotoRejected,
    decode_photo,
)
from stepflow.settings import fixtures_dir


def _gradient(width: int, height: int) -> Image.Image:
    """A picture whose corners differ, so rotations and flips are observable."""
    x = np.linspace(0, 255, width, dtype=np.uint8)[None, :].repeat(height, 0)
    y = np.linspace(0, 255, height, dtype=np.uint8)[:, None].repeat(width, 1)
    return Image.fromarray(np.dstack([x, y, np.full_like(x, 60)]), "RGB")


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _rejection(data: bytes) -> PhotoRejected:
    with pytest.raises(PhotoRejected) as caught:
        decode_photo(data)
    return caught.value


def test_jpeg_and_png_decode_to_rgb_uint8_with_their_format() -> None:
    picture = _gradient(40, 30)
    for fmt in ("JPEG", "PNG"):
        photo = decode_photo(_encode(picture, fmt))
        assert (photo.format, photo.width, photo.height) == (fmt, 40, 30)
        assert photo.rgb.dtype == np.uint8 and photo.rgb.shape == (30, 40, 3)
    assert np.array_equal(decode_photo(_encode(picture, "PNG")).rgb, np.asarray(picture))


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied_so_the_photo_is_upright(orientation: int) -> None:
    upright = _gradient(60, 40)
    stored = upright.transpose({3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90,
                                8: Image.Transpose.ROTATE_270}[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    photo = decode_photo(_encode(stored, "PNG", exif=exif))
    assert (photo.width, photo.height) == (60, 40)
    assert np.array_equal(photo.rgb, np.asarray(upright))


def test_grayscale_cmyk_and_palette_images_become_rgb() -> None:
    picture = _gradient(32, 32)
    for converted, fmt in ((picture.convert("L"), "JPEG"), (picture.convert("CMYK"), "JPEG"),
                           (picture.convert("P"), "PNG"), (picture.convert("1"), "PNG")):
        photo = decode_photo(_encode(converted, fmt))
        assert photo.rgb.shape == (32, 32, 3), converted.mode
    gray = decode_photo(_encode(picture.convert("L"), "PNG")).rgb
    assert np.array_equal(gray[..., 0], gray[..., 2])


def test_transparent_pixels_are_composited_on_the_background_not_on_their_hidden_colour() -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)  # black under full transparency...
    rgba[:5, :, :] = (200, 30, 30, 255)  # ...and an opaque red top half
    photo = decode_photo(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert tuple(photo.rgb[0, 0]) == (200, 30, 30)
    assert tuple(photo.rgb[9, 9]) == images.ALPHA_BACKGROUND
    gray_alpha = Image.fromarray(rgba, "RGBA").convert("LA")
    assert tuple(decode_photo(_encode(gray_alpha, "PNG")).rgb[9, 9]) == images.ALPHA_BACKGROUND


def test_sixteen_bit_grayscale_png_keeps_its_brightness() -> None:
    deep = Image.fromarray(np.full((8, 8), 65535 // 2, np.uint16))
    assert decode_photo(_encode(deep, "PNG")).rgb[0, 0, 0] == 127


def test_max_side_bounds_the_pixels_but_reports_the_full_size() -> None:
    picture = _gradient(1600, 900)
    for fmt in ("JPEG", "PNG"):
        photo = decode_photo(_encode(picture, fmt), max_side=400)
        assert (photo.width, photo.height) == (1600, 900)
        assert photo.rgb.shape == (225, 400, 3)
        assert photo.scale == pytest.approx(0.25)
    assert decode_photo(_encode(_gradient(64, 64), "JPEG"), max_side=400).rgb.shape == (64, 64, 3)


def test_exif_rotated_jpeg_reports_the_upright_full_size_when_reduced() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    photo = decode_photo(_encode(_gradient(1200, 800), "JPEG", exif=exif), max_side=300)
    assert (photo.width, photo.height) == (800, 1200)
    assert photo.rgb.shape == (300, 200, 3)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "WEBP"])
def test_formats_rekognition_refuses_get_the_unsupported_format_message(fmt: str) -> None:
    rejected = _rejection(_encode(_gradient(16, 16), fmt))
    assert rejected.code == INVALID_IMAGE_FORMAT
    assert rejected.message == UNSUPPORTED_FORMAT_MESSAGE
    assert fmt.lower()[:3] in rejected.reason.lower()


@pytest.mark.parametrize("data", [b"", b"hello, this is not a photo\n", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"])
def test_empty_text_and_header_only_files_are_rejected(data: bytes) -> None:
    assert _rejection(data).message == UNSUPPORTED_FORMAT_MESSAGE


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
@pytest.mark.parametrize("keep", [0.4, 0.9, 0.999])
def test_truncated_files_are_rejected_even_with_pillows_truncation_flag_on(
        fmt: str, keep: float, monkeypatch: pytest.MonkeyPatch) -> None:
    # importing face_recognition sets this process-wide; the answer must not depend on it
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    noise = Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64, 3), np.uint8))
    whole = _encode(noise, fmt)
    rejected = _rejection(whole[: int(len(whole) * keep)])
    assert rejected.code == INVALID_IMAGE_FORMAT and "truncated" in rejected.reason


def test_bytes_after_the_jpeg_end_marker_are_accepted() -> None:
    photo = decode_photo(_encode(_gradient(20, 20), "JPEG") + b"trailing data some phones append")
    assert photo.format == "JPEG"


def test_png_with_a_corrupted_chunk_is_rejected() -> None:
    data = bytearray(_encode(_gradient(20, 20), "PNG"))
    data[-20] ^= 0xFF  # inside the last IDAT chunk
    assert "CRC" in _rejection(bytes(data)).reason


def test_decompression_bomb_is_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _encode(Image.new("L", (5000, 4000)), "PNG")  # 20 MP of zeros in a few kB
    assert len(bomb) < 100_000
    monkeypatch.setattr(images, "MAX_PIXELS", 10_000_000)
    rejected = _rejection(bomb)
    assert rejected.code == IMAGE_TOO_LARGE and "5000x4000" in rejected.reason


def test_files_above_rekognitions_byte_quota_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(images, "MAX_BYTES", 1000)
    noise = Image.fromarray(np.random.default_rng(2).integers(0, 255, (40, 40, 3), np.uint8))
    assert _rejection(_encode(noise, "PNG")).code == IMAGE_TOO_LARGE


def test_concurrent_decodes_of_good_and_truncated_files_each_get_their_own_answer() -> None:
    good = _encode(_gradient(300, 300), "JPEG")
    truncated = good[: len(good) // 2]
    outcomes: list[tuple[bytes, str]] = []

    def decode(data: bytes) -> None:
        for _ in range(20):
            try:
                decode_photo(data)
                outcomes.append((data, "ok"))
            except PhotoRejected:
                outcomes.append((data, "rejected"))

    threads = [threading.Thread(target=decode, args=(d,)) for d in (good, truncated, good, truncated)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all((result == "ok") == (data is good) for data, result in outcomes)
    assert len(outcomes) == 80


def _manifest() -> list[dict]:
    path = fixtures_dir() / "manifest.json"
    if not path.exists():
        pytest.skip(f"fixtures not found at {path}")
    return json.loads(path.read_text())["images"]


@pytest.mark.parametrize("entry", _manifest() if (fixtures_dir() / "manifest.json").exists() else [],
                         ids=lambda entry: entry["file"])
def test_every_fixture_decodes_or_is_rejected_as_its_manifest_says(entry: dict) -> None:
    data = (Path(fixtures_dir()) / entry["file"]).read_bytes()
    valid = entry["labels"].get("valid_image", True) and entry["format"] in ("JPEG", "PNG")
    if not valid:
        assert _rejection(data).message == UNSUPPORTED_FORMAT_MESSAGE
        return
    photo = decode_photo(data, max_side=800)
    upright = (entry["height"], entry["width"]) if entry["exif_orientation"] in (5, 6, 7, 8) \
        else (entry["width"], entry["height"])
    assert (photo.format, photo.width, photo.height) == (entry["format"], *upright)
    assert max(photo.rgb.shape[:2]) <= 800
