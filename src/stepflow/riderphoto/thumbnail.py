"""Thumbnail: a copy of the photo that fits inside 300x300, for the app to show.

As the workshop's function: reads the photo from the rider photo bucket, scales it by
min(300 / width, 300 / height) (so, like the original, a smaller photo is scaled up to fit the
box), keeps the file format (JPEG stays JPEG, PNG stays PNG), writes ``resized-<s3Key>`` to the
thumbnail bucket and returns ``{"thumbnail": {"s3key", "s3bucket"}}``. The photo is decoded
upright (EXIF orientation applied) and bounded (large JPEGs are decoded at reduced scale).
"""
from __future__ import annotations

import io
from typing import Any

from PIL import Image

from stepflow.riderphoto.aws_errors import service_error
from stepflow.riderphoto.images import PhotoRejected, decode_photo
from stepflow.riderphoto.photo_source import photo_location
from stepflow.riderphoto.stack import Stack

JPEG_QUALITY = 85


def make_thumbnail(data: bytes, box: tuple[int, int]) -> tuple[bytes, str]:
    """(encoded thumbnail, format) for a JPEG or PNG photo, fitting inside ``box``."""
    photo = decode_photo(data, max_side=max(box))  # JPEGs decode at 1/2..1/8 scale: cheap
    # The size comes from the full photo, not the reduced decode, so the ratio is exact.
    scale = min(box[0] / photo.width, box[1] / photo.height)
    size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
    image = Image.fromarray(photo.rgb)
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    encoded = io.BytesIO()
    if photo.format == "JPEG":
        image.save(encoded, "JPEG", quality=JPEG_QUALITY)
    else:
        image.save(encoded, "PNG")
    return encoded.getvalue(), photo.format


def handler(event: Any, context: Any, stack: Stack | None = None) -> dict[str, Any]:
    stack = stack or Stack.current()
    bucket, key = photo_location(event)
    data = stack.buckets.get(bucket, key)
    try:
        thumbnail, _ = make_thumbnail(data, stack.thumbnail_max)
    except PhotoRejected as rejected:
        raise service_error(rejected.code, rejected.message) from rejected
    target_key = f"resized-{key}"
    stack.buckets.put(stack.thumbnail_bucket, target_key, thumbnail)
    return {"thumbnail": {"s3key": target_key, "s3bucket": stack.thumbnail_bucket}}
