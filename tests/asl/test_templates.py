"""Payload templates: AWS's documented Parameters / ResultSelector / ItemSelector examples and errors."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from stepflow.asl.errors import RUNTIME, ASLError
from stepflow.asl.paths import StateDataError
from stepflow.asl.templates import TemplateSyntaxError, compile_template


def test_aws_parameters_example_selects_fields_and_keeps_static_values() -> None:
    # Developer guide, "Manipulate parameters ... with InputPath, Parameters and ResultSelector".
    template = {
        "comment": "Example for Parameters.",
        "product": {
            "details": {"color.$": "$.product.details.color", "size.$": "$.product.details.size"},
            "availability.$": "$.product.availability",
        },
        "StaticValue": "foo",
    }
    state_input = {
        "comment": "Example for InputPath.",
        "product": {
            "details": {"color": "blue", "size": "small", "material": "cotton"},
            "availability": "in stock",
            "sku": "2317",
            "cost": "$23",
        },
    }
    assert compile_template(template, "Parameters").render(state_input, {}) == {
        "comment": "Example for Parameters.",
        "product": {"details": {"color": "blue", "size": "small"}, "availability": "in stock"},
        "StaticValue": "foo",
    }


def test_aws_spec_parameters_example_takes_index_and_slice() -> None:
    # The ASL specification's Parameters example.
    template = {"flagged": True, "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[3:]"}}
    state_input = {"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]}
    assert compile_template(template, "Parameters").render(state_input, {}) == {
        "flagged": True,
        "parts": {"first": 0, "last3": [30, 40, 50]},
    }


def test_aws_result_selector_example_keeps_chosen_result_fields() -> None:
    template = {"ClusterId.$": "$.output.ClusterId", "ResourceType.$": "$.resourceType"}
    result = {"resourceType": "elasticmapreduce", "resource": "createCluster.sync", "output": {"ClusterId": "AKIAI"}}
    assert compile_template(template, "ResultSelector").render(result, {}) == {
        "ClusterId": "AKIAI",
        "ResourceType": "elasticmapreduce",
    }


def test_aws_item_selector_example_reads_the_map_context() -> None:
    template = {"ContextIndex.$": "$$.Map.Item.Index", "ContextValue.$": "$$.Map.Item.Value"}
    context = {"Map": {"Item": {"Index": 2, "Value": {"who": "bob"}}}}
    assert compile_template(template, "ItemSelector").render({"who": "bob"}, context) == {
        "ContextIndex": 2,
        "ContextValue": {"who": "bob"},
    }


def test_intrinsic_values_and_whole_input_path_render() -> None:
    template = {"greeting.$": "States.Format('Hello, {}', $.name)", "all.$": "$", "id.$": "$$.Execution.Id"}
    data = {"name": "Ana"}
    rendered = compile_template(template, "Parameters").render(data, {"Execution": {"Id": "arn:e"}})
    assert rendered == {"greeting": "Hello, Ana", "all": data, "id": "arn:e"}


def test_arrays_nest_templates_and_literals() -> None:
    template = {"list": [{"v.$": "$.a"}, [1, {"w.$": "$.b"}], "text", None]}
    assert compile_template(template, "Parameters").render({"a": 1, "b": 2}, {}) == {
        "list": [{"v": 1}, [1, {"w": 2}], "text", None]
    }


@pytest.mark.parametrize("literal", ["plain", 3, 2.5, True, None, [], {}])
def test_a_template_that_is_not_an_object_renders_as_itself(literal: Any) -> None:
    assert compile_template(literal, "Parameters").render({"x": 1}, {}) == literal


def test_render_reads_by_reference_without_mutating_or_copying() -> None:
    data = {"big": {"nested": [1, 2, 3]}, "other": [4]}
    before = copy.deepcopy(data)
    template = compile_template({"b.$": "$.big", "o.$": "$.other"}, "Parameters")
    rendered = template.render(data, {})
    assert rendered["b"] is data["big"] and rendered["o"] is data["other"]
    assert data == before


def test_each_render_builds_fresh_containers_for_the_template_itself() -> None:
    template = compile_template({"static": {"list": [1]}}, "Parameters")
    first, second = template.render({}, {}), template.render({}, {})
    assert first == second and first["static"] is not second["static"]
    assert first["static"]["list"] is not second["static"]["list"]


def test_missing_path_fails_with_aws_runtime_error_naming_the_field() -> None:
    template = compile_template({"address.$": "$.application.address"}, "Parameters")
    with pytest.raises(StateDataError) as caught:
        template.render({"flagged": False}, {})
    assert caught.value.error == RUNTIME
    assert caught.value.cause == (
        "The JSONPath '$.application.address' specified for the field 'address.$' could not be found "
        """in the input '{"flagged":false}'"""
    )


def test_missing_path_deep_in_the_template_names_its_own_key() -> None:
    template = compile_template({"outer": [{"inner.$": "$.nope"}]}, "Parameters")
    with pytest.raises(ASLError, match="specified for the field 'inner.\\$'"):
        template.render({"a": 1}, {})


def test_missing_context_path_quotes_the_context_object() -> None:
    template = compile_template({"i.$": "$$.Map.Item.Index"}, "ItemSelector")
    with pytest.raises(ASLError) as caught:
        template.render({"a": 1}, {"Execution": {"Id": "e"}})
    assert caught.value.cause.endswith("""could not be found in the input '{"Execution":{"Id":"e"}}'""")


def test_intrinsic_failure_inside_a_template_keeps_the_function_cause() -> None:
    template = compile_template({"n.$": "States.MathAdd($.a, 'x')"}, "Parameters")
    with pytest.raises(StateDataError) as caught:
        template.render({"a": 1}, {})
    assert caught.value.cause == (
        "The function 'States.MathAdd($.a, 'x')' had the following error: Invalid arguments in States.MathAdd"
    )


@pytest.mark.parametrize(
    ("template", "field", "pointer", "problem"),
    [
        ({"a.$": 1}, "Parameters.a.$", "/a.$", "must be a valid JSONPath or a valid intrinsic function call"),
        ({"a.$": {"b": 1}}, "Parameters.a.$", "/a.$", "must be a valid JSONPath or a valid intrinsic function call"),
        ({"a": {"b.$": "plain text"}}, "Parameters.a.b.$", "/a/b.$", "must be a valid JSONPath or a valid intrinsic"),
        ({"a": [0, {"b.$": "States.Nope()"}]}, "Parameters.a[1].b.$", "/a/1/b.$", "unknown intrinsic function"),
        ({"a.$": "States.MathAdd(1)"}, "Parameters.a.$", "/a.$", "States.MathAdd takes 2 argument(s), got 1"),
        ({"a.$": "$.x[?(@.y =="}, "Parameters.a.$", "/a.$", "invalid JSONPath '$.x[?(@.y =='"),
        ({"a/b": {"c.$": 7}}, "Parameters.a/b.c.$", "/a~1b/c.$", "must be a valid JSONPath"),
        ({"a.$": "$.x", "a": 1}, "Parameters.a", "/a", "given both as 'a' and as 'a.$'"),
    ],
)
def test_bad_template_is_refused_at_compile_time_naming_the_field(
    template: dict[str, Any], field: str, pointer: str, problem: str
) -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        compile_template(template, "Parameters")
    assert (caught.value.field, caught.value.pointer) == (field, pointer)
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{field}: ")
