"""AWS Step Functions' JSONPath dialect: paths compiled once, then read and written many times.

AWS evaluates paths with Jayway JsonPath (Java), so its answers and error texts are Jayway's:
- a *definite* path (only names and single indexes, e.g. ``$.a['b'][0]``) gives the value itself
  and fails when anything along it is missing;
- a *query* path (wildcard, ``..``, filter, slice, several indexes) gives a list, ``[]`` when
  nothing matches, also when its definite prefix is missing (AWS records ``$.items[*]`` and
  ``$.item.items[1:5].x`` over ``{}`` as ``[]``: LocalStack's test_base.snapshot.json,
  test_json_path_array_wildcard_or_slice_with_no_input);
- blanks around a path are trimmed, and a backslash in a quoted name only keeps the next
  character from closing it: it stays in the name (recorded: ``$['Test\\""Name"']`` reads the key
  ``Test\\""Name"``, test_base_scenarios.snapshot.json, test_escape_sequence_parsing).
``$`` reads the state's data, ``$$`` the context object, ``$name`` the workflow variable ``name``
(set by ``Assign``; the engine publishes the variables a state sees in ``VARIABLES``). Query paths are evaluated by jsonpath-ng
(its RFC 9535 extended parser), bridged to AWS where they differ (developer guide, "Paths"):
- a filter applied to an object tests that object itself (Jayway), not its member values;
- ``@`` in a filter matches objects only, never scalar array elements;
- filters may not use regular expressions (``=~``), and functions such as ``length()`` are not
  supported: these are refused at compile time. ``$`` inside ``[?()]`` reads the whole data (AWS
  deploys samples relying on it); only reference paths, which have no filters at all, exclude it;
- an unquoted word in a filter (``[?(@.code==es)]``) is compared as the string ``'es'``, as
  AWS-authored samples rely on; ``Path.notice`` says so, for a validation warning.
"""
from __future__ import annotations

import json
import re
import threading
import warnings
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Union

from jsonpath_ng import JSONPath
from jsonpath_ng.ext import filter as jp_filter
from jsonpath_ng.ext.parser import ExtendedJsonPathParser
from jsonpath_ng.jsonpath import Child, DatumInContext, Descendants

from stepflow.asl.errors import REFERENCE_PATH_CONFLICT, RUNTIME, ASLError, StepflowError

Segment = Union[str, int]  # a property name, or an array index (negative counts from the end)

# The workflow variables visible to the state being run ("$name" paths read them). The engine sets
# it around each state visit; a context variable, so concurrent branches each see their own.
VARIABLES: ContextVar[Mapping[str, Any]] = ContextVar("stepflow_variables", default=MappingProxyType({}))
# "$name...": a variable reference (a name never starts with a digit; "$$" and "$." are not names).
_VARIABLE = re.compile(r"\$([^\W\d]\w*)")


class PathSyntaxError(StepflowError):
    """A path that cannot be compiled; names the text and the problem."""

    def __init__(self, text: Any, problem: str) -> None:
        super().__init__(f"invalid JSONPath {text!r}: {problem}")
        self.text = text
        self.problem = problem


class PathNotFound(StepflowError):
    """A path that selects nothing in the data; ``reason`` is Jayway's message, as AWS shows it."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"Invalid path '{text}' : {reason}")
        self.text = text
        self.reason = reason


class StateDataError(ASLError):
    """A runtime data error (States.Runtime) that AWS reports prefixed with the failing state.

    AWS's cause reads "An error occurred while executing the state 'X' (entered at the event id #2).
    <detail>"; paths and Choice rules know only the detail, the engine adds the state with ``at_state``.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(RUNTIME, detail)
        self.detail = detail

    def at_state(self, state_name: str, entered_event_id: int) -> ASLError:
        """The same error with the cause AWS gives once the failing state is known."""
        return ASLError(
            self.error,
            f"An error occurred while executing the state '{state_name}' "
            f"(entered at the event id #{entered_event_id}). {self.detail}",
        )


# --- compiling -------------------------------------------------------------------------------

# Jayway reads a dot-notation name up to the next '.', '[', '(' or blank.
_DOT_NAME = re.compile(r"\.([^.\[\]()\s'\"*?,]+)")
_QUOTED_NAME = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_BRACKET_NAME = re.compile(rf"\[\s*(?:{_QUOTED_NAME.pattern})\s*\]")
_BRACKET_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_MERGED_NAMES = re.compile(rf"\.?\[\s*(?:{_QUOTED_NAME.pattern})(?:\s*,\s*(?:{_QUOTED_NAME.pattern}))+\s*\]")
_PARSER = ExtendedJsonPathParser()
_PARSER_LOCK = threading.Lock()  # PLY parsers keep state while parsing


def _split_definite_prefix(body: str) -> tuple[tuple[Segment, ...], str]:
    """Read the names and single indexes that start ``body``; return them and the unread rest."""
    segments: list[Segment] = []
    pos = 0
    while pos < len(body):
        if body.startswith("..", pos):
            break
        if body.startswith(".[", pos):  # AWS's guide writes $.abc.['def ghi']
            pos += 1
            continue
        if match := _DOT_NAME.match(body, pos):
            segments.append(match.group(1))
        elif match := _BRACKET_NAME.match(body, pos):
            quoted = match.group(1) if match.group(1) is not None else match.group(2)
            segments.append(quoted)
        elif match := _BRACKET_INDEX.match(body, pos):
            segments.append(int(match.group(1)))
        else:
            break
        pos = match.end()
    return tuple(segments), body[pos:]


def _bracketed(segments: tuple[Segment, ...]) -> str:
    """Jayway's normalised notation, as its messages print a path: ``['a'][0]``."""
    return "".join(f"[{s}]" if isinstance(s, int) else f"['{s}']" for s in segments)


def _parsable(segments: tuple[Segment, ...]) -> str:
    """The same segments as jsonpath-ng parses them, whatever characters the names hold."""
    def quoted(name: str) -> str:
        return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"

    return "".join(f"[{s}]" if isinstance(s, int) else f"[{quoted(s)}]" for s in segments)


class _AwsFilter(jp_filter.Filter):
    """A filter as AWS applies it: to an object, the object itself is tested (Jayway); in an
    array, only object elements can match ("@ ... does not match scalar values")."""

    def find(self, datum: Any) -> list[DatumInContext]:
        datum = DatumInContext.wrap(datum)
        if isinstance(datum.value, dict):
            return [datum] if all(e.find(datum) for e in self.expressions) else []
        return [match for match in super().find(datum) if isinstance(match.value, dict)]


class _AwsDescendantFilter(jp_filter.Filter):
    """``..[?()]``: every object below is a candidate once (jsonpath-ng visits each node's
    children), and as above only objects match."""

    def find(self, datum: Any) -> list[DatumInContext]:
        return [match for match in super().find(datum) if isinstance(match.value, dict)]


def _children(node: JSONPath) -> list[JSONPath]:
    found = [getattr(node, name, None) for name in ("left", "right", "target", "value")]
    found += getattr(node, "expressions", []) + getattr(node, "operands", [])
    return [child for child in found if isinstance(child, JSONPath)]


def _check_aws_support(node: JSONPath, text: str) -> None:
    """Refuse what AWS does not support inside filters (guide, "Paths")."""
    if isinstance(node, jp_filter.Expression) and node.op == "=~":
        raise PathSyntaxError(text, "filtering by regular expression ('=~') is not supported")
    for child in _children(node):
        _check_aws_support(child, text)


def _to_aws(node: JSONPath) -> JSONPath:
    """Swap jsonpath-ng's filters for the AWS-faithful kinds above."""
    if isinstance(node, (Child, Descendants)):
        right = node.right
        if type(right) is jp_filter.Filter:
            kind = _AwsFilter if isinstance(node, Child) else _AwsDescendantFilter
            right = kind(right.expressions)
        return type(node)(_to_aws(node.left), _to_aws(right))
    return node


_OUT_OF_RANGE = object()  # a query path's definite prefix indexed past an array's end


@dataclass(frozen=True, eq=False)
class Path:
    """A compiled path. ``definite`` paths give a value; query paths give a list."""

    text: str
    context: bool  # True for "$$..." (the context object)
    segments: tuple[Segment, ...]  # the definite part, walked with Jayway's checks and messages
    query: JSONPath | None  # jsonpath-ng expression of the whole path, for query paths only
    # A final ['a','b']: Jayway answers with an object holding those of the names present.
    merge: tuple[str, ...] | None = None
    variable: str | None = None  # "$name...": read from the workflow variable ``name``
    notice: str | None = None  # what the path means that its author may not expect (a warning)

    @property
    def definite(self) -> bool:
        """Gives one value (not a list of matches)."""
        return self.query is None

    @property
    def reference(self) -> bool:
        """Names and single indexes only: a place that can be written (ResultPath)."""
        return self.query is None and self.merge is None and self.variable is None

    def find(self, data: Any, context: Any = None) -> Any:
        """The value (definite path) or list of values (query path); raises PathNotFound."""
        root = self._root(data, context)
        try:
            value = self._walk(root)
        except PathNotFound:
            if self.query is None:
                raise
            return []
        if self.merge is not None:
            return self._merged(value)
        if self.query is None:
            return value
        if value is _OUT_OF_RANGE:
            return []
        return [match.value for match in self.query.find(root)]

    def exists(self, data: Any, context: Any = None) -> bool:
        """Whether ``find`` would succeed (used by Choice's IsPresent)."""
        try:
            self._walk(self._root(data, context))
        except PathNotFound:
            return False
        return True

    def _root(self, data: Any, context: Any) -> Any:
        if self.variable is None:
            return context if self.context else data
        variables = VARIABLES.get()
        if self.variable not in variables:
            raise PathNotFound(self.text, f"The variable '${self.variable}' is not defined")
        return variables[self.variable]

    def _walk(self, value: Any) -> Any:
        """Follow the definite segments with Jayway's checks, raising with Jayway's messages."""
        last = len(self.segments) - 1
        for i, segment in enumerate(self.segments):
            if isinstance(segment, str):
                if not isinstance(value, dict):
                    found = "null" if value is None else _java_class(value)
                    raise PathNotFound(
                        self.text,
                        f"Expected to find an object with property ['{segment}'] in path "
                        f"${_bracketed(self.segments[:i])} but found '{found}'. This is not a json "
                        "object according to the JsonProvider: "
                        "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
                    )
                if segment not in value:
                    if i == last and self.query is None and self.merge is None:
                        raise PathNotFound(self.text, f"No results for path: ${_bracketed(self.segments)}")
                    raise PathNotFound(self.text, f"Missing property in path ${_bracketed(self.segments[: i + 1])}")
                value = value[segment]
            else:
                if value is None:
                    raise PathNotFound(self.text, f"The path ${_bracketed(self.segments[:i])} is null")
                if not isinstance(value, list):
                    raise PathNotFound(
                        self.text,
                        f"Filter: [{segment}] can only be applied to arrays. "
                        f"Current context is: {java_text(value)}",
                    )
                if not -len(value) <= segment < len(value):
                    if self.query is not None:  # Jayway: a query then finds nothing, no error
                        return _OUT_OF_RANGE
                    raise PathNotFound(self.text, f"No results for path: ${_bracketed(self.segments)}")
                value = value[segment]
        return value

    def _merged(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            found = "null" if value is None else _java_class(value)
            names = ",".join(f"'{name}'" for name in self.merge or ())
            raise PathNotFound(
                self.text,
                f"Expected to find an object with property [{names}] in path ${_bracketed(self.segments)} "
                f"but found '{found}'. This is not a json object according to the JsonProvider: "
                "'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
            )
        return {name: value[name] for name in self.merge or () if name in value}

    def __repr__(self) -> str:
        return f"Path({self.text!r})"


def _java_class(value: Any) -> str:
    """The class json-smart gives a JSON value, which Jayway's messages name."""
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer" if -(2**31) <= value < 2**31 else "java.lang.Long"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    return "net.minidev.json.JSONArray"  # lists; dicts never reach here


def java_text(value: Any) -> str:
    """How a JSON value prints in a Jayway message (strings raw, containers as compact JSON)."""
    return value if isinstance(value, str) else to_json(value)


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps builds a new encoder per call, which costs more than encoding a small state output;
# one C encoder, built once, does the same work (same separators, no ASCII escaping) 4-5x faster.
_C_ENCODER = (
    json.encoder.c_make_encoder(
        None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, False
    )
    if json.encoder.c_make_encoder is not None
    else None
)


def to_json(value: Any) -> str:
    """Compact JSON text, as AWS writes payloads into the history, the API and causes."""
    if _C_ENCODER is None:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return "".join(_C_ENCODER(value, 0))


_LEXICAL_OPERATOR = re.compile(r"\s(in|nin|subsetof|anyof|noneof|size|empty)\s")


def _syntax_problem(rest: str, exc: Exception) -> str:
    """Name what AWS does not support (guide, "Paths") when that is why parsing failed."""
    if "=~" in rest:
        return "filtering by regular expression ('=~') is not supported"
    if lexical := _LEXICAL_OPERATOR.search(rest):
        return f"lexical operators such as '{lexical.group(1)}' are not supported"
    # jsonpath-ng's positions count in the rewritten text, so they are left out.
    return re.sub(r" at \d+:\d+", "", str(exc))


@lru_cache(maxsize=4096)
def compile_path(text: str) -> Path:
    """Compile ``text`` once ("$..." reads the data, "$$..." the context object)."""
    if not isinstance(text, str):
        raise PathSyntaxError(text, "a path must be a string")
    if text != text.strip():  # Jayway trims the path it compiles ('$$.Execution.Name ')
        return replace(compile_path(text.strip()), text=text)
    if variable := _VARIABLE.match(text):
        return replace(compile_path("$" + text[variable.end():]), text=text, variable=variable.group(1))
    context = text.startswith("$$")
    if not text.startswith("$"):
        raise PathSyntaxError(text, "a path must start with '$' (or '$$' for the context object)")
    body = text[2:] if context else text[1:]
    segments, rest = _split_definite_prefix(body)
    if not rest:
        return Path(text, context, segments, None)
    if _MERGED_NAMES.fullmatch(rest):
        names = tuple(a if a else b for a, b in _QUOTED_NAME.findall(rest))
        return Path(text, context, segments, None, names)
    function = re.search(r"\.\s*(\w+)\s*\(", rest)
    if function or (rest.startswith("(") and segments and isinstance(segments[-1], str)):
        name = function.group(1) if function else segments[-1]
        raise PathSyntaxError(text, f"functions such as {name}() are not supported")
    try:
        with _PARSER_LOCK, warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always", DeprecationWarning)
            query = _PARSER.parse("$" + _parsable(segments) + rest)
    except Exception as exc:  # jsonpath-ng raises several exception types for bad syntax
        raise PathSyntaxError(text, _syntax_problem(rest, exc)) from None
    words = [_UNQUOTED_WORD.search(str(w.message)) for w in warned]
    if any(word is None for word in words):  # jsonpath-ng's other notices: syntax Jayway refuses
        raise PathSyntaxError(text, _syntax_problem(rest, Exception(str(warned[0].message))))
    _check_aws_support(query, text)
    notice = None
    if words:
        quoted = ", ".join(f"'{word.group(1)}'" for word in words if word)
        notice = f"an unquoted word in a filter is compared as a string ({quoted}); quote it to say so"
    return Path(text, context, segments, _to_aws(query), notice=notice)


# jsonpath-ng's notice for [?(@.code==es)], naming the word as it reads it: "Write `'es'` instead."
_UNQUOTED_WORD = re.compile(r"unquoted word.*Write `'(.*)'` instead", re.S)


# --- InputPath / OutputPath ------------------------------------------------------------------


@dataclass(frozen=True)
class SelectPath:
    """An InputPath or OutputPath: selects part of the data; ``null`` selects ``{}``."""

    path: Path | None

    def apply(self, data: Any, context: Any = None) -> Any:
        if self.path is None:
            return {}
        try:
            return self.path.find(data, context)
        except PathNotFound as missing:
            raise StateDataError(str(missing)) from None


def _compile_select(text: str | None) -> SelectPath:
    return SelectPath(None if text is None else compile_path(text))


def compile_input_path(text: str | None) -> SelectPath:
    """InputPath: the selection the state works on (AWS: States.Runtime when it is missing)."""
    return _compile_select(text)


def compile_output_path(text: str | None) -> SelectPath:
    """OutputPath: the selection passed to the next state (AWS: States.Runtime when missing)."""
    return _compile_select(text)


# --- ResultPath ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultPath:
    """Where a state's result goes in its raw input: ``$`` replaces it, ``null`` discards the result.

    Writes build new containers along the path only; everything else is shared with the input,
    which is never mutated (so a large payload is not copied at every state).
    """

    path: Path | None

    def apply(self, state_input: Any, result: Any) -> Any:
        if self.path is None:
            return state_input
        segments = self.path.segments
        if not segments:
            return result
        return self._write(state_input, segments, result, state_input)

    def _write(self, node: Any, segments: tuple[Segment, ...], result: Any, state_input: Any) -> Any:
        head, rest = segments[0], segments[1:]
        if isinstance(head, str) and isinstance(node, dict):
            child = node.get(head, {}) if rest else None
            updated = dict(node)
            updated[head] = self._write(child, rest, result, state_input) if rest else result
            return updated
        if isinstance(head, int) and isinstance(node, list) and -len(node) <= head < len(node):
            updated_list = list(node)
            updated_list[head] = self._write(node[head], rest, result, state_input) if rest else result
            return updated_list
        raise ASLError(
            REFERENCE_PATH_CONFLICT,
            f"Unable to apply ReferencePath {self.path.text} to input {to_json(state_input)}",  # type: ignore[union-attr]
        )


def compile_result_path(text: str | None) -> ResultPath:
    """ResultPath: must be a reference path (names and indexes only) into the state's data."""
    if text is None:
        return ResultPath(None)
    path = compile_path(text)
    if path.context:
        raise PathSyntaxError(text, "ResultPath cannot write to the context object ('$$')")
    if not path.reference:
        raise PathSyntaxError(text, "ResultPath must be a reference path (names and single indexes only)")
    return ResultPath(path)
