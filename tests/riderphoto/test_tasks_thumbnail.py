"""Thumbnail fits the photo in 300x300, keeps its aspect ratio and format, writes resized-<key>."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from stepflow.riderphoto.aws_errors import AWSServiceError
from stepflow.riderphoto.stack import Stack
from stepflow.riderphoto.thumbnail import handler
from stepflow.services.buckets import NoSuchKey
from stepflow.services.dataroot import UnsafeNameError
from stepflow.settings import fixtures_dir


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=fixtures_dir())
    return stack


def run(stack, key):
    event = {"userId": "user_a", "s3Bucket": stack.rider_photo_bucket, "s3Key": key}
    return handler(event, None, stack=stack)


def put(stack, name, key=None):
    stack.buckets.put(stack.rider_photo_bucket, key or name, (fixtures_dir() / name).read_bytes())


def written(stack, key) -> Image.Image:
    return Image.open(io.BytesIO(stack.buckets.get(stack.thumbnail_bucket, key)))


def test_workshop_photo_is_resized_into_the_thumbnail_bucket(stack):
    result = run(stack, "1_happy_face.jpg")
    assert result == {
        "thumbnail": {"s3key": "resized-1_happy_face.jpg", "s3bucket": stack.thumbnail_bucket}
    }
    image = written(stack, "resized-1_happy_face.jpg")
    assert image.format == "JPEG"
    assert image.size == (300, 200)  # 800x533 scaled to fit 300 wide


def test_small_portrait_png_keeps_format_and_is_scaled_up_to_fit_as_the_original_does(stack):
    put(stack, "odd_alpha_fran.png")  # 169x211: the original's factor min(300/w, 300/h) > 1
    run(stack, "odd_alpha_fran.png")
    image = written(stack, "resized-odd_alpha_fran.png")
    assert (image.format, image.size) == ("PNG", (240, 300))


def test_large_exif_rotated_photo_fits_upright(stack):
    put(stack, "odd_large_dani_3088px.jpg")
    run(stack, "odd_large_dani_3088px.jpg")
    assert written(stack, "resized-odd_large_dani_3088px.jpg").size == (225, 300)
    put(stack, "odd_exif6_synth13.jpg")
    run(stack, "odd_exif6_synth13.jpg")
    assert written(stack, "resized-odd_exif6_synth13.jpg").size == (300, 300)


def test_url_encoded_key_is_decoded_before_reading_and_writing(stack):
    put(stack, "1_happy_face.jpg", key="my photo.jpg")
    result = run(stack, "my+photo.jpg")
    assert result["thumbnail"]["s3key"] == "resized-my photo.jpg"


def test_missing_key_is_s3s_no_such_key(stack):
    with pytest.raises(NoSuchKey):
        run(stack, "nope.jpg")


def test_not_an_image_fails_with_rekognitions_format_error(stack):
    put(stack, "odd_not_an_image.jpg")
    with pytest.raises(AWSServiceError) as failed:
        run(stack, "odd_not_an_image.jpg")
    assert type(failed.value).__name__ == "InvalidImageFormatException"


@pytest.mark.parametrize("key", ["..%2F..%2Fsecret.jpg", "%2Fetc%2Fpasswd", "a%00.jpg", "..%5Cx.jpg"])
def test_encoded_escapes_are_refused_after_decoding(stack, tmp_path, key):
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(UnsafeNameError):
        run(stack, key)
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("bucket", ["..", "../buckets", "/tmp", "a\\b", "UPPER-case"])
def test_bucket_names_that_are_not_s3_names_are_refused(stack, bucket):
    event = {"userId": "user_a", "s3Bucket": bucket, "s3Key": "1_happy_face.jpg"}
    with pytest.raises(UnsafeNameError):
        handler(event, None, stack=stack)
