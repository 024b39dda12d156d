"""Local S3 stand-in: a bucket is a folder under ``<data root>/buckets``, an object a file.

Names are checked by ``dataroot`` before any filesystem call. Writes go to a temporary file first
and are renamed into place, so a reader (or a crash) never sees half an object. A bucket with
EventBridge notifications on announces each object written as S3's "Object Created" event
(``services.events``).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

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


class Buckets:
    """The buckets stored under one data root."""

    def __init__(self, root: Path) -> None:
        self.folder = Path(root) / "buckets"
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

    def put(self, bucket: str, key: str, data: bytes) -> Path:
        """Store ``data`` at ``key`` atomically; return the file written."""
        self.put_stream(bucket, key, [data])
        return self._object_path(bucket, key)

    def put_stream(self, bucket: str, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenated ``chunks`` at ``key`` atomically (a large object never sits in
        memory whole); return its size in bytes."""
        target = self._object_path(bucket, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise KeyConflict(bucket, key) from None
        if target.is_dir():
            raise KeyConflict(bucket, key)
        handle, staged = tempfile.mkstemp(dir=self.staging_folder())
        size = 0
        try:
            with os.fdopen(handle, "wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
                    size += len(chunk)
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

    def delete_object(self, bucket: str, key: str) -> None:
        """Remove the object; deleting a missing key succeeds, as in S3."""
        self._object_path(bucket, key).unlink(missing_ok=True)
