"""What stepflow accepts as a JSON value: definitions and execution inputs, as text or as Python.

Whatever stepflow later prints or stores must be valid JSON and UTF-8, so values are held at the
door to what JSON text can say: Python's ``json`` reads ``1e999`` as infinity and accepts ``NaN``
and ``Infinity``, which JSON has not; a string with a lone surrogate has no UTF-8 form; an integer
of more than 4,300 digits cannot be printed by Python. Deep nesting is refused before it can
exhaust Python's stack, with a located error instead of a RecursionError.

AWS's limits where it states them: an execution input is at most 262,144 characters of JSON
(StartExecution's ``input``: "Length Constraints: Maximum length of 262144"). AWS states no
nesting limit; the ones here are stepflow's, far above what real definitions use.
"""
from __future__ import annotations

import json
import math
from typing import Any

from stepflow.asl.errors import StepflowError

MAX_INPUT_LENGTH = 262_144  # StartExecution input, in characters (the API reference)
MAX_DEFINITION_DEPTH = 200  # JSON levels; a Parallel or Map nesting adds about five
MAX_DATA_DEPTH = 1_000
_MAX_INT_DIGITS = 4_300  # sys.int_info.default_max_str_digits
_INT_LIMIT = 10**_MAX_INT_DIGITS


class InvalidJsonValue(StepflowError):
    """A value that is not a JSON value stepflow can carry; ``pointer`` says where (RFC 6901)."""

    def __init__(self, pointer: str, problem: str) -> None:
        super().__init__(f"at {pointer or '/'}: {problem}" if pointer else problem)
        self.pointer = pointer
        self.problem = problem


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"the number {text} is out of range (JSON numbers here must be finite)")
    return number


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON value")


def loads(text: str, **hooks: Any) -> Any:
    """JSON text as Python, refusing what JSON has not (NaN, Infinity, numbers out of range);
    ValueError (json.JSONDecodeError for syntax) says why."""
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_refuse_constant, **hooks)
    except RecursionError:
        raise ValueError("the JSON text is nested too deeply") from None


def check_json_value(value: Any, max_depth: int = MAX_DATA_DEPTH) -> None:
    """Raise InvalidJsonValue, naming the place, unless ``value`` is plain JSON stepflow can carry.

    Walks without recursion, so a value nested past any limit is refused, not a RecursionError.
    """
    todo: list[tuple[Any, str, int]] = [(value, "", 0)]
    while todo:
        item, where, depth = todo.pop()
        if depth > max_depth:
            raise InvalidJsonValue(where, f"nested more than {max_depth} levels deep")
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InvalidJsonValue(where, f"an object key must be a string, not {type(key).__name__} {key!r}")
                _check_text(key, where)
                todo.append((child, f"{where}/{key.replace('~', '~0').replace('/', '~1')}", depth + 1))
        elif isinstance(item, list):
            todo.extend((child, f"{where}/{index}", depth + 1) for index, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidJsonValue(where, f"{item} is not a JSON number")
        elif isinstance(item, int) and not isinstance(item, bool):
            if abs(item) >= _INT_LIMIT:
                raise InvalidJsonValue(where, f"an integer of more than {_MAX_INT_DIGITS} digits")
        elif item is not None and not isinstance(item, bool):
            raise InvalidJsonValue(where, f"a Python {type(item).__name__} is not a JSON value")


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidJsonValue(
            where, f"the text holds a lone surrogate (U+{ord(text[error.start]):04X}), which has no UTF-8 form"
        ) from None


def check_execution_input(value: Any, text: str | None = None) -> None:
    """An execution input: a JSON value whose compact text fits StartExecution's 262,144 characters."""
    check_json_value(value)
    if text is None:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_INPUT_LENGTH:
        raise InvalidJsonValue(
            "", f"the execution input is {len(text)} characters of JSON; StartExecution takes at most {MAX_INPUT_LENGTH}"
        )
