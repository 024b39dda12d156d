"""Retry and Catch: which errors a retrier or catcher handles, and how long to wait between tries.

Rules follow the AWS developer guide, "Handling errors in Step Functions workflows":
- ``States.ALL`` matches every error except the terminal ``States.DataLimitExceeded`` and
  ``States.Runtime``.
- ``States.TaskFailed`` in a retrier or catcher is a wildcard for every error except
  ``States.Timeout`` (and, like ``States.ALL``, never the two terminal errors above).
- A missed heartbeat is recorded by AWS as ``States.Timeout`` (recorded histories of callback
  tasks); it is a ``HeartbeatTimedOut`` here so that ``States.HeartbeatTimeout`` in ErrorEquals
  matches it while ``States.Timeout`` keeps matching it as before that name existed.
- ``States.Runtime`` is never retried or caught, even when named explicitly.
- When a state fails, the *first* retrier whose ErrorEquals matches decides. If it has used up its
  MaxAttempts the error goes to the catchers; later retriers are not consulted.
- A retrier's attempt count spans every retry within one entry into the state (the guide's
  "Complex retry scenarios"), so a ``RetryPolicy`` is made fresh for each state entry.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, TypeVar

from stepflow.asl.errors import (
    ALL,
    DATA_LIMIT_EXCEEDED,
    HEARTBEAT_TIMEOUT,
    RUNTIME,
    TASK_FAILED,
    TIMEOUT,
    ASLError,
    DefinitionError,
    Diagnostic,
)
from stepflow.runtime.signals import HeartbeatTimedOut

# AWS's docs say States.ALL matches neither, but AWS's recorded executions show a States.ALL
# catcher handling a task result's States.DataLimitExceeded: the recording wins.
_UNCATCHABLE_BY_WILDCARD = frozenset({RUNTIME})
_NOT_TASK_FAILED = frozenset({RUNTIME, DATA_LIMIT_EXCEEDED, TIMEOUT, HEARTBEAT_TIMEOUT})
JITTER_STRATEGIES = ("FULL", "NONE")
_Handler = TypeVar("_Handler")  # a Retrier or a Catcher


def error_matches(error_equals: Iterable[str], error: str | ASLError) -> bool:
    """Whether an error (its name, or the ASLError itself) is handled by an ErrorEquals list.

    Pass the ASLError when you have it: only then can ``States.HeartbeatTimeout`` tell a missed
    heartbeat from another timeout.
    """
    heartbeat = isinstance(error, HeartbeatTimedOut)
    name = error.error if isinstance(error, ASLError) else error
    for wanted in error_equals:
        if wanted == name:
            return True
        if wanted == ALL and name not in _UNCATCHABLE_BY_WILDCARD:
            return True
        if wanted == TASK_FAILED and name not in _NOT_TASK_FAILED:
            return True
        if wanted == TIMEOUT and name == HEARTBEAT_TIMEOUT:
            return True
        if wanted == HEARTBEAT_TIMEOUT and heartbeat:
            return True
    return False


LONGEST_DELAY = 31_622_400  # seconds: a year (366 days), AWS's longest Standard execution


@dataclass(frozen=True)
class Retrier:
    """One compiled entry of a state's Retry field, with AWS's defaults."""

    ErrorEquals: tuple[str, ...]
    IntervalSeconds: float = 1
    MaxAttempts: int = 3
    BackoffRate: float = 2.0
    MaxDelaySeconds: float | None = None
    JitterStrategy: str = "NONE"

    def delay(self, retries_done: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retries_done + 1``.

        IntervalSeconds * BackoffRate ** retries_done, capped by MaxDelaySeconds (or, without it,
        by a year: no Standard execution lasts longer on AWS); FULL jitter then draws uniformly
        from [0, that delay].
        """
        try:
            delay = self.IntervalSeconds * self.BackoffRate**retries_done
        except OverflowError:  # thousands of retries with a backoff: past any cap anyway
            delay = math.inf
        delay = min(delay, self.MaxDelaySeconds if self.MaxDelaySeconds is not None else LONGEST_DELAY)
        if self.JitterStrategy == "FULL":
            delay = rng.uniform(0, delay)
        return float(delay)


@dataclass(frozen=True)
class Catcher:
    """One compiled entry of a state's Catch field.

    ``ResultPath`` is the raw text ("$" when the field is absent, None when it is null); compiling
    it is the engine's job. ``Output`` and ``Assign`` are kept raw for JSONata-era catchers.
    """

    ErrorEquals: tuple[str, ...]
    Next: str
    ResultPath: str | None = "$"
    Output: Any = None
    Assign: Any = None


class RetryPolicy:
    """A state's retriers together with their attempt counts for one entry into the state."""

    def __init__(self, retriers: tuple[Retrier, ...], rng: random.Random | None = None) -> None:
        self.retriers = retriers
        self._rng = rng or random.Random()
        self._attempts = [0] * len(retriers)

    def fresh(self) -> RetryPolicy:
        """The same retriers with every count at zero, for a new entry into the state."""
        return RetryPolicy(self.retriers, self._rng)

    def next_delay(self, error: str | ASLError) -> float | None:
        """Seconds to wait before retrying after ``error``, or None when the error is not retried.

        Counts the retry against the retrier that decides, so call it once per failure.
        """
        if _name(error) == RUNTIME:
            return None
        for index, retrier in enumerate(self.retriers):
            if not error_matches(retrier.ErrorEquals, error):
                continue
            done = self._attempts[index]
            if done >= retrier.MaxAttempts:
                return None
            self._attempts[index] = done + 1
            return retrier.delay(done, self._rng)
        return None


class CatchPolicy:
    """A state's catchers, scanned in order; the first whose ErrorEquals matches wins."""

    def __init__(self, catchers: tuple[Catcher, ...]) -> None:
        self.catchers = catchers

    def find(self, error: str | ASLError) -> Catcher | None:
        if _name(error) == RUNTIME:
            return None
        return next((c for c in self.catchers if error_matches(c.ErrorEquals, error)), None)


def compile_retriers(
    retry: Iterable[Mapping[str, Any] | Any] | None,
    rng: random.Random | None = None,
    location: str = "/Retry",
) -> RetryPolicy:
    """Compile a Retry field (dicts or pydantic models); ``location`` is its JSON pointer for errors.

    ``rng`` makes FULL jitter reproducible.
    """
    return RetryPolicy(_compile_each(retry, location, _retrier), rng)


def compile_catchers(
    catch: Iterable[Mapping[str, Any] | Any] | None, location: str = "/Catch"
) -> CatchPolicy:
    """Compile a Catch field (dicts or pydantic models); ``location`` is its JSON pointer for errors."""
    return CatchPolicy(_compile_each(catch, location, _catcher))


def _compile_each(
    entries: Iterable[Mapping[str, Any] | Any] | None,
    location: str,
    compile_one: Callable[[Mapping[str, Any], str, list[Diagnostic]], _Handler | None],
) -> tuple[_Handler, ...]:
    """Each retrier or catcher compiled by ``compile_one``; the problems of all of them raised at once."""
    compiled: list[_Handler] = []
    problems: list[Diagnostic] = []
    for index, raw in enumerate(entries or ()):
        handler = compile_one(_as_dict(raw), f"{location}/{index}", problems)
        if handler is not None:
            compiled.append(handler)
    if problems:
        raise DefinitionError(problems)
    return tuple(compiled)


def _retrier(fields: Mapping[str, Any], where: str, problems: list[Diagnostic]) -> Retrier:
    error_equals = _error_equals(fields, where, problems)
    jitter = fields.get("JitterStrategy", "NONE")
    if jitter not in JITTER_STRATEGIES:
        problems.append(_problem(f"{where}/JitterStrategy", f"must be FULL or NONE, got {jitter!r}"))
    numbers = {
        name: _number(fields, name, where, problems, minimum, integer)
        for name, minimum, integer in (
            ("IntervalSeconds", 1, True),
            ("MaxAttempts", 0, True),
            ("BackoffRate", 1.0, False),
            ("MaxDelaySeconds", 1, True),
        )
    }
    kwargs = {name: value for name, value in numbers.items() if value is not None}
    return Retrier(ErrorEquals=error_equals, JitterStrategy=jitter, **kwargs)


def _catcher(fields: Mapping[str, Any], where: str, problems: list[Diagnostic]) -> Catcher | None:
    error_equals = _error_equals(fields, where, problems)
    next_state = fields.get("Next")
    if not isinstance(next_state, str) or not next_state:
        problems.append(_problem(f"{where}/Next", "a catcher needs a Next state name"))
        return None
    result_path = fields.get("ResultPath", "$")
    if result_path is not None and not isinstance(result_path, str):
        problems.append(_problem(f"{where}/ResultPath", "must be a path string or null"))
        return None
    return Catcher(
        ErrorEquals=error_equals,
        Next=next_state,
        ResultPath=result_path,
        Output=fields.get("Output"),
        Assign=fields.get("Assign"),
    )


def _name(error: str | ASLError) -> str:
    return error.error if isinstance(error, ASLError) else error


def _as_dict(raw: Mapping[str, Any] | Any) -> Mapping[str, Any]:
    """A retrier/catcher as a plain mapping; pydantic models keep only the fields set in the file
    (so an explicit ``"ResultPath": null`` stays distinguishable from an absent one)."""
    if isinstance(raw, Mapping):
        return raw
    return raw.model_dump(exclude_unset=True)


def _error_equals(fields: Mapping[str, Any], where: str, problems: list[Diagnostic]) -> tuple[str, ...]:
    names = fields.get("ErrorEquals")
    if not isinstance(names, (list, tuple)) or not names or not all(isinstance(n, str) for n in names):
        problems.append(_problem(f"{where}/ErrorEquals", "must be a non-empty array of error names"))
        return ()
    return tuple(names)


def _number(
    fields: Mapping[str, Any],
    name: str,
    where: str,
    problems: list[Diagnostic],
    minimum: float,
    integer: bool,
) -> float | None:
    """A numeric retrier field, checked against AWS's bounds; None when absent or invalid."""
    value = fields.get(name)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum:
        kind = "an integer" if integer else "a number"
        problems.append(_problem(f"{where}/{name}", f"must be {kind} >= {minimum}, got {value!r}"))
        return None
    return value


def _problem(location: str, message: str) -> Diagnostic:
    return Diagnostic(code="SCHEMA_VALIDATION_FAILED", message=message, location=location)
