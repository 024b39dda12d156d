"""DynamoDB's typed attribute values (``{"S": "x"}``, ``{"N": "1"}``...) and plain JSON values.

Tables store items typed, as DynamoDB does, so a number stays a number and a string set a set.
Plain JSON is what the rider-photo tasks and ``stepflow table`` read and write: numbers become
``N``, lists ``L``, objects ``M``; reading back, sets become lists and binary its base64 text.
"""
from __future__ import annotations

import base64
import re
from typing import Any

from stepflow.asl.errors import StepflowError

_INTEGER = re.compile(r"-?\d+")
TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")


class AttributeValueError(StepflowError):
    """A value that is not a well-formed DynamoDB attribute value."""


def to_typed(value: Any) -> dict[str, Any]:
    """The typed attribute value of a plain JSON value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": _number_text(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [to_typed(item) for item in value]}
    if isinstance(value, dict):
        return {"M": {key: to_typed(item) for key, item in value.items()}}
    raise AttributeValueError(f"{type(value).__name__} is not a JSON value")


def item_to_typed(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: to_typed(value) for name, value in item.items()}


def to_plain(value: dict[str, Any], where: str = "item") -> Any:
    """The plain JSON value of a typed attribute value."""
    kind, inner = check_typed(value, where)
    if kind == "N":
        return _number(inner)
    if kind == "NS":
        return [_number(number) for number in inner]
    if kind == "NULL":
        return None
    if kind == "M":
        return {key: to_plain(item, f"{where}.{key}") for key, item in inner.items()}
    if kind == "L":
        return [to_plain(item, f"{where}[{index}]") for index, item in enumerate(inner)]
    return inner  # S, B (base64 text), BOOL, SS, BS


def item_to_plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: to_plain(value, name) for name, value in item.items()}


def check_typed(value: Any, where: str) -> tuple[str, Any]:
    """``(type, inner)`` of a typed value with exactly one known type; else AttributeValueError."""
    if not isinstance(value, dict) or len(value) != 1:
        raise AttributeValueError(
            f"Supplied AttributeValue at {where} has multiple datatypes or is empty: "
            f"an attribute value is one of {', '.join(TYPES)}"
        )
    (kind, inner), = value.items()
    if kind not in TYPES:
        raise AttributeValueError(f"Supplied AttributeValue at {where} has an unknown type {kind!r}")
    if kind == "N":
        _number(inner, where)
    elif kind in ("S", "B") and not isinstance(inner, str):
        raise AttributeValueError(f"the {kind} value at {where} must be a string")
    elif kind == "B":
        base64.b64decode(inner, validate=True)
    elif kind == "M" and not isinstance(inner, dict) or kind in ("L", "SS", "NS", "BS") and not isinstance(inner, list):
        raise AttributeValueError(f"the {kind} value at {where} has the wrong shape")
    return kind, inner


def key_text(value: dict[str, Any], key_type: str, name: str) -> str:
    """A key attribute's value as the text that identifies it (``1.0`` and ``1`` are one number)."""
    kind, inner = check_typed(value, name)
    if kind != key_type:
        raise AttributeValueError(
            f"One or more parameter values were invalid: Type mismatch for key {name} "
            f"expected: {key_type} actual: {kind}"
        )
    if kind == "N":
        return _number_text(_number(inner, name))
    if inner == "":
        raise AttributeValueError(
            "One or more parameter values are not valid. The AttributeValue for a key attribute "
            f"cannot contain an empty string value. Key: {name}"
        )
    return inner


def _number(text: Any, where: str = "item") -> int | float:
    if not isinstance(text, str):
        raise AttributeValueError(f"the N value at {where} must be a string holding a number")
    try:
        return int(text) if _INTEGER.fullmatch(text) else float(text)
    except ValueError:
        raise AttributeValueError(
            f"A value provided cannot be converted into a number (at {where}: {text!r})"
        ) from None


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)
