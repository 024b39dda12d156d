"""Object keys as the workshop's functions read them from the event.

The originals (Node.js) do ``decodeURIComponent(event.s3Key.replace(/\\+/g, " "))``: S3 event
notifications URL-encode keys, so ``+`` means a space and ``%xx`` a UTF-8 byte. A malformed
escape makes ``decodeURIComponent`` throw ``URIError: URI malformed``; so does this.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


class URIError(Exception):
    """Named as JavaScript's error, which the original functions raise for a malformed key."""


def decode_key(raw: str) -> str:
    """``+`` -> space, then percent-decoding as UTF-8, exactly as the original functions do."""
    spaced = raw.replace("+", " ")
    if _BAD_ESCAPE.search(spaced):
        raise URIError(f"URI malformed: {raw!r}")
    try:
        return unquote(spaced, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise URIError(f"URI malformed: {raw!r} does not decode to UTF-8") from None
