"""Keys are URL-decoded exactly as the workshop's Node.js functions decode them."""
from __future__ import annotations

import pytest

from stepflow.riderphoto.keys import URIError, decode_key


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("1_happy_face.jpg", "1_happy_face.jpg"),
        ("my+photo.jpg", "my photo.jpg"),
        ("my%20photo.jpg", "my photo.jpg"),
        ("caf%C3%A9.jpg", "café.jpg"),
        ("a%2Bb.jpg", "a+b.jpg"),  # an encoded plus stays a plus: '+' is replaced before decoding
        ("riders%2F2024%2Fa.jpg", "riders/2024/a.jpg"),
    ],
)
def test_plus_means_space_then_percent_decoding(raw, decoded):
    assert decode_key(raw) == decoded


@pytest.mark.parametrize("raw", ["100%.jpg", "%zz.jpg", "%C3.jpg", "%"])
def test_malformed_escapes_raise_uri_error_like_decodeURIComponent(raw):
    with pytest.raises(URIError, match="URI malformed"):
        decode_key(raw)
