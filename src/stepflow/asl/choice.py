"""Choice rules (JSONPath) compiled once into predicates ``(data, context) -> bool``.

AWS semantics kept here (developer guide "Choice workflow state", ASL spec "Choice Rules"):
- a value of the wrong type never matches (NumericEquals on a string is false, not an error);
- a Variable (or ``...Path`` operand) that does not exist fails the state with States.Runtime,
  except under IsPresent;
- strings compare as Java's ``String.compareTo`` does (UTF-16 code units);
- timestamps compare as instants, and must follow the ASL RFC 3339 profile;
- StringMatches: ``*`` matches any run of characters, ``\\*`` a literal star, ``\\\\`` a backslash.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from stepflow.asl.errors import StepflowError
from stepflow.asl.paths import Path, PathNotFound, PathSyntaxError, StateDataError, compile_path
from stepflow.asl.timestamps import parse_timestamp

Predicate = Callable[[Any, Any], bool]  # (state input after InputPath, context object) -> matched?


class ChoiceRuleError(StepflowError):
    """A Choice rule that cannot be compiled; ``location`` is a JSON pointer to it."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location or '/'}: {message}")
        self.location = location
        self.message = message


_MISMATCH = object()  # a value of the wrong type for the comparison: the rule is simply false


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _string_key(value: Any) -> Any:
    # Java compares UTF-16 code units; big-endian UTF-16 bytes order the same way.
    return value.encode("utf-16-be", "surrogatepass") if isinstance(value, str) else _MISMATCH


def _numeric_key(value: Any) -> Any:
    return value if _is_number(value) else _MISMATCH


def _boolean_key(value: Any) -> Any:
    return value if isinstance(value, bool) else _MISMATCH


def _timestamp_key(value: Any) -> Any:
    parsed = parse_timestamp(value)
    return _MISMATCH if parsed is None else parsed


# kind -> (key function, what a literal operand must be)
_KINDS: dict[str, tuple[Callable[[Any], Any], str]] = {
    "String": (_string_key, "a string"),
    "Numeric": (_numeric_key, "a number"),
    "Boolean": (_boolean_key, "a boolean"),
    "Timestamp": (_timestamp_key, "a timestamp such as 2016-03-14T01:59:00Z"),
}
_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
# Every comparison operator: name -> (kind, ordering); each also has a "...Path" variant.
COMPARISONS: dict[str, tuple[str, str]] = {
    kind + ordering: (kind, ordering)
    for kind in _KINDS
    for ordering in _ORDERINGS
    if kind != "Boolean" or ordering == "Equals"
}


def _is_timestamp(value: Any) -> bool:
    return parse_timestamp(value) is not None


# Type tests: name -> test of a value that exists (IsPresent is handled apart: it reads no value).
TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "IsNull": lambda value: value is None,
    "IsNumeric": _is_number,
    "IsString": lambda value: isinstance(value, str),
    "IsBoolean": lambda value: isinstance(value, bool),
    "IsTimestamp": _is_timestamp,
}

OPERATORS: frozenset[str] = frozenset(
    [*COMPARISONS, *(name + "Path" for name in COMPARISONS), *TYPE_TESTS, "IsPresent", "StringMatches"]
)
_ANNOTATIONS = frozenset(["Comment"])


def _read(path: Path, data: Any, context: Any) -> Any:
    try:
        return path.find(data, context)
    except PathNotFound:
        # AWS's cause, once the engine adds the state: "An error occurred while executing the state
        # 'X' (entered at the event id #N). Invalid path '$.x': The choice state's condition path
        # references an invalid value."
        raise StateDataError(
            f"Invalid path '{path.text}': The choice state's condition path references an invalid value."
        ) from None


def _path(value: Any, location: str) -> Path:
    # The guide's "Reference Paths" now include filters ($.jar[?(@.a >= 5)]), so any path AWS
    # supports is accepted; a query path gives a list, which only the Is* tests can match.
    if not isinstance(value, str):
        raise ChoiceRuleError(location, f"must be a path string, not {value!r}")
    try:
        return compile_path(value)
    except PathSyntaxError as error:
        raise ChoiceRuleError(location, error.problem) from None


def wildcard_pattern(pattern: str) -> Callable[[str], bool]:
    """StringMatches' pattern as a test: only ``*`` is special; ``\\*`` and ``\\\\`` escape.

    The literal pieces between stars are found left to right (the earliest place for each is always
    the best), so a test takes linear time whatever the pattern; a regex with many ``.*`` backtracks
    for ever on a long string that does not match.
    """
    pieces: list[str] = [""]
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*\\":
            pieces[-1] += pattern[i + 1]
            i += 2
            continue
        if char == "*":
            pieces.append("")
        else:
            pieces[-1] += char
        i += 1
    first, *middle, last = pieces if len(pieces) > 1 else (pieces[0], pieces[0])

    def matches(text: str) -> bool:
        if len(pieces) == 1:
            return text == first
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        position, end = len(first), len(text) - len(last)
        for piece in middle:
            found = text.find(piece, position, end)
            if found < 0:
                return False
            position = found + len(piece)
        return True

    return matches


def _comparison(name: str, variable: Path, operand: Any, location: str) -> Predicate:
    is_path = name.endswith("Path") and name not in COMPARISONS
    kind, ordering = COMPARISONS[name[: -len("Path")] if is_path else name]
    key, expected = _KINDS[kind]
    compare = _ORDERINGS[ordering]
    if is_path:
        other = _path(operand, f"{location}/{name}")

        def against_path(data: Any, context: Any) -> bool:
            left, right = key(_read(variable, data, context)), key(_read(other, data, context))
            return left is not _MISMATCH and right is not _MISMATCH and compare(left, right)

        return against_path
    literal = key(operand)
    if literal is _MISMATCH:
        raise ChoiceRuleError(f"{location}/{name}", f"{name} must be {expected}, not {operand!r}")

    def against_literal(data: Any, context: Any) -> bool:
        value = key(_read(variable, data, context))
        return value is not _MISMATCH and compare(value, literal)

    return against_literal


def _string_matches(variable: Path, operand: Any, location: str) -> Predicate:
    if not isinstance(operand, str):
        raise ChoiceRuleError(f"{location}/StringMatches", f"StringMatches must be a string, not {operand!r}")
    pattern = wildcard_pattern(operand)

    def matches(data: Any, context: Any) -> bool:
        value = _read(variable, data, context)
        return isinstance(value, str) and pattern(value)

    return matches


def _type_test(name: str, variable: Path, operand: Any, location: str) -> Predicate:
    if not isinstance(operand, bool):
        raise ChoiceRuleError(f"{location}/{name}", f"{name} must be true or false, not {operand!r}")
    if name == "IsPresent":
        return lambda data, context: variable.exists(data, context) is operand
    test = TYPE_TESTS[name]
    return lambda data, context: test(_read(variable, data, context)) is operand


def _combinator(rule: dict[str, Any], name: str, location: str) -> Predicate:
    operand = rule[name]
    if name == "Not":
        if not isinstance(operand, dict):
            raise ChoiceRuleError(f"{location}/Not", "Not must be a single Choice Rule object")
        inner = _compile(operand, f"{location}/Not", top_level=False)
        return lambda data, context: not inner(data, context)
    if not isinstance(operand, list) or not operand:
        raise ChoiceRuleError(f"{location}/{name}", f"{name} must be a non-empty array of Choice Rules")
    rules = [_compile(sub, f"{location}/{name}/{i}", top_level=False) for i, sub in enumerate(operand)]
    if name == "And":
        return lambda data, context: all(r(data, context) for r in rules)
    return lambda data, context: any(r(data, context) for r in rules)


def _compile(rule: Any, location: str, top_level: bool) -> Predicate:
    if not isinstance(rule, dict):
        raise ChoiceRuleError(location, f"a Choice Rule must be an object, not {rule!r}")
    allowed = _ANNOTATIONS | ({"Next", "Assign"} if top_level else frozenset())
    for field in rule:
        if field == "Next" and not top_level:
            raise ChoiceRuleError(f"{location}/Next", "Next may appear only in a top-level Choice Rule")
        if field not in allowed and field not in OPERATORS and field not in ("Variable", "And", "Or", "Not"):
            token = str(field).replace("~", "~0").replace("/", "~1")  # RFC 6901
            raise ChoiceRuleError(f"{location}/{token}", f"unknown Choice Rule field {field!r}")
    combinators = [name for name in ("And", "Or", "Not") if name in rule]
    operators = [name for name in rule if name in OPERATORS]
    if combinators:
        if len(combinators) > 1 or operators or "Variable" in rule:
            raise ChoiceRuleError(location, "a Choice Rule with And, Or or Not must have nothing else to compare")
        return _combinator(rule, combinators[0], location)
    if "Variable" not in rule:
        raise ChoiceRuleError(location, "a Choice Rule needs a Variable and a comparison operator, or And/Or/Not")
    if len(operators) != 1:
        found = ", ".join(operators) or "none"
        raise ChoiceRuleError(location, f"a Choice Rule needs exactly one comparison operator (found {found})")
    variable = _path(rule["Variable"], f"{location}/Variable")
    name = operators[0]
    if name == "StringMatches":
        return _string_matches(variable, rule[name], location)
    if name in TYPE_TESTS or name == "IsPresent":
        return _type_test(name, variable, rule[name], location)
    return _comparison(name, variable, rule[name], location)


def compile_choice_rule(rule: dict[str, Any], location: str = "") -> Predicate:
    """Compile one Choice Rule (nested And/Or/Not allowed; a top-level Next is ignored here)."""
    return _compile(rule, location, top_level=True)


def compile_choices(choices: list[dict[str, Any]], location: str = "/Choices") -> list[tuple[Predicate, str]]:
    """Each top-level rule as (predicate, Next), in order; the first true one wins (engine's job)."""
    if not isinstance(choices, list) or not choices:
        raise ChoiceRuleError(location, "Choices must be a non-empty array of Choice Rules")
    compiled: list[tuple[Predicate, str]] = []
    for i, rule in enumerate(choices):
        predicate = _compile(rule, f"{location}/{i}", top_level=True)
        target = rule.get("Next")
        if not isinstance(target, str) or not target:
            raise ChoiceRuleError(f"{location}/{i}/Next", "each top-level Choice Rule needs a Next state name")
        compiled.append((predicate, target))
    return compiled
