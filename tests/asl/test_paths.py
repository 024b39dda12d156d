"""AWS Step Functions' JSONPath dialect: what each kind of path gives, and how it fails."""
from __future__ import annotations

import copy
from concurrent.futures import ThreadPoolExecutor

import pytest
from jsonpath_ng.ext import parse as jsonpath_ng_parse

from stepflow.asl.errors import REFERENCE_PATH_CONFLICT, RUNTIME, ASLError
from stepflow.asl.paths import (
    PathNotFound,
    PathSyntaxError,
    StateDataError,
    compile_input_path,
    compile_output_path,
    compile_path,
    compile_result_path,
)

# The developer guide's "Paths" example input.
DOC_INPUT = {"foo": 123, "bar": ["a", "b", "c"], "car": {"cdr": True}}

STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553", "price": 8.99},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "limit": 10,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("$.foo", 123), ("$.bar", ["a", "b", "c"]), ("$.car.cdr", True), ("$", DOC_INPUT)],
)
def test_reference_paths_give_the_value_itself(text: str, expected: object) -> None:
    assert compile_path(text).find(DOC_INPUT) == expected


def test_bracket_notation_and_indexes_are_reference_paths() -> None:
    data = {"a b": [{"c": 1}, {"c": 2}], "it\\'s": 3}
    assert compile_path("$['a b'][1].c").find(data) == 2
    assert compile_path('$["a b"][0]["c"]').find(data) == 1
    # A backslash keeps the quote from closing the name and stays in it, as on AWS (see
    # tests/conformance/test_paths_and_templates.py).
    assert compile_path("$['it\\'s']").find(data) == 3
    assert compile_path("$['a b'][1]").definite


def test_negative_index_counts_from_the_end() -> None:
    assert compile_path("$.bar[-1]").find(DOC_INPUT) == "c"


def test_context_paths_read_the_context_object() -> None:
    context = {"Execution": {"Id": "arn:exec"}, "Map": {"Item": {"Index": 3}}}
    assert compile_path("$$.Execution.Id").find({"Execution": "data"}, context) == "arn:exec"
    assert compile_path("$$.Map.Item.Index").find({}, context) == 3
    assert compile_path("$$").find({}, context) == context


def test_slice_gives_a_list_as_in_the_parameters_example() -> None:
    vals = {"vals": [0, 10, 20, 30, 40, 50]}
    assert compile_path("$.vals[0]").find(vals) == 0
    assert compile_path("$.vals[3:]").find(vals) == [30, 40, 50]
    assert compile_path("$.vals[-2:]").find(vals) == [40, 50]
    assert compile_path("$.vals[:2]").find(vals) == [0, 10]


def test_wildcards_and_descendants_give_lists() -> None:
    assert compile_path("$.store.book[*].author").find(STORE) == ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]
    assert compile_path("$.store.bicycle.*").find(STORE) == ["red", 19.95]
    assert sorted(compile_path("$..price").find(STORE)) == [8.95, 8.99, 12.99, 19.95]
    assert not compile_path("$..price").definite


def test_a_single_wildcard_match_is_still_a_list() -> None:
    assert compile_path("$.car.*").find(DOC_INPUT) == [True]


def test_filters_select_array_elements() -> None:
    cheap = compile_path("$.store.book[?(@.price < 10)].title")
    assert not cheap.definite
    assert cheap.find(STORE) == ["Sayings", "Moby Dick"]
    assert compile_path("$.store.book[?(@.isbn)].title").find(STORE) == ["Moby Dick"]
    assert compile_path("$.store.book[?(@.category == 'fiction')].title").find(STORE) == ["Sword", "Moby Dick"]


def test_filters_combine_with_and_or() -> None:
    both = compile_path("$.store.book[?(@.category == 'fiction' && @.price < 10)].title")
    either = compile_path("$.store.book[?(@.price > 12 || @.category == 'reference')].title")
    assert both.find(STORE) == ["Moby Dick"]
    assert either.find(STORE) == ["Sayings", "Sword"]


def test_developer_guide_filter_example() -> None:
    data = {**DOC_INPUT, "jar": [{"a": 1}, {"a": 5}, {"a": 2}, {"a": 7}, {"a": 3}]}
    assert compile_path("$.jar[?(@.a >= 5)]").find(data) == [{"a": 5}, {"a": 7}]


def test_filter_at_matches_objects_never_scalars_unlike_jsonpath_ng() -> None:
    # Guide, "Paths": "The @ operator ... does not match scalar values. It only matches objects."
    assert [m.value for m in jsonpath_ng_parse("$.bar[?(@ == 'a')]").find(DOC_INPUT)] == ["a"]
    assert compile_path("$.bar[?(@ == 'a')]").find(DOC_INPUT) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("$.store.book[?(@.author =~ 'Nigel.*')]", "regular expression"),
        ("$.store.book[?(@.author =~ /Nigel.*/)]", "regular expression"),
        ("$.store.book[?(@.category in ['fiction'])]", "lexical operators such as 'in'"),
        ("$.store.book[?(@.tags subsetof ['a'])]", "lexical operators such as 'subsetof'"),
        ("$.store.book.length()", "functions such as length() are not supported"),
        ("$.store.book[*].price.sum()", "functions such as sum() are not supported"),
    ],
)
def test_what_aws_does_not_support_is_refused_at_compile_time(text: str, problem: str) -> None:
    # Guide, "Paths": no functions, no lexical operators, no regular expressions, no filters
    # referring to other values (jsonpath-ng would evaluate the last two happily).
    with pytest.raises(PathSyntaxError) as caught:
        compile_path(text)
    assert problem in caught.value.problem


def test_dot_before_a_bracket_is_allowed_as_in_the_guide() -> None:
    assert compile_path("$.abc.['def ghi']").find({"abc": {"def ghi": 1}}) == 1


def test_a_filter_that_matches_nothing_gives_an_empty_list() -> None:
    assert compile_path("$.store.book[?(@.price > 100)]").find(STORE) == []


def test_filter_on_an_object_tests_the_object_itself_unlike_jsonpath_ng() -> None:
    # Jayway (AWS) applies [?()] to an object as a whole; RFC 9535 / jsonpath-ng test its members.
    data = {"item": {"price": 5}}
    assert [m.value for m in jsonpath_ng_parse("$.item[?(@.price > 1)]").find(data)] == []
    assert compile_path("$.item[?(@.price > 1)]").find(data) == [{"price": 5}]
    assert compile_path("$.item[?(@.price > 9)]").find(data) == []


def test_descendant_filter_finds_each_matching_object_once() -> None:
    data = {"a": {"n": 5, "b": [{"n": 6}, 7, {"n": 1}]}}
    assert sorted(m["n"] for m in compile_path("$..[?(@.n > 4)]").find(data)) == [5, 6]


def test_definite_path_gives_the_value_where_jsonpath_ng_gives_matches() -> None:
    assert [m.value for m in jsonpath_ng_parse("$.bar").find(DOC_INPUT)] == [["a", "b", "c"]]
    assert compile_path("$.bar").find(DOC_INPUT) == ["a", "b", "c"]


def test_missing_definite_path_raises_where_jsonpath_ng_finds_nothing() -> None:
    assert jsonpath_ng_parse("$.nope").find(DOC_INPUT) == []
    with pytest.raises(PathNotFound):
        compile_path("$.nope").find(DOC_INPUT)


def test_several_names_at_the_end_give_an_object_unlike_jsonpath_ng() -> None:
    # Jayway merges ['a','b'] at a path's end into an object of the names present.
    data = {"order": {"id": 7, "total": 9.5, "lines": [1, 2]}}
    assert [m.value for m in jsonpath_ng_parse("$.order['id','total']").find(data)] == [7, 9.5]
    assert compile_path("$.order['id','total']").find(data) == {"id": 7, "total": 9.5}
    assert compile_path("$.order['id', \"nope\"]").find(data) == {"id": 7}
    assert compile_path("$.order['id','total']").definite
    with pytest.raises(PathNotFound, match=r"Expected to find an object with property \['a','b'\] in path \$\['order'\]\['id'\]"):
        compile_path("$.order.id['a','b']").find(data)


def test_names_jsonpath_ng_cannot_lex_still_work() -> None:
    data = {"1st": {"ключ": "v"}, "a:b": 2}
    with pytest.raises(Exception):
        jsonpath_ng_parse("$.1st.ключ")
    assert compile_path("$.1st.ключ").find(data) == "v"
    assert compile_path("$.a:b").find(data) == 2
    assert compile_path("$.1st[*]").find(data) == ["v"]


def test_names_with_quotes_and_backslashes_work_in_query_paths() -> None:
    data = {"it\\'s": {"a\\\\b": [1, 2]}, "it's": {"a\\\\b": [1, 2]}}
    assert compile_path("$['it\\'s']['a\\\\b'][*]").find(data) == [1, 2]
    assert compile_path("$[\"it's\"]['a\\\\b'][0]").find(data) == 1


@pytest.mark.parametrize(
    "text",
    ["$.store.bicycle.color", "$.store.book[2].isbn", "$['store']['book'][0]['price']", "$.store.book[-1].title", "$.limit"],
)
def test_reference_paths_find_what_jsonpath_ng_finds_as_a_single_value(text: str) -> None:
    (only,) = jsonpath_ng_parse(text).find(STORE)
    assert compile_path(text).find(STORE) == only.value


def test_missing_leaf_reports_no_results_in_jayway_notation() -> None:
    with pytest.raises(PathNotFound) as caught:
        compile_path("$.car.missing").find(DOC_INPUT)
    assert str(caught.value) == "Invalid path '$.car.missing' : No results for path: $['car']['missing']"


def test_missing_intermediate_reports_missing_property() -> None:
    with pytest.raises(PathNotFound) as caught:
        compile_path("$.nope.deep").find(DOC_INPUT)
    assert caught.value.reason == "Missing property in path $['nope']"


def test_name_into_a_non_object_fails_naming_the_java_type() -> None:
    with pytest.raises(PathNotFound) as caught:
        compile_path("$.foo.x").find(DOC_INPUT)
    assert caught.value.reason.startswith(
        "Expected to find an object with property ['x'] in path $['foo'] but found 'java.lang.Integer'."
    )


def test_index_into_a_non_array_and_out_of_range_fail() -> None:
    with pytest.raises(PathNotFound, match=r"Filter: \[0\] can only be applied to arrays"):
        compile_path("$.car[0]").find(DOC_INPUT)
    with pytest.raises(PathNotFound, match=r"No results for path: \$\['bar'\]\[3\]"):
        compile_path("$.bar[3]").find(DOC_INPUT)


def test_query_path_past_the_end_of_an_array_finds_nothing() -> None:
    assert compile_path("$.bar[7][*]").find(DOC_INPUT) == []
    with pytest.raises(PathNotFound):
        compile_path("$.bar[7]").find(DOC_INPUT)


def test_query_path_over_a_missing_prefix_finds_nothing() -> None:
    # AWS records [] for $.item.items[*] over {} (tests/conformance/test_paths_and_templates.py).
    assert compile_path("$.nope[*]").find(DOC_INPUT) == []
    assert compile_path("$.nope.deeper[?(@.x == 1)].y").find(DOC_INPUT) == []


def test_a_filter_may_compare_with_a_value_elsewhere_in_the_data() -> None:
    data = {"wanted": 2, "items": [{"id": 1}, {"id": 2}], "one": {"id": 2}}
    assert compile_path("$.items[?(@.id == $.wanted)]").find(data) == [{"id": 2}]
    assert compile_path("$.one[?(@.id == $.wanted)]").find(data) == [{"id": 2}]


def test_an_unquoted_word_in_a_filter_is_a_string_and_noticed() -> None:
    path = compile_path("$.Labels[?(@.Name==Receipt)]")
    assert path.find({"Labels": [{"Name": "Receipt"}, {"Name": "Other"}]}) == [{"Name": "Receipt"}]
    assert path.notice == "an unquoted word in a filter is compared as a string ('Receipt'); quote it to say so"
    assert compile_path("$.Labels[?(@.Name=='Receipt')]").notice is None


def test_blanks_around_a_path_are_trimmed_as_jayway_trims_them() -> None:
    path = compile_path("$$.Execution.Name ")
    assert path.find({}, {"Execution": {"Name": "run-1"}}) == "run-1"
    assert path.text == "$$.Execution.Name "


def test_exists_tells_whether_the_path_resolves() -> None:
    assert compile_path("$.car.cdr").exists(DOC_INPUT)
    assert not compile_path("$.car.nope").exists(DOC_INPUT)
    assert compile_path("$$.Execution").exists({}, {"Execution": {}})
    assert not compile_path("$$.Execution").exists({"Execution": 1}, {})


def test_null_value_is_found_not_missing() -> None:
    assert compile_path("$.x").find({"x": None}) is None
    assert compile_path("$.x").exists({"x": None})


@pytest.mark.parametrize(
    "text", ["foo", "", "$.", "$.a[", "$.a[?(@.x >)]", "$.a[?(@.x & @.y)]", 5]
)
def test_bad_syntax_raises_path_syntax_error_naming_the_text(text: object) -> None:
    with pytest.raises(PathSyntaxError) as caught:
        compile_path(text)  # type: ignore[arg-type]
    assert repr(text) in str(caught.value)


def test_paths_are_compiled_once() -> None:
    assert compile_path("$.store.book[*].title") is compile_path("$.store.book[*].title")


def test_query_paths_compile_correctly_from_many_threads_at_once() -> None:
    texts = [f"$.store.book[?(@.price > {n})].title" for n in range(40)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        found = list(pool.map(lambda text: compile_path(text).find(STORE), texts))
    assert found[0] == ["Sayings", "Sword", "Moby Dick"]
    assert found[9] == ["Sword"]
    assert found[13] == []


# --- InputPath / OutputPath: the developer guide's InputPath example --------------------------

INPUT_PATH_EXAMPLE = {
    "comment": "Example for InputPath.",
    "dataset1": {"val1": 1, "val2": 2, "val3": 3},
    "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
}


def test_input_path_selects_part_of_the_input() -> None:
    assert compile_input_path("$.dataset2").apply(INPUT_PATH_EXAMPLE) == {"val1": "a", "val2": "b", "val3": "c"}
    assert compile_input_path("$").apply(INPUT_PATH_EXAMPLE) is INPUT_PATH_EXAMPLE


def test_null_input_and_output_paths_give_an_empty_object() -> None:
    assert compile_input_path(None).apply(INPUT_PATH_EXAMPLE) == {}
    assert compile_output_path(None).apply(INPUT_PATH_EXAMPLE) == {}


def test_output_path_may_read_the_context_object() -> None:
    assert compile_output_path("$$.Execution.Name").apply({}, {"Execution": {"Name": "run-1"}}) == "run-1"


def test_missing_input_path_is_states_runtime_with_aws_cause() -> None:
    with pytest.raises(StateDataError) as caught:
        compile_input_path("$.missing").apply(INPUT_PATH_EXAMPLE)
    assert caught.value.error == RUNTIME
    assert caught.value.cause == "Invalid path '$.missing' : No results for path: $['missing']"
    located = caught.value.at_state("Pass", 2)
    assert located.error == RUNTIME
    assert located.cause == (
        "An error occurred while executing the state 'Pass' (entered at the event id #2). "
        "Invalid path '$.missing' : No results for path: $['missing']"
    )


def test_missing_output_path_is_states_runtime() -> None:
    with pytest.raises(ASLError) as caught:
        compile_output_path("$.Payload").apply({"StatusCode": 200})
    assert (caught.value.error, caught.value.cause) == (
        RUNTIME,
        "Invalid path '$.Payload' : No results for path: $['Payload']",
    )


# --- ResultPath: the developer guide's ResultPath examples ------------------------------------

RESULT_PATH_INPUT = {
    "comment": "This is a test of the input and output of a Task state.",
    "details": "Default example",
    "who": "AWS Step Functions",
}
RESULT = "Hello, AWS Step Functions!"


def test_result_path_dollar_replaces_the_input_with_the_result() -> None:
    assert compile_result_path("$").apply(RESULT_PATH_INPUT, RESULT) == RESULT


def test_result_path_null_discards_the_result() -> None:
    assert compile_result_path(None).apply(RESULT_PATH_INPUT, RESULT) is RESULT_PATH_INPUT


def test_result_path_adds_the_result_to_the_input() -> None:
    assert compile_result_path("$.taskresult").apply(RESULT_PATH_INPUT, RESULT) == {**RESULT_PATH_INPUT, "taskresult": RESULT}


def test_result_path_creates_missing_objects_along_the_path() -> None:
    output = compile_result_path("$.strings.lambdaresult").apply(RESULT_PATH_INPUT, RESULT)
    assert output == {**RESULT_PATH_INPUT, "strings": {"lambdaresult": RESULT}}


def test_result_path_overwrites_an_existing_field() -> None:
    assert compile_result_path("$.who").apply(RESULT_PATH_INPUT, RESULT)["who"] == RESULT


def test_result_path_never_mutates_and_shares_untouched_parts() -> None:
    state_input = {"big": {"blob": list(range(1000))}, "nested": {"keep": [1], "x": 1}}
    before = copy.deepcopy(state_input)
    output = compile_result_path("$.nested.result").apply(state_input, {"r": 1})
    assert state_input == before
    assert output["big"] is state_input["big"]
    assert output["nested"]["keep"] is state_input["nested"]["keep"]
    assert output["nested"] is not state_input["nested"]


def test_result_path_can_replace_an_array_element() -> None:
    state_input = {"items": [{"a": 1}, {"a": 2}]}
    output = compile_result_path("$.items[1].b").apply(state_input, 9)
    assert output == {"items": [{"a": 1}, {"a": 2, "b": 9}]}
    assert state_input == {"items": [{"a": 1}, {"a": 2}]}


@pytest.mark.parametrize(
    ("state_input", "text"),
    [("just a string", "$.error"), ([1, 2], "$.error"), ({"a": 5}, "$.a.b"), ({"l": [1]}, "$.l[3]")],
)
def test_result_path_into_a_non_object_is_reference_path_conflict(state_input: object, text: str) -> None:
    with pytest.raises(ASLError) as caught:
        compile_result_path(text).apply(state_input, {"x": 1})
    assert caught.value.error == REFERENCE_PATH_CONFLICT


def test_result_path_failure_cause_quotes_the_input_as_aws_does() -> None:
    # AWS: Unable to apply ReferencePath $.partitioned to input "{\"min_size\":10000}"
    # (there the input was a string holding JSON).
    with pytest.raises(ASLError) as caught:
        compile_result_path("$.partitioned").apply('{"min_size":10000}', {})
    assert caught.value.cause == 'Unable to apply ReferencePath $.partitioned to input "{\\"min_size\\":10000}"'


@pytest.mark.parametrize("text", ["$.items[*]", "$..a", "$.a[?(@.b)]", "$$.Execution.Id", "$.a[0:1]", "$['a','b']"])
def test_result_path_must_be_a_reference_path_into_the_data(text: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_result_path(text)
