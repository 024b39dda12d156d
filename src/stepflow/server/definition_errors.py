"""Validation problems placed on the lines of the definition text they point at.

ValidateStateMachineDefinition names each problem's place with a JSON pointer
(``/States/Greet/Next``); the console shows the definition line by line with each problem under
the line where its pointer's value starts (the deepest part that exists, when the pointer names a
missing member), as an editor's squiggle would.
"""
from __future__ import annotations

import json
from json.decoder import scanstring
from typing import Any

_DECODER = json.JSONDecoder()


def place_errors(text: str, diagnostics: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lines of ``text`` (``number``, ``text``, ``problems``), problems attached where they point."""
    lines = [{"number": n, "text": line, "problems": []} for n, line in enumerate(text.split("\n") or [""], start=1)]
    for diagnostic in diagnostics:
        offset = locate(text, diagnostic.get("location") or "")
        lines[text.count("\n", 0, offset)]["problems"].append(diagnostic)
    return lines


def locate(text: str, pointer: str) -> int:
    """The offset in ``text`` where ``pointer``'s value starts (or its deepest existing parent's)."""
    position = _skip(text, 0)
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]] if pointer.startswith("/") else []
    try:
        for part in parts:
            found = _child(text, position, part)
            if found is None:
                break
            position = found
    except (ValueError, IndexError):
        pass  # not JSON from here on: the place found so far
    return min(position, len(text))


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _child(text: str, position: int, part: str) -> int | None:
    """The offset of member ``part`` of the object (or element of the array) at ``position``."""
    if text[position] == "{":
        position = _skip(text, position + 1)
        while text[position] == '"':
            key, position = scanstring(text, position + 1)
            position = _skip(text, _skip(text, position) + 1)  # past the colon
            if key == part:
                return position
            position = _skip(text, _DECODER.raw_decode(text, position)[1])
            if text[position] == ",":
                position = _skip(text, position + 1)
        return None
    if text[position] == "[" and part.isdigit():
        position = _skip(text, position + 1)
        for _ in range(int(part)):
            position = _skip(text, _DECODER.raw_decode(text, position)[1])
            if text[position] != ",":
                return None
            position = _skip(text, position + 1)
        return position if text[position] != "]" else None
    return None
