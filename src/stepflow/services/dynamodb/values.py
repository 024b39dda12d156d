"""AttributeValues, DynamoDB's typed JSON (``{"S": "a"}``, ``{"N": "1"}``, ``{"L": [...]}``).

Numbers travel as strings and are kept canonical (DynamoDB trims leading and trailing zeros), so
``{"N": "1.50"}`` and ``{"N": "1.5"}`` are one key. Comparisons follow DynamoDB: strings and
binaries by their bytes, numbers by value, and values of different types are never ordered.
"""
from __future__ import annotations

import base64
import json
from decimal import Context, Decimal, InvalidOperation
from typing import Any

from stepflow.services.dynamodb.errors import validation

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TYPES = ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS")
SET_TYPES = ("SS", "NS", "BS")
KEY_TYPES = ("S", "N", "B")
MAX_ITEM_BYTES = 400 * 1024
_NUMBERS = Context(prec=38)  # DynamoDB's numbers have up to 38 significant digits


def number(text: Any) -> Decimal:
    """The value of an ``N`` string; ValidationException when it is not a number."""
    try:
        value = _NUMBERS.create_decimal(str(text))
    except InvalidOperation:
        raise validation(
            "A value provided cannot be converted into a number"
        ) from None
    if not value.is_finite():
        raise validation("A value provided cannot be converted into a number")
    return value


def number_text(value: Decimal) -> str:
    """DynamoDB's canonical text for a number: no exponent, no padding zeros."""
    if value == 0:
        return "0"
    text = format(value.normalize(_NUMBERS), "f")
    return text


def type_of(value: AttributeValue) -> str:
    """The one type descriptor of an AttributeValue, checked."""
    if not isinstance(value, dict) or len(value) != 1:
        raise validation(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
            if isinstance(value, dict) and value
            else "Supplied AttributeValue is empty, must contain exactly one of the supported "
            "datatypes"
        )
    (kind,) = value
    if kind not in TYPES:
        raise validation(f"Supplied AttributeValue has an unknown datatype: {kind}")
    return kind


def canonical(value: AttributeValue) -> AttributeValue:
    """The value checked and normalised (numbers canonical, sets without duplicates)."""
    kind = type_of(value)
    inner = value[kind]
    if kind == "N":
        return {"N": number_text(number(inner))}
    if kind in ("S", "B"):
        if not isinstance(inner, str):
            raise validation(f"Invalid attribute value type: {kind} must be a string")
        return {kind: inner}
    if kind == "BOOL":
        if not isinstance(inner, bool):
            raise validation("Invalid attribute value type: BOOL must be true or false")
        return value
    if kind == "NULL":
        if inner is not True:
            raise validation(
                "One or more parameter values were invalid: Null attribute value types must have "
                "the value of true"
            )
        return value
    if kind == "M":
        if not isinstance(inner, dict):
            raise validation("Invalid attribute value type: M must be a map")
        return {"M": {name: canonical(member) for name, member in inner.items()}}
    if kind == "L":
        if not isinstance(inner, list):
            raise validation("Invalid attribute value type: L must be a list")
        return {"L": [canonical(member) for member in inner]}
    if not isinstance(inner, list) or not inner:
        raise validation(
            "One or more parameter values were invalid: An string set  may not be empty"
            if kind == "SS"
            else f"One or more parameter values were invalid: An {kind} may not be empty"
        )
    members = [number_text(number(m)) for m in inner] if kind == "NS" else list(inner)
    if len(set(members)) != len(members):
        raise validation(f"Input collection {inner} contains duplicates.")
    return {kind: members}


def canonical_item(item: Any) -> Item:
    if not isinstance(item, dict):
        raise validation("An item must be a map of attribute names to AttributeValues")
    return {name: canonical(value) for name, value in item.items()}


def item_size(item: Item) -> int:
    """An estimate of DynamoDB's item size: attribute names plus their values' encoded bytes."""
    return sum(len(name.encode()) + len(json.dumps(value).encode()) for name, value in item.items())


def sort_key(value: AttributeValue) -> Any:
    """How DynamoDB orders key values: numbers by value, strings by UTF-8, binary by bytes."""
    kind = type_of(value)
    if kind == "N":
        return number(value["N"])
    if kind == "S":
        return value["S"].encode("utf-8")
    return base64.b64decode(value["B"])


def equal(left: AttributeValue | None, right: AttributeValue | None) -> bool:
    if left is None or right is None:
        return left is right
    (kind,) = left
    if (kind,) != tuple(right):
        return False
    if kind == "N":
        return number(left["N"]) == number(right["N"])
    if kind in SET_TYPES:
        return set(_set_members(left)) == set(_set_members(right))
    if kind == "M":
        return left["M"].keys() == right["M"].keys() and all(
            equal(member, right["M"][name]) for name, member in left["M"].items()
        )
    if kind == "L":
        return len(left["L"]) == len(right["L"]) and all(
            equal(a, b) for a, b in zip(left["L"], right["L"])
        )
    return left[kind] == right[kind]


def ordered(left: AttributeValue | None, right: AttributeValue | None) -> tuple[Any, Any] | None:
    """Both sides as comparable keys when DynamoDB can order them (same scalar type), else None."""
    if left is None or right is None:
        return None
    (kind,) = left
    if kind not in KEY_TYPES or (kind,) != tuple(right):
        return None
    return sort_key(left), sort_key(right)


def _set_members(value: AttributeValue) -> list[Any]:
    (kind,) = value
    return [number(m) for m in value[kind]] if kind == "NS" else list(value[kind])


def set_union(kind: str, left: list[str], right: list[str]) -> list[str]:
    result, seen = list(left), {_member_key(kind, m) for m in left}
    for member in right:
        if _member_key(kind, member) not in seen:
            seen.add(_member_key(kind, member))
            result.append(member)
    return result


def set_difference(kind: str, left: list[str], right: list[str]) -> list[str]:
    drop = {_member_key(kind, m) for m in right}
    return [m for m in left if _member_key(kind, m) not in drop]


def set_contains(value: AttributeValue, member: AttributeValue) -> bool:
    (kind,) = value
    if {"SS": "S", "NS": "N", "BS": "B"}[kind] != type_of(member):
        return False
    (inner,) = member.values()
    return _member_key(kind, inner) in {_member_key(kind, m) for m in value[kind]}


def _member_key(kind: str, member: str) -> Any:
    return number(member) if kind == "NS" else member


def size(value: AttributeValue) -> int:
    """DynamoDB's ``size()``: string length, binary bytes, or the number of elements."""
    (kind,) = value
    if kind == "S":
        return len(value["S"])
    if kind == "B":
        return len(base64.b64decode(value["B"]))
    if kind in ("M", "L") or kind in SET_TYPES:
        return len(value[kind])
    raise validation(
        f"Invalid FunctionName: size; function: size is not supported on the attribute type {kind}"
    )


def key_text(value: AttributeValue) -> str:
    """One stored string per key value, equal exactly when DynamoDB considers the keys equal."""
    return json.dumps(canonical(value), sort_keys=True)


def from_plain(value: Any) -> AttributeValue:
    """Plain JSON to an AttributeValue, as boto3's TypeSerializer would (lists stay lists)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float, Decimal)):
        return {"N": number_text(number(value))}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, (bytes, bytearray)):
        return {"B": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dict):
        return {"M": {name: from_plain(member) for name, member in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [from_plain(member) for member in value]}
    raise validation(f"cannot store a {type(value).__name__} in DynamoDB")


def to_plain(value: AttributeValue) -> Any:
    """An AttributeValue as plain JSON (numbers as int or float, sets as sorted lists)."""
    (kind,) = value
    inner = value[kind]
    if kind == "N":
        decimal = number(inner)
        return int(decimal) if decimal == decimal.to_integral_value() else float(decimal)
    if kind == "NULL":
        return None
    if kind == "M":
        return {name: to_plain(member) for name, member in inner.items()}
    if kind == "L":
        return [to_plain(member) for member in inner]
    if kind == "NS":
        return sorted(to_plain({"N": member}) for member in inner)
    if kind in ("SS", "BS"):
        return sorted(inner)
    return inner
