"""Buckets behave like S3 buckets backed by folders."""
from __future__ import annotations

import pytest

from stepflow.services.buckets import BucketNotEmpty, Buckets, KeyConflict, NoSuchBucket, NoSuchKey


@pytest.fixture
def buckets(tmp_path):
    store = Buckets(tmp_path)
    store.create("rider-photos")
    return store


def test_put_then_get_returns_the_same_bytes(buckets):
    buckets.put("rider-photos", "riders/1_happy_face.jpg", b"\xff\xd8jpeg")
    assert buckets.get("rider-photos", "riders/1_happy_face.jpg") == b"\xff\xd8jpeg"


def test_put_overwrites_and_leaves_no_staging_files(buckets, tmp_path):
    buckets.put("rider-photos", "a.jpg", b"one")
    buckets.put("rider-photos", "a.jpg", b"two")
    assert buckets.get("rider-photos", "a.jpg") == b"two"
    assert list((tmp_path / ".staging").iterdir()) == []


def test_create_is_idempotent(buckets):
    assert buckets.create("rider-photos") is False
    assert buckets.names() == ["rider-photos"]


def test_missing_key_and_missing_bucket_have_s3_error_names(buckets):
    with pytest.raises(NoSuchKey, match="NoSuchKey"):
        buckets.get("rider-photos", "nope.jpg")
    with pytest.raises(NoSuchBucket, match="NoSuchBucket"):
        buckets.get("other-bucket", "a.jpg")


def test_keys_are_listed_sorted_with_prefixes(buckets):
    for key in ["b.jpg", "a/z.jpg", "a.jpg"]:
        buckets.put("rider-photos", key, b"x")
    assert buckets.keys("rider-photos") == ["a.jpg", "a/z.jpg", "b.jpg"]


def test_deleting_a_non_empty_bucket_needs_force(buckets):
    buckets.put("rider-photos", "a.jpg", b"x")
    with pytest.raises(BucketNotEmpty):
        buckets.delete("rider-photos")
    buckets.delete("rider-photos", force=True)
    assert not buckets.exists("rider-photos")


def test_a_key_cannot_be_an_object_and_a_prefix(buckets):
    buckets.put("rider-photos", "a", b"x")
    with pytest.raises(KeyConflict):
        buckets.put("rider-photos", "a/b.jpg", b"y")
