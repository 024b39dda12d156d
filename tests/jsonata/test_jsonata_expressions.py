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


# --- AWS's added functions: the guide's examples, and the argument handling and messages AWS
# shows (recorded from executions: surplus or mistyped arguments are JSONata's T0410, a missing
# optional argument makes the call undefined, bad values are D3137) ----------------------------

THREW = "threw an error during evaluation"


def test_partition_splits_an_array_into_chunks_the_last_may_be_shorter():
    assert evaluate("{% $partition([1,2,3,4,5,6,7,8,9], 3) %}") == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert evaluate("{% $partition([1,2,3,4], 3) %}") == [[1, 2, 3], [4]]
    assert evaluate("{% $partition([1,2,3], 2.9) %}") == [[1, 2], [3]]  # truncated towards zero
    assert evaluate("{% $partition([1,2,3]) %}") == [[1, 2, 3]]


def test_partition_argument_errors_are_awss():
    assert failure("{% $partition([1,2,3], -1) %}").endswith(f"{THREW}. D3137: Second argument must be zero or greater")
    assert failure("{% $partition('x', 1) %}").endswith(
        f'{THREW}. T0412: Argument 1 of function "partition" must be an array of undefined')
    assert failure("{% $partition([1], 1, 2) %}").endswith(
        f'{THREW}. T0410: Argument 3 of function "partition" does not match function signature')
    assert failure("{% $partition([1,2,3], 0) %}").endswith("returned nothing (undefined).")
    assert failure("{% $partition([], 2) %}").endswith("returned nothing (undefined).")


def test_range_counts_from_start_to_end_inclusive_by_step():
    assert evaluate("{% $range(0, 10, 2) %}") == [0, 2, 4, 6, 8, 10]
    assert evaluate("{% $range(10, 1, -4) %}") == [10, 6, 2]
    assert evaluate("{% $range(1.7, 4.2, 1) %}") == [1, 2, 3, 4]
    assert evaluate("{% $range(3, 3, 1) %}") == 3  # a single number, not an array
    assert failure("{% $range(5, 1, 1) %}").endswith("returned nothing (undefined).")


def test_range_is_bounded_by_awss_memory_limit():
    assert len(evaluate("{% $range(1, 360145, 1) %}")) == 360145
    assert failure("{% $range(1, 360146, 1) %}").endswith(
        f"{THREW}: Expression evaluation memory limit exceeded: Check for excessive memory usage")


def test_hash_matches_the_documented_sha1_example_and_the_other_algorithms():
    # Same data and algorithm as the guide's States.Hash example.
    assert evaluate("{% $hash('input data', 'SHA-1') %}") == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert evaluate("{% $hash('', 'MD5') %}") == "d41d8cd98f00b204e9800998ecf8427e"
    assert len(evaluate("{% $hash('x', 'SHA-512') %}")) == 128
    assert failure("{% $hash('x', 'SHA-3') %}").endswith(
        f"{THREW}. D3137: Hash algorithm 'SHA-3' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5")
    assert failure("{% $hash(1, 'MD5') %}").endswith(
        f'{THREW}. T0410: Argument 1 of function "hash" does not match function signature')


def test_random_with_a_seed_is_javas_sequence_as_on_aws_and_without_one_varies():
    assert evaluate("{% $random(42) %}") == 0.7275636800328681  # java.util.Random(42).nextDouble()
    assert evaluate("{% $random(42.9) %}") == 0.7275636800328681
    assert len({evaluate("{% $random() %}") for _ in range(5)}) == 5


def test_uuid_is_a_random_version_4_uuid():
    first, second = evaluate("{% $uuid() %}"), evaluate("{% $uuid() %}")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first)
    assert first != second
    assert "T0410: Argument 1 of function \"uuid\"" in failure("{% $uuid(1) %}")


def test_parse_reads_one_json_document_including_null():
    assert evaluate("""{% $parse('{"a": [1, null, "x"]}') %}""") == {"a": [1, None, "x"]}
    assert evaluate("{% $parse('null') %}") is None
    assert evaluate("{% $parse('[1.0, 1e2, 0.5]') %}") == [1, 100, 0.5]
    for bad in ("'{oops'", "''", "'1 2'", """'{"a": 1, "a": 2}'""", "'NaN'"):
        assert failure("{% $parse(" + bad + ") %}").endswith(f"{THREW}. D3137: Invalid JSON"), bad


def test_eval_is_removed_as_on_aws():
    assert failure("{% $eval('1 + 1') %}").endswith(f"{THREW}. T1006: Attempted to invoke a non-function")


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


def test_a_runtime_error_gives_jsonatas_code_and_message_worded_as_javascript_jsonata():
    assert failure("{% 'a' + 1 %}") == (
        "The JSONata expression ''a' + 1' specified for the field 'Output' threw an error during evaluation. "
        'T2001: The left side of the "+" operator must evaluate to a number'
    )
    assert failure("{% $sum('x') %}").endswith('T0412: Argument 1 of function "sum" must be an array of "numbers"')
    assert failure("{% 1 > 'a' %}").endswith(
        'T2009: The values 1 and "a" either side of operator ">" must be of the same data type')


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


def test_a_runaway_tail_recursion_is_stopped_by_the_evaluation_time_bound(monkeypatch):
    import stepflow.asl.jsonata as jsonata_module

    monkeypatch.setattr(jsonata_module, "EVALUATION_TIMEOUT_MS", 200)
    detail = failure("{% ($loop := function($n) { $loop($n + 1) }; $loop(0)) %}")
    assert detail.endswith(f"{THREW}: Expression evaluation timeout: Check for infinite loop")


def test_values_are_bounded_by_awss_evaluation_memory_limit():
    # AWS accepts [1..873782] and a string of 2^22 characters, and refuses one element more and
    # a string of 2^23 characters (6,990,256 bytes, an element counting 8 and a character 1).
    memory = f"{THREW}: Expression evaluation memory limit exceeded: Check for excessive memory usage"
    assert evaluate("{% $count([1..873782]) %}") == 873782
    assert failure("{% $count([1..873783]) %}").endswith(memory)
    assert evaluate("{% $length($pad('', 4194304, 'x')) %}") == 4194304
    assert failure("{% $length($pad('', 8388608, 'x')) %}").endswith(memory)
    # A string doubled in a recursion stops at the bound instead of exhausting the machine.
    doubling = "{% ($p := function($s, $n) { $n = 0 ? $s : $p($s & $s, $n - 1) }; $length($p('x', 31))) %}"
    assert failure(doubling).endswith(memory)
