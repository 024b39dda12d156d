"""PersistMetadata writes the workshop's item and overwrites a user's earlier item."""
from __future__ import annotations

import pytest

from stepflow.riderphoto.aws_errors import AWSServiceError, InvalidEventError
from stepflow.riderphoto.persist_metadata import handler
from stepflow.riderphoto.stack import Stack


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    stack.up(photos=tmp_path / "none")
    return stack


def event(user, key, face_id):
    return {
        "userId": user,
        "s3Bucket": "wildrydes-step-module-resources-riderphotos3bucket",
        "s3Key": key,
        "detectedFaceDetails": {"Confidence": 99.9},
        "parallelResult": [
            {"FaceId": face_id, "ImageId": "i", "ExternalImageId": user},
            {"thumbnail": {"s3key": f"resized-{key}", "s3bucket": "thumbs"}},
        ],
    }


def test_item_holds_the_workshop_fields_and_returns_empty(stack):
    assert handler(event("user_a", "1_happy_face.jpg", "f-1"), None, stack=stack) == {}
    assert stack.tables.get_item(stack.table, "user_a") == {
        "Username": "user_a",
        "s3key": "1_happy_face.jpg",
        "s3bucket": "wildrydes-step-module-resources-riderphotos3bucket",
        "faceId": "f-1",
        "thumbnail": {"s3key": "resized-1_happy_face.jpg", "s3bucket": "thumbs"},
    }


def test_a_second_photo_of_the_same_user_overwrites(stack):
    handler(event("user_a", "1.jpg", "f-1"), None, stack=stack)
    handler(event("user_a", "2.jpg", "f-2"), None, stack=stack)
    items = stack.tables.scan(stack.table)
    assert [(i["s3key"], i["faceId"]) for i in items] == [("2.jpg", "f-2")]


def test_missing_parallel_result_names_the_field_and_writes_nothing(stack):
    broken = event("user_a", "1.jpg", "f-1")
    del broken["parallelResult"]
    with pytest.raises(InvalidEventError, match="parallelResult"):
        handler(broken, None, stack=stack)
    assert stack.tables.scan(stack.table) == []


def test_missing_table_is_dynamodbs_resource_not_found(stack):
    stack.tables.delete(stack.table)
    with pytest.raises(AWSServiceError, match="Requested resource not found") as failed:
        handler(event("user_a", "1.jpg", "f-1"), None, stack=stack)
    assert type(failed.value).__name__ == "ResourceNotFoundException"
