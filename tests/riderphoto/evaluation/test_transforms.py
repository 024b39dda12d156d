"""The set's picture changes move the face's box with the picture and keep the randomness seeded."""
from __future__ import annotations

import io
import random

import numpy as np
import pytest
from PIL import Image

from stepflow.riderphoto.evaluation import transforms

BOX = (40, 140, 140, 40)  # top, right, bottom, left: a 100 px square "face"


def _picture() -> Image.Image:
    image = Image.new("RGB", (300, 200), (200, 200, 200))
    image.paste((255, 0, 0), (40, 40, 140, 140))
    return image


def _red_box(image: Image.Image) -> tuple[int, int, int, int]:
    pixels = np.asarray(image.convert("RGB")).astype(int)
    ys, xs = np.nonzero((pixels[..., 0] > 200) & (pixels[..., 1] < 80))
    return ys.min(), xs.max() + 1, ys.max() + 1, xs.min()


def test_scaling_and_cropping_move_the_box_with_the_face() -> None:
    small, box = transforms.face_to_width(_picture(), BOX, 50)
    assert transforms.face_width(box) == 50 and _red_box(small) == pytest.approx(box, abs=2)
    cropped, box = transforms.crop_around(_picture(), BOX, random.Random(1), (0.1, 0.3))
    assert cropped.width < 300 and _red_box(cropped) == pytest.approx(box, abs=1)


def test_a_rotated_face_lies_inside_its_new_box() -> None:
    turned, (top, right, bottom, left) = transforms.rotate(_picture(), BOX, 15)
    red_top, red_right, red_bottom, red_left = _red_box(turned)
    assert top - 2 <= red_top and red_bottom <= bottom + 2 and left - 2 <= red_left and red_right <= right + 2


def test_the_cut_out_is_an_rgba_png_transparent_away_from_the_face() -> None:
    cut = transforms.cut_out(_picture(), BOX)
    decoded = Image.open(io.BytesIO(transforms.png(cut)))
    assert decoded.mode == "RGBA"
    assert decoded.getpixel((90, 90))[3] == 255 and decoded.getpixel((299, 0))[3] == 0


def test_exposure_darkens_and_brightens() -> None:
    picture = _picture()
    assert np.asarray(transforms.exposure(picture, 0.35, 1.5)).mean() < np.asarray(picture).mean() / 3
    assert np.asarray(transforms.exposure(picture, 1.8, 0.8)).mean() > np.asarray(picture).mean()


def test_a_printed_patch_never_covers_the_face_and_is_seeded() -> None:
    patch = Image.new("RGB", (60, 30), (0, 0, 255))
    first = transforms.paste_patch(_picture(), patch, [BOX], random.Random(5))
    again = transforms.paste_patch(_picture(), patch, [BOX], random.Random(5))
    assert np.array_equal(np.asarray(first), np.asarray(again))
    assert _red_box(first) == BOX and (np.asarray(first)[..., 2] == 255).sum() > 1000


def test_a_group_places_every_tile_where_its_box_says() -> None:
    tiles = [(Image.new("RGB", (30, 30), (255, 0, 0)), (5, 25, 25, 5)) for _ in range(3)]
    group, boxes = transforms.group(Image.new("RGB", (50, 50), (0, 90, 0)), tiles, random.Random(2))
    pixels = np.asarray(group)
    for top, right, bottom, left in boxes:
        assert (pixels[top:bottom, left:right, 0] == 255).all()
