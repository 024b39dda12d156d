"""Payload templates: Parameters, ResultSelector, ItemSelector and the Map's legacy Parameters.

A template is JSON in which a key ending in ``.$`` takes its value from the data: a path (``$.x``),
a context path (``$$.Execution.Id``) or an intrinsic call (``States.Format(...)``); every other
value is literal, and objects and arrays nest. A template is compiled once into a tree; rendering
builds new containers for the template's own objects and arrays and places the values it reads by
reference, so it never mutates or deep-copies the data.

A path that matches nothing fails the state with ``States.Runtime`` (not the spec's
``States.ParameterPathFailure``): AWS's recorded executions read "The JSONPath '$.x' specified for
the field 'y.$' could not be found in the input '{...}'" with error States.Runtime (AWS console
output quoted in public bug reports and workshops; Step Functions Local behaves the same).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from stepflow.asl.errors import StepflowError
from stepflow.asl.intrinsics import Intrinsic, IntrinsicSyntaxError, compile_intrinsic, is_intrinsic
from stepflow.asl.paths import Path, PathNotFound, PathSyntaxError, StateDataError, compile_path, to_json

__all__ = ["Template", "TemplateSyntaxError", "compile_field_path", "compile_template"]


class TemplateSyntaxError(StepflowError):
    """A template that cannot be compiled.

    ``field`` names the place as a reader writes it (``Parameters.a[1].b.$``); ``pointer`` is the
    same place as a JSON pointer relative to the template (``/a/1/b.$``), for definition diagnostics.
    """

    def __init__(self, field: str, pointer: str, problem: str) -> None:
        self.field = field
        self.pointer = pointer
        self.problem = problem
        super().__init__(f"{field}: {problem}")


@dataclass(frozen=True)
class _Place:
    """Where a template value sits, kept in both spellings TemplateSyntaxError reports."""

    field: str
    pointer: str

    def child(self, key: str | int) -> _Place:
        step = f"[{key}]" if isinstance(key, int) else f".{key}"
        token = str(key).replace("~", "~0").replace("/", "~1")
        return _Place(self.field + step, f"{self.pointer}/{token}")

    def error(self, problem: str) -> TemplateSyntaxError:
        return TemplateSyntaxError(self.field, self.pointer, problem)


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any

    def render(self, data: Any, context: Any) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class _PathValue:
    key: str  # the template key, ".$" included, as AWS names it in the cause
    path: Path

    def render(self, data: Any, context: Any) -> Any:
        if data is None and not self.path.context and self.path.variable is None:
            # AWS on a null state input (one public report of a real run: "Input.$": "$").
            raise StateDataError("Unable to apply Path transformation to null or empty input.")
        try:
            return self.path.find(data, context)
        except PathNotFound:
            searched = context if self.path.context else data
            raise StateDataError(
                f"The JSONPath '{self.path.text}' specified for the field '{self.key}' could not be "
                f"found in the input '{to_json(searched)}'"
            ) from None


@dataclass(frozen=True, slots=True)
class _IntrinsicValue:
    intrinsic: Intrinsic

    def render(self, data: Any, context: Any) -> Any:
        return self.intrinsic(data, context)


@dataclass(frozen=True, slots=True)
class _Object:
    fields: tuple[tuple[str, _Node], ...]

    def render(self, data: Any, context: Any) -> Any:
        return {name: node.render(data, context) for name, node in self.fields}


@dataclass(frozen=True, slots=True)
class _Array:
    items: tuple[_Node, ...]

    def render(self, data: Any, context: Any) -> Any:
        return [item.render(data, context) for item in self.items]


_Node = _Literal | _PathValue | _IntrinsicValue | _Object | _Array


class Template:
    """A compiled payload template; ``render(data, context)`` gives the JSON it describes."""

    __slots__ = ("field", "_root")

    def __init__(self, field: str, root: _Node) -> None:
        self.field = field
        self._root = root

    def render(self, data: Any, context: Any = None) -> Any:
        """The template filled from ``data`` (``$``) and ``context`` (``$$``); raises ASLError."""
        return self._root.render(data, context)

    def __repr__(self) -> str:
        return f"Template({self.field!r})"


def compile_field_path(text: str, field: str) -> Callable[[Any, Any], Any]:
    """A path read for a named field outside a template (Fail's ErrorPath / CausePath); a miss has
    the same cause as in a template (test_base_scenarios.snapshot.json, test_invalid_jsonpath)."""
    return _PathValue(field, compile_path(text)).render


def compile_template(value: Any, field: str) -> Template:
    """Compile ``value`` (the JSON of a Parameters-like ``field``); raises TemplateSyntaxError."""
    return Template(field, _compile(value, _Place(field, "")))


def _compile(value: Any, place: _Place) -> _Node:
    if isinstance(value, dict):
        return _compile_object(value, place)
    if isinstance(value, list):
        return _Array(tuple(_compile(item, place.child(i)) for i, item in enumerate(value)))
    return _Literal(value)


def _compile_object(value: dict[str, Any], place: _Place) -> _Object:
    fields: dict[str, _Node] = {}
    for key, item in value.items():
        where = place.child(key)
        if not key.endswith(".$"):
            name, node = key, _compile(item, where)
        else:
            name, node = key[:-2], _compile_dynamic(key, item, where)
        if name in fields:
            raise where.error(f"the field '{name}' is given both as '{name}' and as '{name}.$'")
        fields[name] = node
    return _Object(tuple(fields.items()))


def _compile_dynamic(key: str, text: Any, place: _Place) -> _Node:
    """A ``.$`` value: a path, a context path or an intrinsic call, checked now rather than at run time."""
    if isinstance(text, str) and text.startswith("$"):
        try:
            return _PathValue(key, compile_path(text))
        except PathSyntaxError as error:
            raise place.error(str(error)) from None
    if is_intrinsic(text):
        try:
            return _IntrinsicValue(compile_intrinsic(text))
        except IntrinsicSyntaxError as error:
            raise place.error(str(error)) from None
    # AWS refuses such a definition: "The value for the field 'x.$' must be a valid JSONPath or a
    # valid intrinsic function call".
    raise place.error(f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call")
