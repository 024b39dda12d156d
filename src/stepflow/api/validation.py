"""Requests checked against the Step Functions service model that botocore ships.

Two places check a request, as on AWS:
- the client side (what boto3 does before sending): unknown and missing parameters, types and
  minimum lengths, with botocore's own ``ParamValidator`` and its ``ParamValidationError``;
- the service side (what AWS answers): missing members, maximum lengths, value ranges and enums,
  as a ``ValidationException`` worded as AWS words it ("1 validation error detected: Value 'X' at
  'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]"),
  and a value of the wrong JSON type as a ``SerializationException``.

The library's client runs both; the HTTP server runs the service side (a request reaching it has
been through whichever client sent it). Without botocore (the ``aws`` extra) nothing is checked.
"""
from __future__ import annotations

import functools
import json
from typing import Any, Mapping

from stepflow.api.errors import ValidationException, _error

SerializationException = _error("SerializationException")
UnknownOperationException = _error("UnknownOperationException")

try:
    import botocore.session
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator
except ImportError:  # the core install
    botocore = None  # type: ignore[assignment]


@functools.lru_cache(maxsize=1)
def service_model() -> Any:
    """botocore's Step Functions model, or None without botocore."""
    if botocore is None:
        return None
    return botocore.session.get_session().get_service_model("stepfunctions")


def operation_names() -> list[str]:
    model = service_model()
    return sorted(model.operation_names) if model is not None else []


def check_client_request(operation: str, params: Mapping[str, Any]) -> None:
    """What boto3 refuses before sending (raises ``botocore.exceptions.ParamValidationError``),
    then what the service refuses (``ValidationException``)."""
    model = service_model()
    if model is None:
        return
    shape = model.operation_model(operation).input_shape
    report = ParamValidator().validate(dict(params), shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())
    check_service_request(operation, params)


def check_service_request(operation: str, params: Mapping[str, Any]) -> None:
    """What AWS answers to a request that breaks the model's constraints."""
    model = service_model()
    if model is None:
        return
    if operation not in model.operation_names:
        raise UnknownOperationException(f"Step Functions has no operation {operation!r}", operation)
    problems: list[str] = []
    _check_structure(model.operation_model(operation).input_shape, params, "", problems, operation)
    if problems:
        count = f"{len(problems)} validation error{'s' if len(problems) > 1 else ''} detected"
        raise ValidationException(f"{count}: {'; '.join(problems)}", operation)


def _check_structure(shape: Any, value: Any, where: str, problems: list[str], operation: str) -> None:
    if not isinstance(value, Mapping):
        raise SerializationException(_wrong_type(shape, value, where), operation)
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(f"Value null at '{where}{name}' failed to satisfy constraint: Member must not be null")
    for name, member in shape.members.items():
        if value.get(name) is not None:
            _check(member, value[name], f"{where}{name}", problems, operation)


def _check(shape: Any, value: Any, where: str, problems: list[str], operation: str) -> None:
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, value, f"{where}.", problems, operation)
        return
    expected = _JSON_TYPES.get(kind)
    if expected is not None and (not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool))):
        raise SerializationException(_wrong_type(shape, value, where), operation)
    metadata = shape.metadata
    # AWS quotes a string's value, except a sensitive one (definition, input, output...).
    shown = f"'{value}' " if kind == "string" and not metadata.get("sensitive") else ""
    if kind in ("string", "list", "map"):
        _bounds(len(value), metadata, f"Value {shown}at '{where}'", "length", problems)
    if kind in ("integer", "long"):
        _bounds(value, metadata, f"Value '{value}' at '{where}'", "value", problems)
    if kind == "string" and shape.enum and value not in shape.enum:
        problems.append(
            f"Value {shown}at '{where}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(shape.enum)}]"
        )
    if kind == "list":
        for index, item in enumerate(value, 1):
            _check(shape.member, item, f"{where}.{index}.member", problems, operation)


def _bounds(measure: int, metadata: dict[str, Any], value_at: str, what: str, problems: list[str]) -> None:
    """The model's ``min``/``max`` for a length or a value, in AWS's words."""
    if "min" in metadata and measure < metadata["min"]:
        problems.append(f"{value_at} failed to satisfy constraint: Member must have {what} greater than or equal to {metadata['min']}")
    if "max" in metadata and measure > metadata["max"]:
        problems.append(f"{value_at} failed to satisfy constraint: Member must have {what} less than or equal to {metadata['max']}")


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "long": int, "boolean": bool, "list": list, "map": dict,
    "float": (int, float), "double": (int, float), "timestamp": (int, float, str), "blob": str,
}


def _wrong_type(shape: Any, value: Any, where: str) -> str:
    return f"Expected a {shape.type_name} at '{where.rstrip('.') or 'the request'}', got {type(value).__name__} {json.dumps(value)[:80]}"

