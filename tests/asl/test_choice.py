"""Choice rules compiled to predicates, with AWS's matching, typing and error rules."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stepflow.asl.choice import (
    COMPARISONS,
    ChoiceRuleError,
    compile_choice_rule,
    compile_choices,
)
from stepflow.asl.errors import RUNTIME
from stepflow.asl.paths import StateDataError
from stepflow.asl.timestamps import Timestamp, parse_timestamp


def matches(rule: dict, data: object, context: object = None) -> bool:
    return compile_choice_rule(rule)(data, context)


# The developer guide's Choice state example.
DOC_CHOICES = [
    {"Not": {"Variable": "$.type", "StringEquals": "Private"}, "Next": "Public"},
    {"Variable": "$.value", "NumericEquals": 0, "Next": "ValueIsZero"},
    {
        "And": [
            {"Variable": "$.value", "NumericGreaterThanEquals": 20},
            {"Variable": "$.value", "NumericLessThan": 30},
        ],
        "Next": "ValueInTwenties",
    },
]


def first_match(choices: list, data: object) -> str | None:
    return next((target for predicate, target in compile_choices(choices) if predicate(data, None)), None)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"type": "Private", "value": 22}, "ValueInTwenties"),
        ({"type": "Public", "value": 22}, "Public"),
        ({"type": "Private", "value": 0}, "ValueIsZero"),
        ({"type": "Private", "value": 35}, None),
    ],
)
def test_developer_guide_choice_example_routes_by_first_true_rule(data: dict, expected: str | None) -> None:
    assert first_match(DOC_CHOICES, data) == expected


def test_compile_choices_keeps_order_and_next() -> None:
    assert [target for _, target in compile_choices(DOC_CHOICES)] == ["Public", "ValueIsZero", "ValueInTwenties"]


def test_missing_variable_is_states_runtime_with_aws_cause() -> None:
    # The guide's note: without $.type in the input, the execution fails.
    with pytest.raises(StateDataError) as caught:
        first_match(DOC_CHOICES, {"value": 22})
    assert caught.value.error == RUNTIME
    assert caught.value.cause == "Invalid path '$.type': The choice state's condition path references an invalid value."
    assert caught.value.at_state("ChoiceStateX", 2).cause == (
        "An error occurred while executing the state 'ChoiceStateX' (entered at the event id #2). "
        "Invalid path '$.type': The choice state's condition path references an invalid value."
    )


def test_missing_comparison_path_is_states_runtime_naming_that_path() -> None:
    with pytest.raises(StateDataError, match=r"Invalid path '\$\.right'"):
        matches({"Variable": "$.left", "NumericEqualsPath": "$.right"}, {"left": 7})


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("StringEquals", "MyString", True),
        ("StringEquals", "mystring", False),
        ("StringLessThan", "MyStringABC", True),
        ("StringGreaterThan", "MyStrin", True),
        ("StringLessThanEquals", "MyString", True),
        ("StringGreaterThanEquals", "MyStringA", False),
    ],
)
def test_string_comparisons(operator: str, value: str, expected: bool) -> None:
    assert matches({"Variable": "$.foo", operator: value}, {"foo": "MyString"}) is expected


def test_strings_order_by_utf16_code_units_like_java_compare_to() -> None:
    # U+FF21 (one UTF-16 unit) sorts after U+1F600 (surrogate pair 0xD83D...) in Java,
    # though Python's code-point order says the opposite.
    emoji, fullwidth = "\U0001F600", "\uFF21"
    assert emoji > fullwidth
    assert matches({"Variable": "$.s", "StringGreaterThan": emoji}, {"s": fullwidth})
    assert matches({"Variable": "$.s", "StringLessThan": fullwidth}, {"s": emoji})


@pytest.mark.parametrize(
    ("operator", "value", "data", "expected"),
    [
        ("NumericEquals", 1, 1.0, True),
        ("NumericEquals", 1, 2, False),
        ("NumericLessThan", 2.5, 2, True),
        ("NumericGreaterThan", 2.5, 2, False),
        ("NumericLessThanEquals", 2, 2, True),
        ("NumericGreaterThanEquals", 3, 2, False),
    ],
)
def test_numeric_comparisons(operator: str, value: float, data: float, expected: bool) -> None:
    assert matches({"Variable": "$.n", operator: value}, {"n": data}) is expected


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ({"NumericEquals": 1}, "1"),
        ({"NumericEquals": 1}, True),  # a boolean is not the number 1
        ({"StringEquals": "1"}, 1),
        ({"BooleanEquals": True}, 1),
        ({"BooleanEquals": False}, 0),
        ({"TimestampEquals": "2001-01-01T12:00:00Z"}, "not a time"),
        ({"StringMatches": "*"}, 5),
        ({"StringLessThan": "z"}, None),
    ],
)
def test_type_mismatch_is_false_not_an_error(rule: dict, value: object) -> None:
    assert matches({"Variable": "$.v", **rule}, {"v": value}) is False
    assert matches({"Not": {"Variable": "$.v", **rule}}, {"v": value}) is True


def test_boolean_equals() -> None:
    assert matches({"Variable": "$.b", "BooleanEquals": False}, {"b": False})
    assert not matches({"Variable": "$.b", "BooleanEquals": True}, {"b": False})


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("TimestampEquals", "2001-01-01T12:00:00Z", True),
        ("TimestampEquals", "2001-01-01T13:00:00+01:00", True),  # the same instant
        ("TimestampLessThan", "2001-01-01T12:00:00.000000001Z", True),
        ("TimestampGreaterThan", "2001-01-01T11:59:59.999Z", True),
        ("TimestampLessThanEquals", "2001-01-01T12:00:00Z", True),
        ("TimestampGreaterThanEquals", "2001-01-02T00:00:00Z", False),
    ],
)
def test_timestamp_comparisons_compare_instants(operator: str, value: str, expected: bool) -> None:
    assert matches({"Variable": "$.t", operator: value}, {"t": "2001-01-01T12:00:00Z"}) is expected


def test_a_timestamp_is_also_a_string_for_string_equals() -> None:
    assert matches({"Variable": "$.t", "StringEquals": "2001-01-01T12:00:00Z"}, {"t": "2001-01-01T12:00:00Z"})


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_every_path_variant_compares_two_values_of_the_input(name: str) -> None:
    samples = {
        "String": ("a", "b"),
        "Numeric": (1, 2),
        "Boolean": (True, False),
        "Timestamp": ("2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z"),
    }
    kind, ordering = COMPARISONS[name]
    low, high = samples[kind]
    expected_low_vs_high = {"Equals": False, "LessThan": True, "GreaterThan": False,
                            "LessThanEquals": True, "GreaterThanEquals": False}[ordering]
    rule = {"Variable": "$.left", f"{name}Path": "$.right"}
    assert matches(rule, {"left": low, "right": high}) is expected_low_vs_high
    assert matches(rule, {"left": low, "right": low}) is (ordering in ("Equals", "LessThanEquals", "GreaterThanEquals"))
    assert matches(rule, {"left": low, "right": [low]}) is False  # the other side has the wrong type


def test_path_operand_may_read_the_context_object() -> None:
    rule = {"Variable": "$.index", "NumericEqualsPath": "$$.Map.Item.Index"}
    assert matches(rule, {"index": 3}, {"Map": {"Item": {"Index": 3}}})


def test_variable_may_read_the_context_object() -> None:
    rule = {"Variable": "$$.Execution.Name", "StringMatches": "nightly-*"}
    assert matches(rule, {}, {"Execution": {"Name": "nightly-42"}})


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("log-*.txt", "log-2024.txt", True),
        ("log-*.txt", "log-.txt", True),
        ("log-*.txt", "log-1.txt.gz", False),
        ("foo*.*", "foobar.zebra", True),
        ("*.log", "zebra.log", True),
        ("a.c", "abc", False),  # only '*' is special
        ("a?c", "abc", False),
        ("[ab]", "a", False),
        ("star\\*", "star*", True),  # JSON "star\\*"
        ("star\\*", "starry", False),
        ("back\\\\*", "back\\slash", True),  # JSON "back\\\\*": a backslash, then the wildcard
        ("*", "multi\nline", True),
        ("a*a", "a", False),  # the prefix and the suffix may not overlap
        ("a*a", "aa", True),
        ("**", "", True),
        ("", "", True),
        ("", "x", False),
        ("*b*b*", "abcb", True),
        ("*b*b*", "abc", False),
    ],
)
def test_string_matches_wildcards_and_escapes(pattern: str, value: str, expected: bool) -> None:
    assert matches({"Variable": "$.s", "StringMatches": pattern}, {"s": value}) is expected


def test_string_matches_decides_many_stars_against_a_long_string() -> None:
    # Found by fuzzing: as a regex of 2,000 '.*' this backtracked for ever; pieces are found in turn.
    pattern = "a*" * 2000 + "b"
    assert matches({"Variable": "$.s", "StringMatches": pattern}, {"s": "a" * 10_000}) is False
    assert matches({"Variable": "$.s", "StringMatches": pattern}, {"s": "a" * 10_000 + "b"}) is True


def test_is_present_does_not_fail_on_a_missing_path() -> None:
    rule = {"Variable": "$.keyThatMightNotExist", "IsPresent": True}
    assert not matches(rule, {})
    assert matches(rule, {"keyThatMightNotExist": None})
    assert matches({"Variable": "$.a.b", "IsPresent": False}, {"a": 5})


def test_is_present_guards_a_comparison_as_in_the_guide() -> None:
    rule = {
        "And": [
            {"Variable": "$.keyThatMightNotExist", "IsPresent": True},
            {"Variable": "$.keyThatMightNotExist", "StringEquals": "foo"},
        ]
    }
    assert not matches(rule, {})
    assert matches(rule, {"keyThatMightNotExist": "foo"})


@pytest.mark.parametrize(
    ("test", "true_for", "false_for"),
    [
        ("IsNull", [None], [0, "", False, {}]),
        ("IsNumeric", [0, 1.5, -3], ["1", True, None]),
        ("IsString", ["", "x"], [1, None, ["x"]]),
        ("IsBoolean", [True, False], [0, "true", None]),
        ("IsTimestamp", ["2016-03-14T01:59:00Z", "2016-03-14T01:59:00.123456789-07:00"], ["2016-03-14", 5, None]),
    ],
)
def test_type_tests(test: str, true_for: list, false_for: list) -> None:
    for value in true_for:
        assert matches({"Variable": "$.v", test: True}, {"v": value}), value
        assert not matches({"Variable": "$.v", test: False}, {"v": value}), value
    for value in false_for:
        assert not matches({"Variable": "$.v", test: True}, {"v": value}), value


def test_type_tests_other_than_is_present_fail_on_a_missing_path() -> None:
    with pytest.raises(StateDataError):
        matches({"Variable": "$.v", "IsNull": True}, {})


def test_query_path_variable_gives_a_list_that_only_type_tests_see() -> None:
    data = {"jar": [{"a": 1}, {"a": 5}]}
    assert matches({"Variable": "$.jar[?(@.a >= 5)]", "IsPresent": True}, data)
    assert not matches({"Variable": "$.jar[?(@.a >= 5)]", "IsString": True}, data)
    assert not matches({"Variable": "$.jar[0:1]", "NumericEquals": 1}, data)
    assert matches({"Variable": "$.jar[0].a", "NumericEquals": 1}, data)


def test_or_and_nested_not() -> None:
    rule = {
        "Or": [
            {"Variable": "$.n", "NumericLessThan": 0},
            {"Not": {"Or": [{"Variable": "$.s", "StringEquals": "a"}, {"Variable": "$.s", "StringEquals": "b"}]}},
        ]
    }
    assert matches(rule, {"n": -1, "s": "a"})
    assert matches(rule, {"n": 1, "s": "c"})
    assert not matches(rule, {"n": 1, "s": "b"})


def test_and_stops_at_the_first_false_rule() -> None:
    # The second rule would fail on the missing path; And never gets there.
    rule = {"And": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.missing", "IsNull": True}]}
    assert not matches(rule, {"n": 2})


@pytest.mark.parametrize(
    ("rule", "location"),
    [
        ({"Variable": "$.a", "NumericEquals": "1"}, "/NumericEquals"),
        ({"Variable": "$.a", "BooleanEquals": "true"}, "/BooleanEquals"),
        ({"Variable": "$.a", "TimestampEquals": "2016-03-14t01:59:00z"}, "/TimestampEquals"),
        ({"Variable": "$.a", "IsNull": "yes"}, "/IsNull"),
        ({"Variable": "$.a", "StringMatches": 3}, "/StringMatches"),
        ({"Variable": "$.a", "StringEqualsPath": "a"}, "/StringEqualsPath"),
        ({"Variable": "$.a[?(@.b =~ 'x')]", "IsNull": True}, "/Variable"),
        ({"Variable": "$.a.length()", "IsNull": True}, "/Variable"),
        ({"Variable": 5, "IsNull": True}, "/Variable"),
        ({"Variable": "$.a"}, ""),
        ({"Variable": "$.a", "IsNull": True, "IsString": True}, ""),
        ({"Variable": "$.a", "StringEquls": "x"}, "/StringEquls"),
        ({"Variable": "$.a", "IsNull": True, "a/b~c": 1}, "/a~1b~0c"),
        ({"And": []}, "/And"),
        ({"Not": [{"Variable": "$.a", "IsNull": True}]}, "/Not"),
        ({"And": [{"Variable": "$.a", "IsNull": True, "Next": "X"}]}, "/And/0/Next"),
        ({"Or": [{"Variable": "$.a", "IsNull": True}], "Variable": "$.a"}, ""),
        ({"NumericEquals": 1}, ""),
    ],
)
def test_bad_rules_raise_choice_rule_error_at_a_json_pointer(rule: dict, location: str) -> None:
    with pytest.raises(ChoiceRuleError) as caught:
        compile_choice_rule(rule, "/States/Pick/Choices/0")
    assert caught.value.location == "/States/Pick/Choices/0" + location


def test_top_level_rules_need_next() -> None:
    with pytest.raises(ChoiceRuleError) as caught:
        compile_choices([{"Variable": "$.a", "IsNull": True}])
    assert caught.value.location == "/Choices/0/Next"
    with pytest.raises(ChoiceRuleError):
        compile_choices([])


# --- timestamps --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2016-03-14T01:59:00",  # no offset
        "2016-03-14t01:59:00Z",  # lowercase t
        "2016-03-14T01:59:00z",  # lowercase z
        "2016-03-14 01:59:00Z",  # blank separator
        "2016-02-30T01:59:00Z",
        "2016-03-14T24:00:00Z",
        "2016-03-14T01:59:00.1234567890Z",  # beyond nanoseconds
        "2016-03-14T01:59:00+0100",
        "2016-03-14",
    ],
)
def test_timestamps_outside_the_asl_profile_are_rejected(text: str) -> None:
    assert parse_timestamp(text) is None


def test_timestamp_parses_offsets_and_fractions_to_an_instant() -> None:
    parsed = parse_timestamp("2016-03-14T01:59:00.5-02:30")
    assert parsed == Timestamp(seconds=1457920740 + 9000, nanos=500_000_000)
    assert parsed is not None
    assert parsed.to_datetime() == datetime(2016, 3, 14, 4, 29, 0, 500_000, tzinfo=timezone.utc)
