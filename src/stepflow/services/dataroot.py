"""Safe names inside the data root: a bucket name or object key can never reach outside it.

Every local service stores its state under ``stepflow.settings.data_root()``. Bucket names follow
S3's naming rules (which leave no room for path tricks) and object keys are checked segment by
segment *before* any filesystem call, then the resolved path is checked again (symlinks), so a
refused name never reads or writes anything.
"""
from __future__ import annotations

import re
from pathlib import Path

from stepflow.asl.errors import StepflowError

# S3 general purpose bucket naming rules: 3-63 characters, lowercase letters, digits, dots and
# hyphens, beginning and ending with a letter or digit, no two adjacent dots.
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_MAX_KEY_BYTES = 1024  # S3's limit on an object key's UTF-8 length


class UnsafeNameError(StepflowError):
    """A bucket name or key that is invalid or would lead outside the data root."""

    def __init__(self, kind: str, name: str, problem: str) -> None:
        super().__init__(f"refused {kind} {name!r}: {problem}")
        self.kind = kind
        self.name = name
        self.problem = problem


def check_bucket_name(name: str) -> str:
    """Return ``name`` when it is a valid S3 bucket name, else raise UnsafeNameError."""
    if not isinstance(name, str):
        raise UnsafeNameError("bucket name", str(name), "a bucket name must be a string")
    if not _BUCKET_NAME.fullmatch(name) or ".." in name:
        raise UnsafeNameError(
            "bucket name",
            name,
            "bucket names are 3-63 lowercase letters, digits, dots and hyphens, "
            "beginning and ending with a letter or digit",
        )
    return name


def check_key(key: str) -> str:
    """Return ``key`` when it is safe to store as a file path below a bucket folder."""
    if not isinstance(key, str):
        raise UnsafeNameError("key", str(key), "a key must be a string")
    problem = _key_problem(key)
    if problem:
        raise UnsafeNameError("key", key, problem)
    return key


def _key_problem(key: str) -> str | None:
    if not key:
        return "the key is empty"
    if len(key.encode("utf-8", "surrogatepass")) > _MAX_KEY_BYTES:
        return f"the key is longer than {_MAX_KEY_BYTES} bytes"
    if "\x00" in key:
        return "the key contains a NUL byte"
    if "\\" in key:
        return "the key contains a backslash"
    if key.startswith("/"):
        return "the key is an absolute path"
    if re.match(r"[A-Za-z]:", key):
        return "the key starts with a drive letter"
    for segment in key.split("/"):
        if not segment:
            return "the key has an empty path segment"
        if segment in (".", ".."):
            return f"the key has a {segment!r} path segment"
    return None


def resolve_inside(base: Path, relative: str, kind: str) -> Path:
    """Join an already checked relative name to ``base`` and prove the result stays below it."""
    base = base.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base) or target == base:
        raise UnsafeNameError(kind, relative, f"it resolves outside {base}")
    return target
