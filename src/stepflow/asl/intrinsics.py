"""The Amazon States Language's intrinsic functions (``States.Format(...)`` and the 17 others).

An intrinsic call is parsed once, by a small tokenizer and a recursive-descent parser, into a call
tree; running it only evaluates that tree. Problems a definition shows on its face (bad syntax, an
unknown function, a wrong argument count, more than 10 calls in one field) raise
``IntrinsicSyntaxError`` at compile time; problems that depend on the data raise ``ASLError`` when
the call runs.

Runtime failures follow AWS's recorded behaviour rather than the spec's wording: the spec names
``States.IntrinsicFailure``, but AWS fails the execution with ``States.Runtime`` and a cause of the
form ``The function '<call as written>' had the following error: <detail>``, where the detail is
``Invalid arguments in States.<Name>`` for a bad argument, or ``The JsonPath argument for the field
'<path>' could not be found in the input '<input>'`` for a path argument that matches nothing.
(Recorded in executions against AWS: integration tests asserting ``States.Runtime`` with "Invalid
arguments in States.MathAdd" / "States.StringToJson" causes, and the missing-argument cause quoted
from the AWS console in public bug reports.) They are raised as ``paths.StateDataError`` so the
engine prefixes the state name as AWS does ("An error occurred while executing the state ...").

Numbers follow AWS's Java runtime: ``States.MathAdd`` rounds each operand half-up (Java
``Math.round``) and works in 32-bit integers; the other integer arguments (ArrayRange, ArrayPartition,
ArrayGetItem, MathRandom) are truncated toward zero, as AWS does with ``States.ArrayRange(1.4, 5.6,
2.2)`` -> ``[1, 3, 5]``.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import random
import re
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from stepflow.asl.errors import StepflowError
from stepflow.asl.paths import Path, PathNotFound, PathSyntaxError, StateDataError, compile_path, to_json

__all__ = ["Intrinsic", "IntrinsicSyntaxError", "compile_intrinsic", "is_intrinsic", "FUNCTION_NAMES"]

# "You can nest up to 10 intrinsic functions within a field" (developer guide, "Intrinsic
# functions"); its example of nine counts every call in the field, so the limit is on calls.
MAX_CALLS_PER_FIELD = 10
# Base64Encode / Base64Decode / Hash: "up to 10,000 characters" of input (developer guide).
MAX_STRING_INPUT = 10_000
# ArrayRange: "The newly generated array can't contain more than 1000 items."
MAX_RANGE_ITEMS = 1000
_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_HASHES: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}
_INTRINSIC_START = re.compile(r"\s*States\.[A-Za-z0-9_]*\s*\(")


class IntrinsicSyntaxError(StepflowError):
    """An intrinsic call that cannot run whatever the data: names the text and the position."""

    def __init__(self, text: str, position: int, problem: str) -> None:
        self.text = text
        self.position = position
        self.problem = problem
        super().__init__(f"invalid intrinsic function call '{text}' at position {position}: {problem}")


class _CallFailed(Exception):
    """A call that cannot give a value; ``args[0]`` is AWS's detail text for the cause."""


def is_intrinsic(text: Any) -> bool:
    """True when ``text`` is written as an intrinsic call (``States.Name(``), valid or not."""
    return isinstance(text, str) and _INTRINSIC_START.match(text) is not None


def compile_intrinsic(text: str) -> Intrinsic:
    """Parse ``text`` once into a callable ``Intrinsic``; raises ``IntrinsicSyntaxError``."""
    return Intrinsic(text, _Parser(text).parse())


# --- the call tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Literal:
    value: Any

    def evaluate(self, data: Any, context: Any) -> Any:
        return self.value


@dataclass(frozen=True)
class _StringLiteral:
    """A quoted string; ``pieces`` are its text around unescaped ``{}`` (States.Format's slots)."""

    value: str
    pieces: tuple[str, ...]

    def evaluate(self, data: Any, context: Any) -> Any:
        return self.value


@dataclass(frozen=True)
class _PathArgument:
    path: Path

    def evaluate(self, data: Any, context: Any) -> Any:
        try:
            return self.path.find(data, context)
        except PathNotFound as missing:
            # AWS passes Jayway's own text through when an index is applied to a non-array.
            if missing.reason.startswith("Filter:"):
                raise _CallFailed(missing.reason) from None
            searched = context if self.path.context else data
            raise _CallFailed(
                f"The JsonPath argument for the field '{self.path.text}' could not be found in the "
                f"input '{to_json(searched)}'"
            ) from None


@dataclass(frozen=True)
class _FunctionSpec:
    min_args: int
    max_args: int | None  # None: any number
    run: Callable[[list[Any]], Any]


@dataclass(frozen=True)
class _Call:
    name: str
    spec: _FunctionSpec
    arguments: tuple[_Node, ...]

    def evaluate(self, data: Any, context: Any) -> Any:
        values = [argument.evaluate(data, context) for argument in self.arguments]
        if self.name == "States.Format":
            values[0] = _template_pieces(self.arguments[0], values[0])
        try:
            return self.spec.run(values)
        except (TypeError, ValueError, OverflowError) as error:
            raise _CallFailed(f"Invalid arguments in {self.name}") from error


_Node = _Literal | _StringLiteral | _PathArgument | _Call


class Intrinsic:
    """A compiled intrinsic call: ``intrinsic(data, context)`` gives its value."""

    __slots__ = ("text", "_call")

    def __init__(self, text: str, call: _Call) -> None:
        self.text = text
        self._call = call

    @property
    def function(self) -> str:
        """The outermost function's name, e.g. ``States.Format``."""
        return self._call.name

    def __call__(self, data: Any, context: Any = None) -> Any:
        try:
            return self._call.evaluate(data, context)
        except _CallFailed as failure:
            raise StateDataError(f"The function '{self.text}' had the following error: {failure.args[0]}") from None

    def __repr__(self) -> str:
        return f"Intrinsic({self.text!r})"


# --- tokenizer -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # NAME ( ) , STRING NUMBER LITERAL PATH END
    value: Any
    position: int


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_KEYWORDS = {"true": True, "false": False, "null": None}
_ESCAPES = {"'": "'", "{": "{", "}": "}", "\\": "\\"}


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "(),":
            tokens.append(_Token(char, char, i))
            i += 1
        elif char == "'":
            token, i = _read_string(text, i)
            tokens.append(token)
        elif char == "$":
            token, i = _read_path(text, i)
            tokens.append(token)
        elif (match := _NUMBER.match(text, i)) is not None:
            literal = match.group()
            number = float(literal) if match.group(1) or match.group(2) else int(literal)
            tokens.append(_Token("NUMBER", number, i))
            i = match.end()
        elif (match := _NAME.match(text, i)) is not None:
            word = match.group()
            if word in _KEYWORDS:
                tokens.append(_Token("LITERAL", _KEYWORDS[word], i))
            else:
                tokens.append(_Token("NAME", word, i))
            i = match.end()
        else:
            raise IntrinsicSyntaxError(text, i, f"unexpected character {char!r}")
    tokens.append(_Token("END", None, len(text)))
    return tokens


def _read_string(text: str, start: int) -> tuple[_Token, int]:
    """A quoted literal with AWS's escapes (\\' \\{ \\} \\\\); unescaped ``{}`` marks a Format slot."""
    pieces: list[str] = []
    current: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            escaped = text[i + 1] if i + 1 < len(text) else ""
            if escaped not in _ESCAPES:
                raise IntrinsicSyntaxError(
                    text, i, "a backslash must escape one of ' { } \\ (write \\\\ for a backslash)"
                )
            current.append(_ESCAPES[escaped])
            i += 2
        elif char == "'":
            pieces.append("".join(current))
            value = "{}".join(pieces)
            return _Token("STRING", _StringLiteral(value, tuple(pieces)), start), i + 1
        elif text.startswith("{}", i):
            pieces.append("".join(current))
            current = []
            i += 2
        else:
            current.append(char)
            i += 1
    raise IntrinsicSyntaxError(text, start, "unterminated string literal")


def _read_path(text: str, start: int) -> tuple[_Token, int]:
    """A path argument runs to the first top-level ``,`` ``)`` or blank (brackets may hold them)."""
    depth = 0
    quote: str | None = None
    i = start
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = None
        elif char in "'\"" and depth:
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])" and depth:
            depth -= 1
        elif depth == 0 and (char in ",)" or char.isspace()):
            break
        i += 1
    source = text[start:i]
    try:
        path = compile_path(source)
    except PathSyntaxError as error:
        raise IntrinsicSyntaxError(text, start, f"invalid path argument {source!r}: {error}") from None
    return _Token("PATH", _PathArgument(path), start), i


# --- parser ----------------------------------------------------------------------------------


class _Parser:
    """call := NAME '(' [argument (',' argument)*] ')' ; argument := literal | path | call."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0
        self.calls = 0

    def parse(self) -> _Call:
        call = self._call()
        token = self._peek()
        if token.kind != "END":
            self._fail(token, "unexpected text after the closing ')'")
        return call

    def _peek(self) -> _Token:
        return self.tokens[self.index]

    def _next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _fail(self, token: _Token, problem: str) -> None:
        raise IntrinsicSyntaxError(self.text, token.position, problem)

    def _call(self) -> _Call:
        name_token = self._next()
        if name_token.kind != "NAME":
            self._fail(name_token, "expected an intrinsic function name such as States.Format")
        spec = _FUNCTIONS.get(name_token.value)
        if spec is None:
            self._fail(name_token, f"unknown intrinsic function {name_token.value!r}")
        self.calls += 1
        if self.calls > MAX_CALLS_PER_FIELD:  # checked while parsing, so nesting depth stays bounded
            self._fail(name_token, f"more than {MAX_CALLS_PER_FIELD} intrinsic functions in one field")
        if self._next().kind != "(":
            self._fail(self.tokens[self.index - 1], f"expected '(' after {name_token.value}")
        arguments: list[_Node] = []
        if self._peek().kind == ")":
            self._next()
        else:
            while True:
                arguments.append(self._argument())
                separator = self._next()
                if separator.kind == ")":
                    break
                if separator.kind != ",":
                    self._fail(separator, "expected ',' or ')'")
        self._check_arity(name_token, spec, len(arguments))
        return _Call(name_token.value, spec, tuple(arguments))

    def _argument(self) -> _Node:
        token = self._peek()
        if token.kind == "NAME":
            return self._call()
        self._next()
        if token.kind in ("STRING", "PATH"):
            return token.value
        if token.kind in ("NUMBER", "LITERAL"):
            return _Literal(token.value)
        self._fail(token, "expected an argument: a 'string', a number, true, false, null, a path or a call")
        raise AssertionError("unreachable")

    def _check_arity(self, token: _Token, spec: _FunctionSpec, count: int) -> None:
        if spec.min_args <= count and (spec.max_args is None or count <= spec.max_args):
            return
        if spec.max_args is None:
            expected = f"at least {spec.min_args}"
        elif spec.min_args == spec.max_args:
            expected = str(spec.min_args)
        else:
            expected = f"{spec.min_args} to {spec.max_args}"
        self._fail(token, f"{token.value} takes {expected} argument(s), got {count}")


# --- the functions ---------------------------------------------------------------------------


def _template_pieces(node: _Node, value: Any) -> Any:
    """States.Format's template as the text around its ``{}`` slots (escapes honoured in literals)."""
    if isinstance(node, _StringLiteral):
        return node.pieces
    return tuple(value.split("{}")) if isinstance(value, str) else value


def _format(args: list[Any]) -> str:
    pieces, values = args[0], args[1:]
    if not isinstance(pieces, tuple) or len(pieces) - 1 != len(values):
        raise ValueError("the number of arguments does not match the number of {}")
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:]):
        out.append(_format_value(value))
        out.append(piece)
    return "".join(out)


def _format_value(value: Any) -> str:
    """A value as AWS's Java runtime prints it into States.Format: objects as ``{k=v, ...}``."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_format_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}={_format_value(item)}" for key, item in value.items()) + "}"
    return json.dumps(value)


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _bounded_string(value: Any) -> str:
    if len(_string(value)) > MAX_STRING_INPUT:
        raise ValueError("string longer than 10,000 characters")
    return value


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected an array")
    return value


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError("expected a number")
    return value


def _truncated(value: Any) -> int:
    """An integer argument as Java's ``intValue`` reads a JSON number: toward zero."""
    return int(_number(value))


def _rounded_int32(value: Any) -> int:
    """A MathAdd operand: Java ``Math.round`` (half up), then a 32-bit integer."""
    number = _number(value)
    return _int32(math.floor(number + 0.5) if isinstance(number, float) else number)


def _int32(value: int) -> int:
    if not _INT32_MIN <= value <= _INT32_MAX:
        raise OverflowError("outside the 32-bit integer range")
    return value


def _json_key(value: Any) -> Any:
    """A hashable stand-in with JSON equality: true is not 1, key order does not matter."""
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("array", tuple(_json_key(item) for item in value))
    return ("object", frozenset((key, _json_key(item)) for key, item in value.items()))


def _array_partition(args: list[Any]) -> list[list[Any]]:
    array, size = _array(args[0]), _truncated(args[1])
    if size < 1:
        raise ValueError("chunk size must be a positive integer")
    return [array[i : i + size] for i in range(0, len(array), size)]


def _array_contains(args: list[Any]) -> bool:
    wanted = _json_key(args[1])
    return any(_json_key(item) == wanted for item in _array(args[0]))


def _array_range(args: list[Any]) -> list[int]:
    start, end, step = (_truncated(value) for value in args)
    if step == 0:
        raise ValueError("step must not be zero")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE_ITEMS:
        raise ValueError("more than 1000 items")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _array_get_item(args: list[Any]) -> Any:
    array, index = _array(args[0]), _truncated(args[1])
    if not 0 <= index < len(array):
        raise ValueError("index out of bounds")
    return array[index]


def _array_unique(args: list[Any]) -> list[Any]:
    seen: dict[Any, Any] = {}
    for item in _array(args[0]):
        seen.setdefault(_json_key(item), item)
    return list(seen.values())


def _base64_encode(args: list[Any]) -> str:
    return base64.b64encode(_bounded_string(args[0]).encode("utf-8")).decode("ascii")


def _base64_decode(args: list[Any]) -> str:
    try:
        return base64.b64decode(_bounded_string(args[0]), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise ValueError("not Base64 of UTF-8 text") from error


def _hash(args: list[Any]) -> str:
    data, algorithm = _bounded_string(args[0]), _string(args[1])
    if algorithm not in _HASHES:
        raise ValueError("unsupported algorithm")
    return _HASHES[algorithm](data.encode("utf-8")).hexdigest()


def _json_merge(args: list[Any]) -> dict[str, Any]:
    first, second, deep = _object(args[0]), _object(args[1]), args[2]
    # "Step Functions only supports the shallow merging mode; therefore, you must specify the
    # boolean value as false." (developer guide, States.JsonMerge)
    if deep is not False:
        raise ValueError("only the shallow mode (false) is supported")
    return {**first, **second}


def _math_random(args: list[Any]) -> int:
    start, end = _truncated(args[0]), _truncated(args[1])
    if start >= end:
        raise ValueError("start must be less than end")
    generator = random.Random(_truncated(args[2])) if len(args) == 3 else random
    return generator.randrange(start, end)


def _math_add(args: list[Any]) -> int:
    return _int32(_rounded_int32(args[0]) + _rounded_int32(args[1]))


def _string_split(args: list[Any]) -> list[str]:
    text, delimiters = _string(args[0]), _string(args[1])
    if not delimiters:
        return [text] if text else []
    parts = re.split("|".join(re.escape(char) for char in delimiters), text)
    return [part for part in parts if part]


def _string_to_json(args: list[Any]) -> Any:
    text = _string(args[0])
    # AWS answers null for an empty or blank string (recorded executions) rather than failing.
    return json.loads(text) if text.strip() else None


def _spec(arity: int | tuple[int, int | None], run: Callable[[list[Any]], Any]) -> _FunctionSpec:
    low, high = arity if isinstance(arity, tuple) else (arity, arity)
    return _FunctionSpec(low, high, run)


_FUNCTIONS: dict[str, _FunctionSpec] = {
    "States.Format": _spec((1, None), _format),
    "States.StringToJson": _spec(1, _string_to_json),
    "States.JsonToString": _spec(1, lambda args: to_json(args[0])),
    "States.Array": _spec((0, None), list),
    "States.ArrayPartition": _spec(2, _array_partition),
    "States.ArrayContains": _spec(2, _array_contains),
    "States.ArrayRange": _spec(3, _array_range),
    "States.ArrayGetItem": _spec(2, _array_get_item),
    "States.ArrayLength": _spec(1, lambda args: len(_array(args[0]))),
    "States.ArrayUnique": _spec(1, _array_unique),
    "States.Base64Encode": _spec(1, _base64_encode),
    "States.Base64Decode": _spec(1, _base64_decode),
    "States.Hash": _spec(2, _hash),
    "States.JsonMerge": _spec(3, _json_merge),
    "States.MathRandom": _spec((2, 3), _math_random),
    "States.MathAdd": _spec(2, _math_add),
    "States.StringSplit": _spec(2, _string_split),
    "States.UUID": _spec(0, lambda args: str(uuid.uuid4())),
}
FUNCTION_NAMES: Sequence[str] = tuple(_FUNCTIONS)
