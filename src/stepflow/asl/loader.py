"""Read a definition from JSON text, a file or a dict, keeping what plain ``json`` would hide.

``json.loads`` silently keeps the last of two equal keys; AWS refuses two states with the same
name (``DUPLICATE_STATE_NAME``). Objects that had a repeated key are therefore loaded as
``JsonObject``, which remembers the repeated keys so ``validate.py`` can report them with a
JSON pointer. Everything else is plain JSON values.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError
from stepflow.asl.json_values import MAX_DEFINITION_DEPTH, InvalidJsonValue, check_json_value, loads

INVALID_JSON = "INVALID_JSON_DESCRIPTION"
MISSING_DESCRIPTION = "MISSING_DESCRIPTION"


class JsonObject(dict):
    """A JSON object in which some keys were given more than once (the last value is kept)."""

    duplicate_keys: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in obj and key not in repeated:
            repeated.append(key)
        obj[key] = value
    return with_duplicate_keys(obj, tuple(repeated))


def with_duplicate_keys(obj: dict[str, Any], repeated: tuple[str, ...]) -> dict[str, Any]:
    """``obj`` marked as having had ``repeated`` keys given twice (``obj`` itself when none were)."""
    if not repeated:
        return obj
    marked = JsonObject(obj)
    marked.duplicate_keys = repeated
    return marked


def duplicate_keys(obj: Any) -> tuple[str, ...]:
    """The keys given more than once in this loaded JSON object (empty for anything else)."""
    return getattr(obj, "duplicate_keys", ())


def parse_json(text: str) -> Any:
    """Parse definition text; a syntax error becomes a DefinitionError giving line and column."""
    if not text.strip():
        raise DefinitionError(
            [Diagnostic(MISSING_DESCRIPTION, "Received a null or empty workflow input", "")]
        )
    try:
        return loads(text, object_pairs_hook=_object_from_pairs)
    except json.JSONDecodeError as error:
        message = f"{error.msg} at line {error.lineno}, column {error.colno}"
    except ValueError as error:
        message = str(error)
    raise DefinitionError([Diagnostic(INVALID_JSON, message, "")])


def read_definition_file(path: str | os.PathLike[str]) -> str:
    """The text of a definition file, or a StepflowError naming the file and the reason."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise DefinitionError(
            [Diagnostic(INVALID_JSON, f"{os.fspath(path)} is not UTF-8 text: {error.reason}", "")]
        ) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise StepflowError(f"cannot read definition file {os.fspath(path)}: {reason}") from None


def load_definition(source: str | os.PathLike[str] | dict[str, Any]) -> dict[str, Any]:
    """A definition as a dict, from a dict (returned as is), JSON text, or a path to a JSON file.

    A string is JSON text when it starts with ``{`` or ``[`` (after blanks), otherwise a file path.
    """
    if isinstance(source, dict):
        return _plain(source)
    if isinstance(source, str) and (not source.strip() or source.lstrip().startswith(("{", "["))):
        value = parse_json(source)
    elif isinstance(source, (str, os.PathLike)):
        value = parse_json(read_definition_file(source))
    else:
        raise StepflowError(
            f"a definition must be JSON text, a file path or a dict, not {type(source).__name__}"
        )
    if not isinstance(value, dict):
        raise DefinitionError(
            [Diagnostic("SCHEMA_VALIDATION_FAILED", "A definition must be a JSON object", "")]
        )
    return _plain(value)


def _plain(definition: dict[str, Any]) -> dict[str, Any]:
    """The definition, once known to be plain JSON stepflow can carry (see json_values)."""
    try:
        check_json_value(definition, MAX_DEFINITION_DEPTH)
    except InvalidJsonValue as invalid:
        raise DefinitionError([Diagnostic(INVALID_JSON, invalid.problem, invalid.pointer)]) from None
    return definition
