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

import hashlib
import json
import random
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

# AWS: "$range ... can't contain more than 1000 items", as States.ArrayRange.
MAX_RANGE_ITEMS = 1000
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


class _FunctionError(Exception):
    """A bad call of one of AWS's added functions (reported as a JSONata evaluation error)."""


# --- evaluation -------------------------------------------------------------------------------

_LOCAL = threading.local()
# The clock $now() and $millis() read: the running execution's (set by the engine around each
# state visit, so a virtual clock gives reproducible times), else the machine's.
CLOCK: ContextVar[Callable[[], datetime] | None] = ContextVar("stepflow_jsonata_clock", default=None)


def _evaluator() -> Jsonata:
    """This thread's evaluator: a Jsonata object used only for its evaluation machinery."""
    evaluator = getattr(_LOCAL, "evaluator", None)
    if evaluator is None:
        evaluator = Jsonata("$")  # any expression: only its methods and per-call state are used
        _LOCAL.evaluator = evaluator
    return evaluator


class _Scope(Jsonata.Frame):
    """The outermost frame of one evaluation: ``$states`` and the variables, looked up lazily so
    binding a state's variables costs nothing per expression."""

    def __init__(self, states: Mapping[str, Any], variables: Mapping[str, Any]) -> None:
        super().__init__(_AWS_FUNCTIONS)
        self._states = states
        self._variables = variables

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
            raise self.failure(f"threw an error during evaluation: {_message(failure)}") from None
        except _FunctionError as failure:
            raise self.failure(f"threw an error during evaluation: {failure}") from None
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
# Step Functions") -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    return None if value is Utils.NULL_VALUE else Utils.convert_nulls(value)


def _integer(value: Any, function: str, argument: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        raise _FunctionError(f"{function}: the {argument} must be an integer, got {json.dumps(_plain(value))}")
    return int(value)


def _arity(function: str, args: tuple[Any, ...], least: int, most: int) -> None:
    if not least <= len(args) <= most:
        expected = str(least) if least == most else f"{least} to {most}"
        raise _FunctionError(f"{function} takes {expected} arguments, got {len(args)}")


def _partition(*args: Any) -> list[list[Any]]:
    """``$partition(array, size)``: consecutive chunks of ``size`` (the last one may be shorter)."""
    _arity("$partition", args, 2, 2)
    array, size = args
    if not isinstance(array, list):
        raise _FunctionError("$partition: the first argument must be an array")
    size = _integer(size, "$partition", "chunk size")
    if size < 1:
        raise _FunctionError("$partition: the chunk size must be greater than 0")
    items = _plain(list(array))
    return [items[start:start + size] for start in range(0, len(items), size)]


def _range(*args: Any) -> list[int]:
    """``$range(start, end, step)``: from start to end inclusive, by step (negative counts down)."""
    _arity("$range", args, 3, 3)
    start, end, step = (_integer(a, "$range", name) for a, name in zip(args, ("start", "end", "step")))
    if step == 0:
        raise _FunctionError("$range: the step must not be 0")
    count = max(0, (end - start) // step + 1)
    if count > MAX_RANGE_ITEMS:
        raise _FunctionError(f"$range: the array would have more than {MAX_RANGE_ITEMS} items")
    return [start + i * step for i in range(count)]


def _hash(*args: Any) -> str:
    """``$hash(data, algorithm)``: the hex digest of a string (MD5, SHA-1, SHA-256, SHA-384, SHA-512)."""
    _arity("$hash", args, 2, 2)
    data, algorithm = args
    if not isinstance(data, str):
        raise _FunctionError("$hash: the data to hash must be a string")
    digest = _HASH_ALGORITHMS.get(algorithm) if isinstance(algorithm, str) else None
    if digest is None:
        raise _FunctionError(
            f"$hash: the algorithm must be one of {', '.join(_HASH_ALGORITHMS)}, got {json.dumps(_plain(algorithm))}"
        )
    return digest(data.encode("utf-8")).hexdigest()


def _random(*args: Any) -> float:
    """``$random([seed])``: a number in [0, 1); the same seed always gives the same number."""
    _arity("$random", args, 0, 1)
    if not args or args[0] is None:
        return random.random()
    return random.Random(_integer(args[0], "$random", "seed")).random()


def _uuid(*args: Any) -> str:
    """``$uuid()``: a random version 4 UUID."""
    _arity("$uuid", args, 0, 0)
    return str(uuid.uuid4())


def _parse(*args: Any) -> Any:
    """``$parse(text)``: the JSON value a string holds (JSONata's counterpart of States.StringToJson)."""
    _arity("$parse", args, 1, 1)
    text = args[0]
    if not isinstance(text, str):
        raise _FunctionError("$parse: the argument must be a string")
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as problem:
        raise _FunctionError(f"$parse: the argument is not valid JSON: {problem}") from None
    return Utils.NULL_VALUE if value is None else value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _eval_refused(*args: Any) -> Any:
    raise _FunctionError("The $eval function is not supported by Step Functions; use $parse")


_AWS_FUNCTIONS = Jsonata.Frame(Jsonata.static_frame)
for _name, _function in {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": _random,
    "uuid": _uuid,
    "parse": _parse,
    "eval": _eval_refused,
}.items():
    _AWS_FUNCTIONS.bind(_name, Jsonata.JLambda(_function))
del _name, _function
