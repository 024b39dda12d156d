"""Local S3 stand-in: a bucket is a folder under ``<data root>/buckets``, an object a file.

Names are checked by ``dataroot`` before any filesystem call. Writes go to a temporary file first
and are renamed into place, so a reader (or a crash) never sees half an object. What S3 keeps
beside an object (ETag, Content-Type, user metadata) is a small JSON file at the same relative
path under ``<data root>/.bucket-meta``, written before the object is renamed into place; an
object without one (copied in by hand) gets its ETag computed and S3's default content type. A
bucket with EventBridge notifications on announces each object written as S3's "Object Created"
event (``services.events``).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from stepflow.asl.errors import StepflowError
from stepflow.services.dataroot import check_bucket_name, check_key, resolve_inside
from stepflow.services.events import EventBus


class NoSuchBucket(StepflowError):
    """The bucket does not exist (S3's error code NoSuchBucket)."""

    def __init__(self, bucket: str) -> None:
        super().__init__(f"NoSuchBucket: the bucket {bucket!r} does not exist")
        self.bucket = bucket


class NoSuchKey(StepflowError):
    """The key does not exist in the bucket (S3's error code NoSuchKey)."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"NoSuchKey: the key {key!r} does not exist in bucket {bucket!r}")
        self.bucket = bucket
        self.key = key


class BucketNotEmpty(StepflowError):
    """Deleting a bucket that still holds objects (S3's error code BucketNotEmpty)."""

    def __init__(self, bucket: str) -> None:
        super().__init__(f"BucketNotEmpty: the bucket {bucket!r} is not empty")
        self.bucket = bucket


class KeyConflict(StepflowError):
    """A key that a folder-backed bucket cannot hold beside another (``a`` and ``a/b``)."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(
            f"the key {key!r} conflicts with another key in bucket {bucket!r} "
            "(a key cannot be both an object and a prefix of another object here)"
        )
        self.bucket = bucket
        self.key = key


DEFAULT_CONTENT_TYPE = "binary/octet-stream"  # what S3 answers for an object stored without one


@dataclass(frozen=True)
class ObjectInfo:
    """What HeadObject tells about an object."""

    size: int
    etag: str  # quoted, as S3 sends it: '"d41d8cd98f00b204e9800998ecf8427e"'
    last_modified: datetime
    content_type: str = DEFAULT_CONTENT_TYPE
    metadata: dict[str, str] = field(default_factory=dict)


def etag_of(data: bytes) -> str:
    """A single-part upload's ETag: the MD5 of its bytes, in quotes."""
    return f'"{hashlib.md5(data).hexdigest()}"'


class Buckets:
    """The buckets stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / "buckets"
        self.meta_folder = Path(root) / ".bucket-meta"
        self._staging = Path(root) / ".staging"
        self.events = EventBus(Path(root))

    def _bucket_dir(self, bucket: str) -> Path:
        return resolve_inside(self.folder, check_bucket_name(bucket), "bucket name")

    def _existing_bucket_dir(self, bucket: str) -> Path:
        folder = self._bucket_dir(bucket)
        if not folder.is_dir():
            raise NoSuchBucket(bucket)
        return folder

    def _object_path(self, bucket: str, key: str) -> Path:
        folder = self._existing_bucket_dir(bucket)
        return resolve_inside(folder, check_key(key), "key")

    def create(self, bucket: str) -> bool:
        """Create the bucket; return False when it already existed (idempotent)."""
        folder = self._bucket_dir(bucket)
        if folder.is_dir():
            return False
        folder.mkdir(parents=True)
        return True

    def exists(self, bucket: str) -> bool:
        return self._bucket_dir(bucket).is_dir()

    def names(self) -> list[str]:
        """Every bucket, sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(entry.name for entry in self.folder.iterdir() if entry.is_dir())

    def delete(self, bucket: str, force: bool = False) -> None:
        """Delete the bucket; with ``force`` its objects too (like ``aws s3 rb --force``)."""
        folder = self._existing_bucket_dir(bucket)
        if not force and any(folder.iterdir()):
            raise BucketNotEmpty(bucket)
        shutil.rmtree(folder)
        shutil.rmtree(self.meta_folder / bucket, ignore_errors=True)

    def _meta_path(self, bucket: str, key: str) -> Path:
        base = self.meta_folder / check_bucket_name(bucket)
        return resolve_inside(base, check_key(key) + ".json", "key")

    def put(
        self, bucket: str, key: str, data: bytes, content_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> Path:
        """Store ``data`` at ``key`` atomically, with its ETag, content type and user metadata;
        return the file written."""
        self.put_stream(bucket, key, [data], content_type, metadata)
        return self._object_path(bucket, key)

    def put_stream(
        self, bucket: str, key: str, chunks: Iterable[bytes], content_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> int:
        """Store the concatenated ``chunks`` at ``key`` atomically (a large object never sits in
        memory whole), with its ETag, content type and user metadata; return its size in bytes."""
        target = self._object_path(bucket, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise KeyConflict(bucket, key) from None
        if target.is_dir():
            raise KeyConflict(bucket, key)
        handle, staged = tempfile.mkstemp(dir=self.staging_folder())
        size, digest = 0, hashlib.md5()
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            self._keep_meta(bucket, key, {
                "ETag": f'"{digest.hexdigest()}"', "ContentType": content_type or DEFAULT_CONTENT_TYPE,
                "Metadata": metadata or {},
            })
            os.replace(staged, target)
        except BaseException:
            Path(staged).unlink(missing_ok=True)
            raise
        self.announce(bucket, key)
        return size

    def staging_folder(self) -> Path:
        """Where objects are written before being renamed into place (inside the data root)."""
        self._staging.mkdir(parents=True, exist_ok=True)
        return self._staging

    def announce(self, bucket: str, key: str) -> str | None:
        """Send the object's "Object Created" event if the bucket notifies and this very object was
        not announced yet (the writer and the folder watcher may both call this)."""
        try:
            stat = self._object_path(bucket, key).stat()
        except FileNotFoundError:
            return None
        return self.events.object_created(bucket, key, stat.st_size, stat.st_mtime_ns)

    def objects(self, bucket: str) -> list[tuple[str, int, int]]:
        """(key, size, modification time in ns) of every object: what the watcher compares."""
        folder = self._existing_bucket_dir(bucket)
        found = []
        for key in self.keys(bucket):
            try:
                stat = (folder / key).stat()
            except FileNotFoundError:
                continue
            found.append((key, stat.st_size, stat.st_mtime_ns))
        return found

    def _keep_meta(self, bucket: str, key: str, meta: dict[str, Any]) -> None:
        """Write the object's metadata file atomically. Where another key's metadata path is in
        the way (``a`` beside ``a.json/b``) it is skipped: ``info`` then computes the ETag."""
        path = self._meta_path(bucket, key)
        handle, staged = tempfile.mkstemp(dir=self.staging_folder())
        with os.fdopen(handle, "w") as stream:
            json.dump(meta, stream)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, path)
        except OSError:
            Path(staged).unlink(missing_ok=True)

    def get(self, bucket: str, key: str) -> bytes:
        """The object's bytes; NoSuchKey when absent."""
        path = self._object_path(bucket, key)
        if not path.is_file():
            raise NoSuchKey(bucket, key)
        return path.read_bytes()

    def path(self, bucket: str, key: str) -> Path:
        """Where the object lives (for showing a user); NoSuchKey when absent."""
        path = self._object_path(bucket, key)
        if not path.is_file():
            raise NoSuchKey(bucket, key)
        return path

    def keys(self, bucket: str) -> list[str]:
        """Every key in the bucket, sorted as S3 lists them (by UTF-8 bytes)."""
        folder = self._existing_bucket_dir(bucket)
        found = [
            path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
        ]
        return sorted(found, key=lambda key: key.encode("utf-8"))

    def info(self, bucket: str, key: str) -> ObjectInfo:
        """The object's size, ETag, modification time, content type and metadata."""
        path = self.path(bucket, key)
        stat = path.stat()
        try:
            kept: dict[str, Any] = json.loads(self._meta_path(bucket, key).read_text())
        except (OSError, ValueError):
            kept = {}
        if "ETag" not in kept:
            kept["ETag"] = etag_of(path.read_bytes())
        return ObjectInfo(
            size=stat.st_size, etag=kept["ETag"],
            last_modified=datetime.fromtimestamp(int(stat.st_mtime), timezone.utc),
            content_type=kept.get("ContentType", DEFAULT_CONTENT_TYPE), metadata=kept.get("Metadata", {}),
        )

    def delete_object(self, bucket: str, key: str) -> None:
        """Remove the object; deleting a missing key succeeds, as in S3."""
        self._object_path(bucket, key).unlink(missing_ok=True)
        self._meta_path(bucket, key).unlink(missing_ok=True)
