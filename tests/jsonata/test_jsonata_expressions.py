"""asl.jsonata: {% %} expressions compiled once, AWS's added functions, null vs undefined, causes."""
from __future__ import annotations

import re
import threading

import pytest

from stepflow.asl.errors import QUERY_EVALUATION_ERROR
from stepflow.asl.jsonata import (
    JsonataSyntaxError,
    QueryEvaluationError,
    compile_expression,
    compile_value,
    is_expression,
)


def evaluate(text: str, states: dict | None = None, variables: dict | None = None, field: str = "Output"):
    return compile_expression(text, field).evaluate(states or {}, variables or {})


def failure(text: str, states: dict | None = None, variables: dict | None = None, field: str = "Output") -> str:
    with pytest.raises(QueryEvaluationError) as raised:
        evaluate(text, states, variables, field)
    assert raised.value.error == QUERY_EVALUATION_ERROR
    return raised.value.detail


def test_an_expression_is_a_string_written_between_percent_braces_with_nothing_around():
    assert is_expression("{% $states.input %}")
    assert not is_expression(" {% $states.input %}")
    assert not is_expression("{% $states.input %} ")
    assert not is_expression("$states.input")
    assert not is_expression(42)


# --- AWS's added functions, with the examples of "Transforming data with JSONata" ------------


def test_partition_splits_an_array_into_chunks_the_last_may_be_shorter():
    assert evaluate("{% $partition([1,2,3,4,5,6,7,8,9], 3) %}") == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert evaluate("{% $partition([1,2,3,4], 3) %}") == [[1, 2, 3], [4]]


def test_range_counts_from_start_to_end_inclusive_by_step():
    assert evaluate("{% $range(0, 10, 2) %}") == [0, 2, 4, 6, 8, 10]
    assert evaluate("{% $range(10, 1, -4) %}") == [10, 6, 2]


def test_range_refuses_more_than_1000_items():
    assert "more than 1000 items" in failure("{% $range(1, 1001, 1) %}")
    assert len(evaluate("{% $range(1, 1000, 1) %}")) == 1000


def test_hash_matches_the_documented_sha1_example_and_the_other_algorithms():
    # Same data and algorithm as the guide's States.Hash example.
    assert evaluate("{% $hash('input data', 'SHA-1') %}") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert evaluate("{% $hash('', 'MD5') %}") == "d41d8cd98f00b204e9800998ecf8427e"
    assert len(evaluate("{% $hash('x', 'SHA-512') %}")) == 128
    assert "MD5, SHA-1, SHA-256, SHA-384, SHA-512" in failure("{% $hash('x', 'SHA-3') %}")


def test_random_with_a_seed_repeats_and_without_one_varies():
    seeded = {evaluate("{% $random(42) %}") for _ in range(3)}
    assert len(seeded) == 1 and 0 <= seeded.pop() < 1
    assert len({evaluate("{% $random() %}") for _ in range(5)}) == 5


def test_uuid_is_a_random_version_4_uuid():
    first, second = evaluate("{% $uuid() %}"), evaluate("{% $uuid() %}")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first)
    assert first != second


def test_parse_reads_json_text_including_null():
    assert evaluate("""{% $parse('{"a": [1, null, "x"]}') %}""") == {"a": [1, None, "x"]}
    assert evaluate("{% $parse('null') %}") is None
    assert "not valid JSON" in failure("{% $parse('{oops') %}")


def test_eval_is_refused_as_on_aws():
    assert "$eval function is not supported" in failure("{% $eval('1 + 1') %}")


# --- values: JSON null is a value, undefined is an error --------------------------------------


def test_a_null_in_the_data_or_a_variable_is_a_value_not_undefined():
    states = {"input": {"bar": None}}
    assert evaluate("{% $states.input.bar %}", states) is None
    assert evaluate("{% $lookup($states.input, 'bar') %}", states) is None
    assert evaluate("{% $nothing %}", variables={"nothing": None}) is None
    assert evaluate("{% $exists($nothing) %}", variables={"nothing": None}) is True
    assert evaluate("{% {'kept': null, 'list': [null, 1]} %}") == {"kept": None, "list": [None, 1]}


def test_an_undefined_result_fails_with_aws_cause_naming_expression_and_field():
    detail = failure("{% $states.input.missing %}", {"input": {}}, field="Arguments/Input/pushLocation")
    assert detail == (
        "The JSONata expression '$states.input.missing' specified for the field "
        "'Arguments/Input/pushLocation' returned nothing (undefined)."
    )


def test_a_runtime_error_names_the_expression_and_jsonata_message():
    detail = failure("{% 'a' + 1 %}")
    assert detail.startswith("The JSONata expression ''a' + 1' specified for the field 'Output' threw an error")
    assert "must evaluate to a number" in detail


def test_a_function_is_not_a_json_value():
    assert "returned a function" in failure("{% function($x) { $x } %}")


def test_runaway_recursion_becomes_a_query_evaluation_error():
    detail = failure("{% ($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100000)) %}")
    assert "threw an error during evaluation" in detail


def test_a_bad_expression_is_refused_at_compile_time_naming_the_field():
    with pytest.raises(JsonataSyntaxError) as raised:
        compile_expression("{% $states.input. %}", "Arguments/key")
    assert "'Arguments/key'" in str(raised.value)
    with pytest.raises(JsonataSyntaxError):
        compile_expression("{%  %}", "Output")


# --- JSON values holding expressions -----------------------------------------------------------


def test_values_are_evaluated_at_any_depth_and_fields_named_like_aws():
    evaluate_value = compile_value(
        {"static": "Hello", "title": "{% $states.input.title %}", "nested": {"list": [1, "{% $n * 2 %}"]}},
        "Arguments",
    )
    assert evaluate_value({"input": {"title": "Doc"}}, {"n": 21}) == {
        "static": "Hello",
        "title": "Doc",
        "nested": {"list": [1, 42]},
    }
    with pytest.raises(QueryEvaluationError) as raised:
        evaluate_value({"input": {"title": "Doc"}}, {})
    assert "'Arguments/nested/list[1]'" in raised.value.detail


def test_a_value_without_expressions_is_returned_as_is_not_copied():
    constant = {"a": [1, 2, {"b": "not {% an expression"}]}
    assert compile_value(constant, "Output")({}, {}) is constant


def test_one_compiled_expression_serves_concurrent_threads_each_with_its_own_bindings():
    expression = compile_expression("{% ($double := function($v) { $v * 2 }; $double($states.input) + $k) %}", "Output")
    results: dict[int, list[int]] = {}

    def work(k: int) -> None:
        results[k] = [expression.evaluate({"input": i}, {"k": k}) for i in range(200)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {k: [2 * i + k for i in range(200)] for k in range(8)}
