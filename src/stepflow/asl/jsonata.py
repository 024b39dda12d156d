"""JSONata expressions (``"{% ... %}"``) as AWS Step Functions evaluates them.

Every expression is parsed once, by jsonata-python, when the definition is compiled; evaluating it
only walks the parsed tree. An evaluation sees what AWS gives a JSONata state: the ``$states``
binding (input, result, errorOutput, context), the workflow variables, and the six functions AWS
adds to JSONata ($partition, $range, $hash, $random with an optional seed, $uuid, $parse). AWS
refuses ``$eval`` ("use $parse instead"), so it fails here too.

Failures follow AWS's recorded causes: ``States.QueryEvaluationError`` with "The JSONata
expression '<expr>' specified for the field '<field>' returned nothing (undefined)." or "... threw
an error during evaluation: <message>", prefixed by the engine with the failing state as for any
data error. ``field`` is named as AWS names it: ``Output``, ``Arguments/Input/key``,
``Choices[1]/Condition``, ``Catch[0]/Output/v``.

jsonata-python keeps per-thread state on its expression objects (the evaluation environment and
the ``$now()`` timestamp). To share one parsed tree between the threads of Parallel branches and
Map iterations safely, evaluation goes through a private evaluator per thread, never through the
parsed expression object itself.
"""
from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jsonata import Functions, Jsonata, JException
from jsonata.utils import Utils

from stepflow.asl.errors import QUERY_EVALUATION_ERROR, ASLError, StepflowError
from stepflow.asl.paths import StateDataError

__all__ = [
    "Expression",
    "JsonataSyntaxError",
    "QueryEvaluationError",
    "compile_expression",
    "compile_value",
    "is_expression",
    "CLOCK",
]

_HASH_ALGORITHMS: dict[str, Callable[[bytes], Any]] = {
    "MD5": hashlib.md5,
    "SHA-1": hashlib.sha1,
    "SHA-256": hashlib.sha256,
    "SHA-384": hashlib.sha384,
    "SHA-512": hashlib.sha512,
}


def is_expression(value: Any) -> bool:
    """A JSONata expression is a string that starts with ``{%`` and ends with ``%}`` (no blanks around)."""
    return isinstance(value, str) and len(value) >= 4 and value.startswith("{%") and value.endswith("%}")


class JsonataSyntaxError(StepflowError):
    """An expression that does not parse; names the field, the expression and jsonata's complaint."""

    def __init__(self, field: str, text: str, problem: str) -> None:
        super().__init__(f"The JSONata expression '{text}' specified for the field '{field}' is invalid: {problem}")
        self.field, self.text, self.problem = field, text, problem


class QueryEvaluationError(StateDataError):
    """States.QueryEvaluationError; the engine prefixes the state name (as for States.Runtime).

    ``location`` is the field that failed, as AWS's EvaluationFailed event names it.
    """

    def __init__(self, detail: str, location: str | None = None) -> None:
        super().__init__(detail)
        self.error = QUERY_EVALUATION_ERROR
        self.location = location

    def at_state(self, state_name: str, entered_event_id: int) -> ASLError:
        located = super().at_state(state_name, entered_event_id)
        located.location = self.location  # type: ignore[attr-defined]
        return located


# --- evaluation -------------------------------------------------------------------------------

_LOCAL = threading.local()
# The clock $now() and $millis() read: the running execution's (set by the engine around each
# state visit, so a virtual clock gives reproducible times), else the machine's.
CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("stepflow_jsonata_clock", default=None)


# Any parsed expression serves as the evaluator: only its methods and per-call state are used.
# Each thread gets its own shallow copy (as jsonata's own per-thread instances are made), so no
# thread ever parses while running.
_PROTOTYPE = Jsonata("$")


def _evaluator() -> Jsonata:
    """This thread's evaluator."""
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:
        evaluator = _LOCAL.evaluator = copy.copy(_PROTOTYPE)
    return evaluator


# AWS stops a runaway expression; JSONata runs tail recursion as a loop, so only a clock ends
# ``($f := function($n) { $f($n + 1) }; $f(0))``. The time is checked every few hundred steps.
EVALUATION_TIMEOUT_MS = 5_000
_STEPS_PER_CHECK = 256
# AWS refuses a value an evaluation step builds past 6,990,256 bytes, counting a character as one
# byte and an array element as eight (it accepts [1..873782] and a string of 2^22 characters, and
# refuses one element or character more than that bound allows). Checked on strings and arrays
# as each step returns them, without walking inside them.
MAX_VALUE_BYTES = 6_990_256
_BYTES_PER_ELEMENT = 8


class _Scope(Jsonata.Frame):
    """The outermost frame of one evaluation: ``$states`` and the variables, looked up lazily so
    binding a state's variables costs nothing per expression; and the evaluation's time bound."""

    def __init__(self, states: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        super().__init__(_AWS_FUNCTIONS)
        self._states = states
        self._variables = variables
        self._steps = 0
        self._deadline = time.monotonic() + EVALUATION_TIMEOUT_MS / 1000
        self.bindings["__evaluate_entry"] = self._step
        self.bindings["__evaluate_exit"] = self._stepped

    def _step(self, expression: Any, input: Any, environment: Any) -> None:
        """Called by jsonata before each evaluation step (its runtime-bounds hook)."""
        self._steps += 1
        if self._steps % _STEPS_PER_CHECK == 0 and time.monotonic() > self._deadline:
            raise _FunctionError("Expression evaluation timeout: Check for infinite loop")

    @staticmethod
    def _stepped(expression: Any, input: Any, environment: Any, result: Any) -> None:
        """Called by jsonata with each step's result: AWS's memory bound on built values."""
        if isinstance(result, str):
            size = len(result)
        elif isinstance(result, Utils.RangeList):  # a lazy a..b range; its len() counts one extra
            size = (result.b - result.a) * _BYTES_PER_ELEMENT
        elif isinstance(result, list):
            size = len(result) * _BYTES_PER_ELEMENT
        else:
            return
        if size > MAX_VALUE_BYTES:
            raise _FunctionError(_MEMORY_LIMIT)

    def lookup(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        if name == "states":
            return self._states
        if name in self._variables:
            value = self._variables[name]
            # A variable holding JSON null is defined: JSONata's null, not undefined.
            return Utils.NULL_VALUE if value is None else value
        return self.parent.lookup(name) if self.parent is not None else None


@dataclass(frozen=True, eq=False)
class Expression:
    """One compiled ``{% ... %}`` expression of the field ``field`` (named as AWS names it)."""

    text: str  # the expression between the delimiters, as AWS quotes it in causes
    field: str
    _ast: Any

    def evaluate(
        self, states: Mapping[str, Any], variables: Mapping[str, Any], now_ms: int | None = None
    ) -> Any:
        """The JSON value of the expression; QueryEvaluationError when it fails or is undefined.

        ``now_ms`` (epoch milliseconds) is what ``$now()`` and ``$millis()`` report; by default the
        time of ``CLOCK``, so an execution on a virtual clock gets that clock's time.
        """
        evaluator = _evaluator()
        Jsonata.CURRENT.jsonata = evaluator  # jsonata's built-ins ($now, $map...) look here
        evaluator.timestamp = now_ms if now_ms is not None else _now_ms()
        scope = _Scope(states, variables)
        try:
            result = evaluator.eval(self._ast, None, scope)
        except JException as failure:
            raise self.failure(f"threw an error during evaluation{_jsonata_message(failure)}") from None
        except _FunctionError as failure:
            raise self.failure(f"threw an error during evaluation{failure.sentence()}") from None
        except RecursionError:
            raise self.failure("threw an error during evaluation: Stack overflow error") from None
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError, AttributeError) as failure:
            # jsonata-python lets some evaluation errors escape as Python exceptions (e.g.
            # $number('abc') raises ValueError where JSONata raises D3030): still the expression's.
            raise self.failure(f"threw an error during evaluation: {failure}") from None
        if result is None:
            raise self.failure("returned nothing (undefined).")
        if result is Utils.NULL_VALUE:
            return None
        if isinstance(result, Jsonata.JFunctionCallable) or Functions.is_lambda(result):
            raise self.failure("returned a function, which is not a JSON value.")
        return Utils.convert_nulls(result)

    def failure(self, what: str) -> QueryEvaluationError:
        """The error for this expression: "The JSONata expression '...' specified for the field '...' <what>"."""
        return QueryEvaluationError(
            f"The JSONata expression '{self.text}' specified for the field '{self.field}' {what}", self.field
        )


def _now_ms() -> int:
    clock = CLOCK.get()
    return int(clock().timestamp() * 1000) if clock is not None else int(time.time() * 1000)


def _message(failure: JException) -> str:
    """jsonata's message without its location suffix."""
    text = str(failure)
    return text.split(" | ", 1)[0]


def _plain(value: Any) -> Any:
    """A value from inside jsonata as plain JSON (its null marker as None)."""
    return None if value is Utils.NULL_VALUE else Utils.convert_nulls(value)


_ARRAY_OF = {"a": "arrays", "b": "booleans", "f": "functions", "n": "numbers", "o": "objects", "s": "strings"}
_PLACEHOLDER = re.compile(r"\{\{\{\w+\}\}\}|\{\{\w+\}\}")


def _jsonata_message(failure: JException) -> str:
    """The cause text AWS gives after "threw an error during evaluation": ". CODE: message" as
    JavaScript JSONata words it, or ": message" for a failure without a code.

    jsonata-python's catalog comes from the Java port, which says "Object" where JSONata says
    "function" and inserts values bare; JSONata quotes them as JSON ({{value}}) unless the
    template asks for them raw ({{{value}}}).
    """
    template = JException.error_codes.get(failure.error)
    if template is None:
        return f": {_message(failure)}"
    extra = failure.extra
    if failure.error == "T0412":  # the element type, named as JSONata's signature check names it
        extra = _ARRAY_OF.get(extra, extra)
    values = [failure.current, failure.expected, extra]

    def fill(placeholder: re.Match[str]) -> str:
        value = values.pop(0) if values else None
        if placeholder.group(0).startswith("{{{"):
            return str(value)
        try:
            return json.dumps(_plain(value), ensure_ascii=False)
        except (TypeError, ValueError):
            return str(value)

    return f". {failure.error}: {_PLACEHOLDER.sub(fill, template.replace('Object', 'function'))}"


def compile_expression(text: str, field: str) -> Expression:
    """Parse ``{% ... %}`` once; JsonataSyntaxError names the field when it does not parse."""
    if not is_expression(text):
        raise JsonataSyntaxError(field, text, "a JSONata expression is written {% ... %}")
    body = text[2:-2].strip()
    if not body:
        raise JsonataSyntaxError(field, body, "the expression is empty")
    try:
        parsed = Jsonata(body)
    except JException as problem:
        raise JsonataSyntaxError(field, body, _message(problem)) from None
    if parsed.errors:
        raise JsonataSyntaxError(field, body, _message(parsed.errors[0]))
    return Expression(body, field, parsed.ast)


# --- JSON values holding expressions (Arguments, Output, Assign, ItemSelector, Items...) -------

Evaluate = Callable[[Mapping[str, Any], Mapping[str, Any], "int | None"], Any]


def compile_value(value: Any, field: str) -> Evaluate:
    """A JSON value whose strings may be ``{% %}`` expressions, at any depth, compiled once.

    The result is ``evaluate(states, variables, now_ms) -> value``. Parts holding no expression are
    returned as they are (never copied); nested fields are named ``Output/key`` and ``Output/list[0]``.
    """
    if is_expression(value):
        return compile_expression(value, field).evaluate
    if not _holds_expression(value):
        return lambda states, variables, now_ms=None: value
    if isinstance(value, dict):
        parts = [(key, compile_value(item, f"{field}/{key}")) for key, item in value.items()]
        return lambda states, variables, now_ms=None: {
            key: part(states, variables, now_ms) for key, part in parts
        }
    items = [compile_value(item, f"{field}[{index}]") for index, item in enumerate(value)]
    return lambda states, variables, now_ms=None: [item(states, variables, now_ms) for item in items]


def _holds_expression(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_holds_expression(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_expression(item) for item in value)
    return is_expression(value)


# --- the functions AWS adds to JSONata ("Transforming data with JSONata", "Functions provided by
# Step Functions"), with the argument handling and messages AWS shows: a surplus or wrongly typed
# argument is JSONata's T0410 naming it, a missing optional one makes the call undefined, and a
# bad value is D3137 with AWS's sentence. --------------------------------------------------------

# AWS refuses a $range of more than 360,145 numbers with its evaluation memory limit.
MAX_RANGE_ITEMS = 360_145
_MEMORY_LIMIT = "Expression evaluation memory limit exceeded: Check for excessive memory usage"


class _FunctionError(Exception):
    """A failed call of one of AWS's added functions; ``code`` is JSONata's error code, if any."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code

    def sentence(self) -> str:
        return f". {self.code}: {self}" if self.code else f": {self}"


def _signature(function: str, argument: int) -> _FunctionError:
    return _FunctionError(f'Argument {argument} of function "{function}" does not match function signature', "T0410")


def _arguments(function: str, args: tuple[Any, ...], most: int) -> list[Any]:
    """The arguments padded to ``most`` (None = not given), refusing a surplus one as AWS does."""
    if len(args) > most and args[most] is not None:
        raise _signature(function, most + 1)
    return [_plain(a) for a in args[:most]] + [None] * (most - len(args))


def _towards_zero(value: Any, function: str, argument: int) -> int:
    """AWS truncates a number argument towards zero (-1.7 -> -1)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise _signature(function, argument)
    return int(value)


def _partition(*args: Any) -> Any:
    """``$partition(array, size)``: consecutive chunks of ``size``; the last may be shorter."""
    array, size = _arguments("partition", args, 2)
    if array is None:
        return None
    if not isinstance(array, list):
        raise _FunctionError('Argument 1 of function "partition" must be an array of undefined', "T0412")
    if not array:
        return None
    if size is None:
        return [array]
    size = _towards_zero(size, "partition", 2)
    if size < 0:
        raise _FunctionError("Second argument must be zero or greater", "D3137")
    if size == 0:
        return None
    return [array[start:start + size] for start in range(0, len(array), size)]


def _range(*args: Any) -> Any:
    """``$range(start, end, step)``: start to end inclusive by step; a single value is a scalar."""
    start, end, step = _arguments("range", args, 3)
    start, end = _towards_zero(start, "range", 1), _towards_zero(end, "range", 2)
    if step is None:
        return None
    step = _towards_zero(step, "range", 3)
    if step == 0 or (step > 0 and start > end) or (step < 0 and start < end):
        return None
    count = (end - start) // step + 1
    if count == 1:  # AWS: $range(1, 9, 9) is 1 (test_array_jsonata.snapshot.json, test_array_range)
        return start
    if count > MAX_RANGE_ITEMS:
        raise _FunctionError(_MEMORY_LIMIT)
    return [start + i * step for i in range(count)]


def _hash(*args: Any) -> Any:
    """``$hash(text, algorithm)``: the hex digest (MD5, SHA-1, SHA-256, SHA-384, SHA-512)."""
    text, algorithm = _arguments("hash", args, 2)
    if not isinstance(text, str):
        raise _signature("hash", 1)
    if algorithm is None:
        return None
    if not isinstance(algorithm, str):
        raise _signature("hash", 2)
    digest = _HASH_ALGORITHMS.get(algorithm)
    if digest is None:
        raise _FunctionError(
            f"Hash algorithm '{algorithm}' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5", "D3137"
        )
    return digest(text.encode("utf-8")).hexdigest()


def _random(*args: Any) -> float:
    """``$random([seed])``: a number in [0, 1). AWS draws from Java's ``java.util.Random``, so a
    seed gives Java's sequence: ``$random(42)`` is 0.7275636800328681 there and here."""
    (seed,) = _arguments("random", args, 1)
    if seed is None:
        return random.random()
    return _java_next_double(_towards_zero(seed, "random", 1))


def _java_next_double(seed: int) -> float:
    """``new java.util.Random(seed).nextDouble()``: Java's 48-bit linear congruential generator."""
    multiplier, mask = 0x5DEECE66D, (1 << 48) - 1
    state = (seed ^ multiplier) & mask

    def next_bits(bits: int) -> int:
        nonlocal state
        state = (state * multiplier + 0xB) & mask
        return state >> (48 - bits)

    return ((next_bits(26) << 27) + next_bits(27)) * 2.0**-53


def _uuid(*args: Any) -> str:
    """``$uuid()``: a random version 4 UUID."""
    _arguments("uuid", args, 0)
    return str(uuid.uuid4())


def _parse(*args: Any) -> Any:
    """``$parse(text)``: the JSON value a string holds (AWS's replacement for ``$eval``). AWS
    refuses anything but one JSON document: blank text, trailing text, repeated keys, NaN."""
    (text,) = _arguments("parse", args, 1)
    if text is None:
        return None
    if not isinstance(text, str):
        raise _signature("parse", 1)
    try:
        value = json.loads(text, parse_constant=_refuse, object_pairs_hook=_unique_keys)
    except ValueError:
        raise _FunctionError("Invalid JSON", "D3137") from None
    return Utils.NULL_VALUE if value is None else _whole_numbers(value)


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("repeated key")
    return value


def _whole_numbers(value: Any) -> Any:
    """AWS reads 1.0 and 1e2 as the integers 1 and 100."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


def _eval_removed(*args: Any) -> Any:
    """AWS removes ``$eval`` (use ``$parse``): calling it fails as calling any non-function does."""
    raise _FunctionError("Attempted to invoke a non-function", "T1006")


# --- $string with AWS's number notation --------------------------------------------------------
# JavaScript JSONata (and so AWS) writes a whole number in full below 1e21 ($string(1e20) is
# "100000000000000000000") and other numbers to 15 significant digits; jsonata-python switches to
# exponent form from 16 digits. The operator & still uses jsonata-python's notation.

_FULL_DIGITS_BELOW = 1e21


def _string(value: Any = None, prettify: Any = None) -> Any:
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _written_in_full(value):
        return str(int(value))
    return Functions.string(_as_aws_writes(value), prettify)


def _written_in_full(number: int | float) -> bool:
    return abs(number) < _FULL_DIGITS_BELOW and float(number).is_integer()


def _as_aws_writes(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        if _written_in_full(value):
            return int(value)
        return float(f"{value:.15g}")
    if isinstance(value, list):
        return [_as_aws_writes(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_aws_writes(item) for key, item in value.items()}
    return value


class _Native:
    """Adapts a Python function to jsonata's JFunction (which checks a signature first)."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function

    def call(self, input: Any, args: Any) -> Any:
        return self.function(*(args or ()))


_AWS_FUNCTIONS = Jsonata.Frame(Jsonata.static_frame)
for _name, _function in {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
    "eval": _eval_removed,
}.items():
    _AWS_FUNCTIONS.bind(_name, Jsonata.JLambda(_function))
del _name, _function
_AWS_FUNCTIONS.bind("string", Jsonata.JFunction(_Native(_string), "<x-b?:s>"))
