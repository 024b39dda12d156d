"""Intrinsic functions: AWS's documented examples, AWS's argument checks and recorded error shapes."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from stepflow.asl.errors import RUNTIME, ASLError
from stepflow.asl.intrinsics import (
    FUNCTION_NAMES,
    IntrinsicSyntaxError,
    compile_intrinsic,
    is_intrinsic,
)
from stepflow.asl.paths import StateDataError


def run(text: str, data: Any = None, context: Any = None) -> Any:
    return compile_intrinsic(text)(data if data is not None else {}, context)


def failure(text: str, data: Any = None) -> ASLError:
    with pytest.raises(ASLError) as caught:
        run(text, data)
    return caught.value


# --- the developer guide's examples ("Intrinsic functions for JSONPath states") ---------------

NINE = list(range(1, 10))

AWS_EXAMPLES = [
    ("States.Format('Hello, my name is {}.', $.name)", {"name": "Arnav"}, "Hello, my name is Arnav."),
    ("States.Format($.template, $.name)", {"name": "Arnav", "template": "Hello, my name is {}."}, "Hello, my name is Arnav."),
    ("States.StringToJson($.escapedJsonString)", {"escapedJsonString": '{"foo": "bar"}'}, {"foo": "bar"}),
    ("States.JsonToString($.unescapedJson)", {"unescapedJson": {"foo": "bar"}}, '{"foo":"bar"}'),
    ("States.Array($.Id)", {"Id": 123456}, [123456]),
    ("States.ArrayPartition($.inputArray,4)", {"inputArray": NINE}, [[1, 2, 3, 4], [5, 6, 7, 8], [9]]),
    ("States.ArrayContains($.inputArray, $.lookingFor)", {"inputArray": NINE, "lookingFor": 5}, True),
    ("States.ArrayRange(1, 9, 2)", {}, [1, 3, 5, 7, 9]),
    ("States.ArrayGetItem($.inputArray, $.index)", {"inputArray": NINE, "index": 5}, 6),
    ("States.ArrayLength($.inputArray)", {"inputArray": NINE}, 9),
    ("States.ArrayUnique($.inputArray)", {"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
    ("States.Base64Encode($.input)", {"input": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
    ("States.Hash($.Data, $.Algorithm)", {"Data": "input data", "Algorithm": "SHA-1"}, "aaff4a450a104cd177d28d18d74485e8cae074b7"),
    (
        "States.JsonMerge($.json1, $.json2, false)",
        {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}},
        {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3},
    ),
    ("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}, 110),
    ("States.StringSplit($.inputString, $.splitter)", {"inputString": "1,2,3,4,5", "splitter": ","}, ["1", "2", "3", "4", "5"]),
    (
        "States.StringSplit($.inputString, $.splitter)",
        {"inputString": "This.is+a,test=string", "splitter": ".+,="},
        ["This", "is", "a", "test", "string"],
    ),
]


@pytest.mark.parametrize(("text", "data", "expected"), AWS_EXAMPLES)
def test_aws_documented_example_gives_documented_result(text: str, data: Any, expected: Any) -> None:
    assert run(text, data) == expected


def test_aws_nested_example_with_nine_calls_compiles_and_splits_an_arn() -> None:
    # The guide's nine-call "myArn" field; with two placeholders it formats the recipe's version.
    text = (
        "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
        "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
        "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))"
    )
    arn = "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe/7.3.1"
    assert run(text, {"ImageRecipe": {"Arn": arn}}) == "7.3"


def test_math_random_example_stays_within_start_inclusive_end_exclusive() -> None:
    values = {run("States.MathRandom($.start, $.end)", {"start": 1, "end": 4}) for _ in range(200)}
    assert values == {1, 2, 3}


def test_math_random_with_the_same_seed_repeats_its_number() -> None:
    first = run("States.MathRandom(1, 999, 3)")
    assert all(run("States.MathRandom(1, 999, 3)") == first for _ in range(5))
    assert 1 <= first < 999


def test_uuid_is_a_fresh_version_4_uuid_each_call() -> None:
    intrinsic = compile_intrinsic("States.UUID()")
    first, second = intrinsic({}, None), intrinsic({}, None)
    assert uuid.UUID(first).version == 4 and first != second


# --- literals, escapes and paths -------------------------------------------------------------


def test_escaped_braces_quote_and_backslash_are_literal_text() -> None:
    # JSON "States.Format('\\{\\} {} \\\\ \\'q\\'', $.a)" is this text after JSON decoding.
    assert run(r"States.Format('\{\} {} \\ \'q\'', $.a)", {"a": 1}) == r"{} 1 \ 'q'"


def test_literal_arguments_keep_their_json_types() -> None:
    assert run("States.Array('a b', -1.5, 2, true, false, null)") == ["a b", -1.5, 2, True, False, None]


def test_path_arguments_read_data_context_and_whole_input() -> None:
    data, context = {"a": {"b c": [10, 20]}}, {"Execution": {"Id": "arn:x"}}
    assert run("States.Array($, $$.Execution.Id, $.a['b c'][1])", data, context) == [data, "arn:x", 20]


def test_query_path_argument_gives_a_list() -> None:
    assert run("States.ArrayLength($.items[?(@.ok == true)])", {"items": [{"ok": True}, {"ok": False}]}) == 1


def test_values_are_read_by_reference_not_copied() -> None:
    data = {"obj": {"k": [1]}}
    assert run("States.Array($.obj)", data)[0] is data["obj"]


# Definitions LocalStack recorded against AWS (tests/aws/services/stepfunctions/templates/intrinsicfunctions).


def test_nested_calls_take_the_last_dash_separated_part_of_the_machine_name() -> None:
    text = (
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"
    )
    assert run(text, {}, {"StateMachine": {"Name": "sm-intrinsic-abc"}}) == "abc"


def test_a_raw_newline_inside_a_literal_is_ordinary_text() -> None:
    assert run("States.StringSplit('Hello\nWorld', '\n')") == ["Hello", "World"]


def test_double_quotes_inside_a_literal_need_no_escape() -> None:
    text = """States.JsonMerge(States.StringToJson('{"constant_in_literal": "false"}'), $$.Execution.Input.f, false)"""
    context = {"Execution": {"Input": {"f": {"constant_input_field": "constant_value"}}}}
    assert run(text, {}, context) == {"constant_in_literal": "false", "constant_input_field": "constant_value"}


# --- States.Format's rendering ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("text", "text"),
        (None, "null"),
        (True, "true"),
        (1, "1"),
        (1.1, "1.1"),
        ({"Arg1": 1, "Arg2": []}, "{Arg1=1, Arg2=[]}"),  # AWS prints Java's Map.toString
        (["a", {"b": None}], "[a, {b=null}]"),
    ],
)
def test_format_prints_values_as_aws_does(value: Any, rendered: str) -> None:
    assert run("States.Format('<{}>', $.v)", {"v": value}) == f"<{rendered}>"


# --- AWS's argument rules (States.Runtime "Invalid arguments in States.X") --------------------

INVALID_CALLS = [
    ("States.Format('{} and {}', 1)", "States.Format"),
    ("States.Format($.n)", "States.Format"),
    ("States.StringToJson('{not json')", "States.StringToJson"),
    ("States.StringToJson(1)", "States.StringToJson"),
    ("States.ArrayPartition($.a, 0)", "States.ArrayPartition"),
    ("States.ArrayPartition($.a, 0.6)", "States.ArrayPartition"),  # AWS truncates 0.6 to 0
    ("States.ArrayPartition($.a, -1)", "States.ArrayPartition"),
    ("States.ArrayPartition($.a, '2')", "States.ArrayPartition"),
    ("States.ArrayPartition('not-array', 2)", "States.ArrayPartition"),
    ("States.ArrayContains($.n, 1)", "States.ArrayContains"),
    ("States.ArrayRange(1, 10, 0)", "States.ArrayRange"),
    ("States.ArrayRange(1, 10, 0.49)", "States.ArrayRange"),
    ("States.ArrayRange(1, 1001, 1)", "States.ArrayRange"),
    ("States.ArrayRange(1001, 1, -1)", "States.ArrayRange"),
    ("States.ArrayRange('a', 5, 1)", "States.ArrayRange"),
    ("States.ArrayGetItem($.a, 3)", "States.ArrayGetItem"),
    ("States.ArrayGetItem($.a, -1)", "States.ArrayGetItem"),
    ("States.ArrayLength('abc')", "States.ArrayLength"),
    ("States.ArrayUnique($.n)", "States.ArrayUnique"),
    ("States.Base64Encode($.n)", "States.Base64Encode"),
    ("States.Base64Encode($.long)", "States.Base64Encode"),
    ("States.Base64Decode('not base64!')", "States.Base64Decode"),
    ("States.Base64Decode($.long)", "States.Base64Decode"),
    ("States.Hash('x', 'SHA-224')", "States.Hash"),
    ("States.Hash('x', 'sha-256')", "States.Hash"),
    ("States.Hash($.long, 'MD5')", "States.Hash"),
    ("States.Hash($.n, 'MD5')", "States.Hash"),
    ("States.JsonMerge($.o, $.o, true)", "States.JsonMerge"),
    ("States.JsonMerge($.o, $.o, 'false')", "States.JsonMerge"),
    ("States.JsonMerge($.o, $.a, false)", "States.JsonMerge"),
    ("States.MathRandom(1.4, 1.6)", "States.MathRandom"),  # truncated to an empty [1, 1)
    ("States.MathRandom(5, 1)", "States.MathRandom"),
    ("States.MathRandom('1', 5)", "States.MathRandom"),
    ("States.MathAdd(2147483647, 1)", "States.MathAdd"),
    ("States.MathAdd(-2147483648, -1)", "States.MathAdd"),
    ("States.MathAdd(3000000000, 1)", "States.MathAdd"),
    ("States.MathAdd('1', 2)", "States.MathAdd"),
    ("States.MathAdd(true, 1)", "States.MathAdd"),
    ("States.MathAdd(null, 1)", "States.MathAdd"),
    ("States.StringSplit($.n, ',')", "States.StringSplit"),
    ("States.StringSplit('a,b', 1)", "States.StringSplit"),
]


@pytest.mark.parametrize(("text", "function"), INVALID_CALLS)
def test_invalid_argument_fails_with_aws_runtime_error_naming_the_call(text: str, function: str) -> None:
    data = {"a": [1, 2, 3], "n": 7, "o": {"k": 1}, "long": "x" * 10_001}
    error = failure(text, data)
    assert isinstance(error, StateDataError)
    assert error.error == RUNTIME
    assert error.cause == f"The function '{text}' had the following error: Invalid arguments in {function}"


def test_a_nested_failure_names_the_whole_expression_and_the_inner_function() -> None:
    text = "States.Array(States.MathAdd($.n, 'x'))"
    assert failure(text, {"n": 1}).cause == (
        f"The function '{text}' had the following error: Invalid arguments in States.MathAdd"
    )


def test_missing_path_argument_quotes_the_path_and_the_compact_input() -> None:
    text = "States.Format('{}', $.nope)"
    error = failure(text, {"other": 1, "s": "é"})
    assert error.error == RUNTIME
    assert error.cause == (
        "The function 'States.Format('{}', $.nope)' had the following error: The JsonPath argument "
        """for the field '$.nope' could not be found in the input '{"other":1,"s":"é"}'"""
    )


def test_indexing_a_non_array_argument_passes_jayways_message_through_as_aws_does() -> None:
    text = "States.Array($.other[0])"
    assert failure(text, {"other": 1}).cause == (
        f"The function '{text}' had the following error: "
        "Filter: [0] can only be applied to arrays. Current context is: 1"
    )


def test_missing_context_path_argument_quotes_the_context() -> None:
    with pytest.raises(ASLError) as caught:
        run("States.Array($$.Map.Item.Index)", {"a": 1}, {"Execution": {}})
    assert caught.value.cause.endswith("""for the field '$$.Map.Item.Index' could not be found in the input '{"Execution":{}}'""")


# --- AWS's numeric conversions --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "total"),
    # Recorded on AWS: each operand is rounded half up (Java Math.round) before adding.
    [(-9, 3, -6), (1.49, 1.5, 3), (1.5, 1.51, 4), (-1.49, -1.5, -2), (-1.5, -1.51, -3), (0.5, 0, 1), (-2.5, 0, -2)],
)
def test_math_add_rounds_each_operand_half_up(a: float, b: float, total: int) -> None:
    assert run("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == total


def test_math_add_accepts_the_32_bit_bounds() -> None:
    assert run("States.MathAdd(2147483646, 1)") == 2147483647
    assert run("States.MathAdd(-2147483647, -1)") == -2147483648


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.ArrayRange(1.4, 5.6, 2.2)", [1, 3, 5]),
        ("States.ArrayRange(1.6, 1.4, 1)", [1]),
        ("States.ArrayRange(5.4, -0.6, -2.4)", [5, 3, 1]),
        ("States.ArrayPartition(States.Array(1, 2, 3, 4, 5), 2.6)", [[1, 2], [3, 4], [5]]),
        ("States.ArrayGetItem(States.Array(1, 2, 3), 1.9)", 2),
    ],
)
def test_other_integer_arguments_are_truncated_toward_zero(text: str, expected: Any) -> None:
    assert run(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("States.ArrayRange(5, 1, -2)", [5, 3, 1]),
        ("States.ArrayRange(3, 3, -1)", [3]),
        ("States.ArrayRange(5, 1, 1)", []),
        ("States.ArrayRange(1, 5, -1)", []),
    ],
)
def test_array_range_counts_in_either_direction(text: str, expected: list[int]) -> None:
    assert run(text) == expected


def test_array_range_allows_exactly_1000_items() -> None:
    assert run("States.ArrayRange(1, 1000, 1)") == list(range(1, 1001))


def test_array_partition_of_empty_array_and_oversized_chunk() -> None:
    assert run("States.ArrayPartition($.a, 3)", {"a": []}) == []
    assert run("States.ArrayPartition($.a, 2147483647)", {"a": [1, 2, 3]}) == [[1, 2, 3]]


# --- JSON equality in ArrayContains / ArrayUnique --------------------------------------------


def test_array_contains_compares_json_values_deeply() -> None:
    data = {"a": [{"x": [1, {"y": None}]}, True], "v": {"x": [1, {"y": None}]}}
    assert run("States.ArrayContains($.a, $.v)", data) is True
    assert run("States.ArrayContains($.a, 1)", data) is False  # true is not 1
    assert run("States.ArrayContains($.a, null)", data) is False


def test_array_unique_keeps_first_occurrences_in_order() -> None:
    data = {"a": [None, None, True, 1, 1, "x", [], [], {"a": 1, "b": 2}, {"b": 2, "a": 1}, False, 0]}
    assert run("States.ArrayUnique($.a)", data) == [None, True, 1, "x", [], {"a": 1, "b": 2}, False, 0]


# --- the other functions' details -----------------------------------------------------------


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-256", "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3"),
        (
            "SHA-384",
            "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562",
        ),
        (
            "SHA-512",
            "6ce4adb348546d4f449c4d25aad9a7c9cb711d9e91982d3f0b29ca2f3f47d4ce"
            "2deba23bf2954f0f1d593fc50283731a533d30d425402d4f91316d871303aac4",
        ),
    ],
)
def test_hash_supports_every_aws_algorithm_as_lowercase_hex(algorithm: str, digest: str) -> None:
    assert run(f"States.Hash('input data', '{algorithm}')") == digest


def test_base64_round_trips_unicode_text() -> None:
    assert run("States.Base64Decode(States.Base64Encode('héllo ☃'))") == "héllo ☃"


def test_json_to_string_and_back_round_trips_unicode_compactly() -> None:
    data = {"v": {"b": [1, 2.5, None], "é": "ü"}}
    assert run("States.JsonToString($.v)", data) == '{"b":[1,2.5,null],"é":"ü"}'
    assert run("States.StringToJson(States.JsonToString($.v))", data) == data["v"]


@pytest.mark.parametrize(
    ("text", "value"),
    [("", None), (" ", None), ("null", None), ("-0", 0), ("1.1", 1.1), ("true", True), ('"Hi"', "Hi"), ("[1, 2]", [1, 2])],
)
def test_string_to_json_parses_any_json_and_blank_as_null(text: str, value: Any) -> None:
    assert run("States.StringToJson($.s)", {"s": text}) == value


def test_string_split_drops_empty_parts() -> None:
    assert run("States.StringSplit(',a,,b,', ',')") == ["a", "b"]


def test_json_merge_is_shallow_and_leaves_inputs_untouched() -> None:
    data = {"x": {"a": {"k": 1}, "b": 1}, "y": {"a": {"j": 2}}}
    assert run("States.JsonMerge($.x, $.y, false)", data) == {"a": {"j": 2}, "b": 1}
    assert data == {"x": {"a": {"k": 1}, "b": 1}, "y": {"a": {"j": 2}}}


# --- compile-time problems -------------------------------------------------------------------

SYNTAX_ERRORS = [
    ("States.Nope(1)", 0, "unknown intrinsic function 'States.Nope'"),
    ("States.Format('x'", 17, "expected ',' or ')'"),
    ("States.Format('x)", 14, "unterminated string literal"),
    ("States.Array(1 2)", 15, "expected ',' or ')'"),
    ("States.Array(1,)", 15, "expected an argument"),
    ("States.Array() x", 15, "unexpected text after the closing ')'"),
    (r"States.Format('a\nb')", 16, "a backslash must escape one of"),
    ("States.Array(#)", 13, "unexpected character '#'"),
    ("States.MathAdd(1)", 0, "States.MathAdd takes 2 argument(s), got 1"),
    ("States.ArrayRange(1, 5, 1, 99)", 0, "States.ArrayRange takes 3 argument(s), got 4"),
    ("States.MathRandom(1)", 0, "States.MathRandom takes 2 to 3 argument(s), got 1"),
    ("States.Format()", 0, "States.Format takes at least 1 argument(s), got 0"),
    ("States.UUID(1)", 0, "States.UUID takes 0 argument(s), got 1"),
    ("States.Array($.a[)", 13, "invalid path argument '$.a[)'"),
]


@pytest.mark.parametrize(("text", "position", "problem"), SYNTAX_ERRORS)
def test_bad_call_is_refused_at_compile_time_with_its_position(text: str, position: int, problem: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as caught:
        compile_intrinsic(text)
    assert caught.value.position == position
    assert problem in caught.value.problem
    assert text in str(caught.value)


def test_more_than_ten_calls_in_one_field_is_refused() -> None:
    ten = "States.Array(" * 10 + ")" * 10
    assert run(ten) == [[[[[[[[[[]]]]]]]]]]
    with pytest.raises(IntrinsicSyntaxError, match="more than 10 intrinsic functions") as caught:
        compile_intrinsic("States.Array(" * 11 + ")" * 11)
    assert caught.value.position == len("States.Array(") * 10


def test_deeply_nested_text_is_refused_without_exhausting_the_stack() -> None:
    with pytest.raises(IntrinsicSyntaxError, match="more than 10 intrinsic functions"):
        compile_intrinsic("States.Array(" * 5000 + ")" * 5000)


def test_is_intrinsic_recognises_calls_but_not_paths_or_text() -> None:
    assert is_intrinsic("States.Format('x')")
    assert is_intrinsic("  States.Unknown (1)")
    assert not is_intrinsic("$.States")
    assert not is_intrinsic("States.Format")
    assert not is_intrinsic(42)


def test_all_eighteen_aws_functions_are_known() -> None:
    assert sorted(FUNCTION_NAMES) == sorted(
        f"States.{name}"
        for name in (
            "Format StringToJson JsonToString Array ArrayPartition ArrayContains ArrayRange ArrayGetItem "
            "ArrayLength ArrayUnique Base64Encode Base64Decode Hash JsonMerge MathRandom MathAdd StringSplit UUID"
        ).split()
    )
