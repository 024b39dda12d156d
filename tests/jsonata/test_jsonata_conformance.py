"""jsonata-python (the pinned engine) against JSONata 2.0.x, which AWS names, on the functions
Step Functions users rely on. Expected values are JSONata's documented results (docs.jsonata.org
examples) or JavaScript JSONata's; the known differences are pinned as such, so a library upgrade
that changes them shows up here and in docs/jsonata.md."""
from __future__ import annotations

import pytest

from stepflow.asl.jsonata import QueryEvaluationError, compile_expression


def evaluate(expression: str, data: object = None):
    return compile_expression("{% " + expression + " %}", "Output").evaluate({"input": data}, {})


CONFORMING = [
    # strings
    ("$substring('Hello World', 3, 5)", "lo Wo"),
    ("$substringBefore('Hello World', ' ')", "Hello"),
    ("$substringAfter('Hello World', ' ')", "World"),
    ("$uppercase('Hello')", "HELLO"),
    ("$trim('   Hello    \n World  ')", "Hello World"),
    ("$pad('foo', 5, '#')", "foo##"),
    ("$pad('foo', -5, '#')", "##foo"),
    ("$contains('abracadabra', 'bra')", True),
    ("$contains('abracadabra', /a.*a/)", True),
    ("$split('so many words', ' ', 2)", ["so", "many"]),
    ("$join(['a', 'b', 'c'], ', ')", "a, b, c"),
    ("$match('ababbabbcc', /a(b+)/).match", ["ab", "abb", "abb"]),
    ("$replace('John Smith and John Jones', 'John', 'Mr')", "Mr Smith and Mr Jones"),
    ("$replace('abracadabra', /a(.)/, '$1$1')", "bbrccddbbra"),
    ("$length('Hello World')", 11),
    ("$base64encode('myuser:mypass')", "bXl1c2VyOm15cGFzcw=="),
    ("$base64decode('bXl1c2VyOm15cGFzcw==')", "myuser:mypass"),
    ("$encodeUrlComponent('?x=test')", "%3Fx%3Dtest"),
    ("$string(5)", "5"),
    ("$string(123.456)", "123.456"),
    ("$string(0.1 + 0.2)", "0.3"),  # JSONata formats numbers to 15 significant digits
    ("$string({'a': [1, 'x', true, null]})", '{"a":[1,"x",true,null]}'),
    ("'Order ' & 42", "Order 42"),
    # numbers
    ("$number('0x12')", 18),
    ("$round(123.456, 2)", 123.46),
    ("$round(12.5)", 12),  # half to even
    ("$round(13.5)", 14),
    ("$floor(-1.5)", -2),
    ("$power(2, 10)", 1024),
    ("$sqrt(16)", 4),
    ("$formatNumber(12345.6, '#,###.00')", "12,345.60"),
    ("$formatBase(255, 16)", "ff"),
    ("$formatInteger(2024, 'w')", "two thousand and twenty-four"),
    ("10 % 3", 1),
    ("1 / 4", 0.25),
    # arrays and objects
    ("$count([1, 2, 3])", 3),
    ("$append([1, 2], [3])", [1, 2, 3]),
    ("$sort([3, 1, 2])", [1, 2, 3]),
    ("$reverse([1, 2, 3])", [3, 2, 1]),
    ("$distinct([1, 1, 2])", [1, 2]),
    ("$zip([1, 2], [3, 4])", [[1, 3], [2, 4]]),
    ("$keys({'a': 1, 'b': 2})", ["a", "b"]),
    ("$merge([{'a': 1}, {'b': 2}])", {"a": 1, "b": 2}),
    ("$spread({'a': 1, 'b': 2})", [{"a": 1}, {"b": 2}]),
    ("$sift({'a': 1, 'b': 2}, function($v) { $v > 1 })", {"b": 2}),
    ("$map([1, 2], function($v) { $v * 2 })", [2, 4]),
    ("$filter([1, 2, 3], function($v) { $v > 1 })", [2, 3]),
    ("$reduce([1, 2, 3], function($a, $b) { $a + $b })", 6),
    ("$sum([1, 2, 3])", 6),
    ("$max([1, 5, 3])", 5),
    ("$average([1, 2, 3])", 2),
    ("$type([])", "array"),
    ("$lookup({'a': 1}, 'a')", 1),
    ("'a' in ['a', 'b']", True),
    ("[1..4]", [1, 2, 3, 4]),
    ("[3, 1, 2]^($)", [1, 2, 3]),
    ("[{'n': 'a', 'v': 1}, {'n': 'b', 'v': 2}]{n: v}", {"a": 1, "b": 2}),
    ("[{'g': 'x', 'v': 1}, {'g': 'x', 'v': 2}]{g: $sum(v)}", {"x": 3}),
    # dates
    ("$fromMillis(1510067557121)", "2017-11-07T15:12:37.121Z"),
    ("$toMillis('2017-11-07T15:07:54.972Z')", 1510067274972),
    ("$fromMillis(1510067557121, '[M01]/[D01]/[Y0001] [h#1]:[m01][P]')", "11/07/2017 3:12pm"),
    ("$toMillis('2017-11-07', '[Y0001]-[M01]-[D01]')", 1510012800000),
]


@pytest.mark.parametrize("expression, expected", CONFORMING, ids=[case[0] for case in CONFORMING])
def test_function_gives_jsonata_2_result(expression, expected):
    assert evaluate(expression) == expected


def test_paths_filters_and_predicates_on_state_input():
    data = {"orders": [{"id": 1, "total": 20}, {"id": 2, "total": 5}]}
    assert evaluate("$states.input.orders[total > 10].id", data) == 1
    assert evaluate("$states.input.orders.total", data) == [20, 5]
    assert evaluate("$sum($states.input.orders.total)", data) == 25
    assert evaluate("$states.input.orders[0]", data) == {"id": 1, "total": 20}


def test_string_writes_numbers_as_javascript_jsonata_does():
    # AWS: $string(1e20) is "100000000000000000000" and $string(1e21) "1e+21"; jsonata-python on its
    # own switches to exponent form from 16 digits, so stepflow's $string follows JavaScript.
    assert evaluate("$string(1e20)") == "100000000000000000000"
    assert evaluate("$string(1e21)") == "1e+21"
    assert evaluate("$string(1e15)") == "1000000000000000"
    assert evaluate("$string({'big': 1e20, 'sum': 0.1 + 0.2})") == '{"big":100000000000000000000,"sum":0.3}'
    assert evaluate("$map([1e16, 2], $string)") == ["10000000000000000", "2"]


def test_known_difference_concatenating_numbers_of_16_to_21_digits_uses_exponent_form():
    # The & operator converts numbers inside jsonata-python, where JavaScript JSONata writes 1e15
    # as "1000000000000000". Documented in docs/jsonata.md.
    assert evaluate("'id-' & 1e15") == "id-1e+15"
    assert evaluate("'id-' & 123456789012345") == "id-123456789012345"


def test_known_difference_number_of_a_non_numeric_string_message():
    # JSONata raises D3030 "Unable to cast value to a number"; jsonata-python lets Python's
    # ValueError out, which stepflow still reports as a QueryEvaluationError of the expression.
    with pytest.raises(QueryEvaluationError, match="could not convert string to float"):
        evaluate("$number('abc')")
