"""Names that try to leave the data root are refused before anything is read or written."""
from __future__ import annotations

import pytest

from stepflow.services.buckets import Buckets
from stepflow.services.dataroot import UnsafeNameError, check_bucket_name, check_key

ESCAPING_KEYS = [
    "../outside.jpg",
    "a/../../outside.jpg",
    "/etc/passwd",
    "photo\x00.jpg",
    "..\\outside.jpg",
    "sub\\photo.jpg",
    "C:/Windows/win.ini",
    "./photo.jpg",
    "a//b.jpg",
    "",
]


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_unsafe_keys_are_refused_with_the_reason(key):
    with pytest.raises(UnsafeNameError) as refused:
        check_key(key)
    assert refused.value.kind == "key"
    assert refused.value.problem


@pytest.mark.parametrize(
    "name", ["..", "../x", "a/b", "UPPER", "ab", "with space", "a..b", "-start", "x" * 64, "a\x00b"]
)
def test_invalid_bucket_names_are_refused(name):
    with pytest.raises(UnsafeNameError):
        check_bucket_name(name)


def test_ordinary_keys_with_folders_and_unicode_are_accepted():
    assert check_key("riders/2024/José photo.jpg") == "riders/2024/José photo.jpg"


@pytest.mark.parametrize("key", ESCAPING_KEYS)
def test_refused_put_writes_nothing_anywhere(tmp_path, key):
    root = tmp_path / "home"
    buckets = Buckets(root)
    buckets.create("photos")
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(UnsafeNameError):
        buckets.put("photos", key, b"payload")
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_refused_get_reads_nothing_outside(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    buckets = Buckets(tmp_path / "home")
    buckets.create("photos")
    with pytest.raises(UnsafeNameError):
        buckets.get("photos", "../../secret.txt")


def test_symlink_inside_a_bucket_cannot_lead_outside(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "loot.jpg").write_bytes(b"x")
    buckets = Buckets(tmp_path / "home")
    buckets.create("photos")
    (buckets.folder / "photos" / "link").symlink_to(outside)
    with pytest.raises(UnsafeNameError, match="outside"):
        buckets.get("photos", "link/loot.jpg")
