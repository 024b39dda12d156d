"""FaceDetection accepts exactly one face without sunglasses, with the workshop's messages."""
from __future__ import annotations

import pytest

from stepflow.riderphoto.aws_errors import AWSServiceError
from stepflow.riderphoto.face_detection import PhotoDoesNotMeetRequirementError, handler
from stepflow.riderphoto.stack import Stack
from stepflow.services.dataroot import UnsafeNameError
from stepflow.settings import fixtures_dir

pytestmark = pytest.mark.faces


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("home"))
    stack.up(photos=fixtures_dir())
    return stack


def detect(stack, name, key=None):
    key = key or name
    stack.buckets.put(stack.rider_photo_bucket, key, (fixtures_dir() / name).read_bytes())
    return handler({"userId": "u", "s3Bucket": stack.rider_photo_bucket, "s3Key": key}, None, stack=stack)


def refusal(stack, name):
    with pytest.raises(PhotoDoesNotMeetRequirementError) as refused:
        detect(stack, name)
    return str(refused.value)


def test_one_clear_face_gives_a_rekognition_face_detail_without_landmarks(stack):
    detail = detect(stack, "1_happy_face.jpg")
    assert {"BoundingBox", "Confidence", "Sunglasses", "Eyeglasses", "Pose", "Quality"} <= set(detail)
    assert "Landmarks" not in detail
    box = detail["BoundingBox"]
    assert all(0 <= box[k] <= 1 for k in ("Width", "Height", "Left", "Top"))
    assert detail["Sunglasses"]["Value"] is False


@pytest.mark.parametrize(
    ("photo", "message"),
    [
        ("2_sunglass_face.jpg", "Face is wearing sunglasses"),
        ("3_multiple_faces.jpg", "Detected 3 faces in the photo."),
        ("4_no_face.jpg", "Detected 0 faces in the photo."),
        ("multi_two_people.jpg", "Detected 2 faces in the photo."),
        ("odd_format_gif_synth21.gif", "Unsupported image file format. Only JPEG or PNG is supported"),
        ("odd_truncated_synth23.jpg", "Unsupported image file format. Only JPEG or PNG is supported"),
        ("odd_not_an_image.jpg", "Unsupported image file format. Only JPEG or PNG is supported"),
        ("odd_empty.jpg", "Unsupported image file format. Only JPEG or PNG is supported"),
    ],
)
def test_refusals_carry_the_workshops_messages(stack, photo, message):
    assert refusal(stack, photo) == message


def test_clear_eyeglasses_are_not_sunglasses(stack):
    detail = detect(stack, "eyeglasses_synth38.jpg")
    assert detail["Sunglasses"]["Value"] is False


def test_a_missing_key_is_rekognitions_invalid_s3_object_error(stack):
    event = {"userId": "u", "s3Bucket": stack.rider_photo_bucket, "s3Key": "missing.jpg"}
    with pytest.raises(AWSServiceError) as failed:
        handler(event, None, stack=stack)
    assert type(failed.value).__name__ == "InvalidS3ObjectException"
    assert "Unable to get object metadata from S3" in str(failed.value)


def test_a_key_escaping_the_bucket_is_refused(stack):
    event = {"userId": "u", "s3Bucket": stack.rider_photo_bucket, "s3Key": "..%2F..%2Fdynamodb.sqlite3"}
    with pytest.raises(UnsafeNameError):
        handler(event, None, stack=stack)


def test_a_face_too_small_to_recognise_is_refused_before_any_duplicate_check(stack):
    # 64 x 64 px: the face is ~37 px wide, where encodings of different people come as close as
    # those of the same person
    assert refusal(stack, "odd_tiny_64px_synth16.jpg") == "Face is too small to be recognised"
    assert detect(stack, "odd_small_160px_synth17.jpg")["Sunglasses"]["Value"] is False  # ~90 px: fine
