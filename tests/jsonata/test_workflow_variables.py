"""Workflow variables: Assign in both query languages, evaluation order, scopes, limits, history."""
from __future__ import annotations

import pytest

from stepflow import StateMachine
from stepflow.asl.paths import VARIABLES, compile_path
from stepflow.engine.variables import MAX_VARIABLE_BYTES, VariableScope
from stepflow.asl.errors import ASLError

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"


def exited(execution, name: str) -> dict:
    return next(
        e["stateExitedEventDetails"]
        for e in execution.history
        if e["type"].endswith("StateExited") and e["stateExitedEventDetails"]["name"] == name
    )


def test_assign_reads_the_values_from_before_it_as_in_aws_documented_example():
    # Guide, "Passing data between states with variables": with $x = 3 and $a = 6, this Assign
    # gives $x = 6 and $nextX = 3; the state's own Output still sees $x = 3.
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Seed",
        "States": {
            "Seed": {"Type": "Pass", "Assign": {"x": 3, "a": 6}, "Next": "Reassign"},
            "Reassign": {"Type": "Pass", "Assign": {"x": "{% $a %}", "nextX": "{% $x %}"},
                         "Output": {"seenByAssigningState": "{% $x %}"}, "Next": "Observe"},
            "Observe": {"Type": "Pass", "Output": {"seen": "{% $states.input.seenByAssigningState %}",
                                                    "x": "{% $x %}", "nextX": "{% $nextX %}"}, "End": True},
        },
    }
    assert StateMachine(definition).run().output == {"seen": 3, "x": 6, "nextX": 3}


def test_state_exited_events_list_assigned_variables_as_json_text():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"productName": "product1", "count": 42, "available": True,
                                               "items": "{% [1, 2] %}", "none": None}, "Next": "Plain"},
            "Plain": {"Type": "Pass", "End": True},
        },
    }
    execution = StateMachine(definition).run()
    assert exited(execution, "Set")["assignedVariables"] == {
        "productName": '"product1"', "count": "42", "available": "true", "items": "[1,2]", "none": "null",
    }
    assert exited(execution, "Set")["assignedVariablesDetails"] == {"truncated": False}
    assert "assignedVariables" not in exited(execution, "Plain")
    assert execution.steps[0].assigned == {"productName": "product1", "count": 42, "available": True,
                                           "items": [1, 2], "none": None}


def test_variables_survive_later_outputs_until_reassigned():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Assign",
        "States": {
            "Assign": {"Type": "Pass", "Assign": {"wait": "3"}, "Output": {"transient": 3}, "Next": "Replace"},
            "Replace": {"Type": "Pass", "Output": {"other": 1}, "Next": "Use"},
            "Use": {"Type": "Pass", "Output": {"wait": "{% $wait %}",
                                               "transientGone": "{% $not($exists($states.input.transient)) %}"},
                    "End": True},
        },
    }
    assert StateMachine(definition).run().output == {"wait": "3", "transientGone": True}


def test_map_iterations_read_outer_variables_and_their_own_do_not_leak():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "SetOuter",
        "States": {
            "SetOuter": {"Type": "Pass", "Assign": {"outerVar": 42}, "Next": "Fan"},
            "Fan": {"Type": "Map", "Items": [1, 2],
                    "ItemProcessor": {"StartAt": "Inner", "States": {
                        "Inner": {"Type": "Pass", "Assign": {"innerVar": "{% $outerVar + $states.input %}"},
                                  "Next": "ReadInner"},
                        "ReadInner": {"Type": "Pass", "Output": "{% $innerVar %}", "End": True}}},
                    "Next": "Check"},
            "Check": {"Type": "Pass", "Output": {"iterations": "{% $states.input %}", "outer": "{% $outerVar %}",
                                                 "innerLeaked": "{% $exists($innerVar) %}"}, "End": True},
        },
    }
    assert StateMachine(definition).run().output == {"iterations": [43, 44], "outer": 42, "innerLeaked": False}


def test_parallel_branches_each_have_their_own_scope():
    def branch(name: str, value: int) -> dict:
        return {"StartAt": name, "States": {
            name: {"Type": "Pass", "Assign": {"mine": value}, "Next": f"{name}Read"},
            f"{name}Read": {"Type": "Pass", "Output": "{% $mine + $base %}", "End": True}}}

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Base",
        "States": {
            "Base": {"Type": "Pass", "Assign": {"base": 100}, "Next": "Both"},
            "Both": {"Type": "Parallel", "Branches": [branch("A", 1), branch("B", 2)], "End": True},
        },
    }
    assert StateMachine(definition).run().output == [101, 102]


def test_jsonpath_assign_takes_paths_context_intrinsics_and_other_variables():
    definition = {
        "StartAt": "Fetch",
        "States": {
            "Fetch": {"Type": "Task", "Resource": FN, "ResultSelector": {"name.$": "$.customer.name"},
                      "Assign": {"customerName.$": "$.name", "stateName.$": "$$.State.Name",
                                 "greeting.$": "States.Format('Hello {}', $.name)", "static": {"n": 1}},
                      "Next": "Use"},
            "Use": {"Type": "Pass", "Parameters": {"name.$": "$customerName", "greeting.$": "$greeting",
                                                   "n.$": "$static.n", "from.$": "$stateName"}, "End": True},
        },
    }
    machine = StateMachine(definition, resources={FN: lambda event, context: {"customer": {"name": "Ana"}}})
    assert machine.run().output == {"name": "Ana", "greeting": "Hello Ana", "n": 1, "from": "Fetch"}


def test_jsonpath_choice_rules_read_variables_and_a_catch_assigns_from_the_error_output():
    def fail(event, context):
        raise KeyError("missing")

    definition = {
        "StartAt": "Try",
        "States": {
            "Try": {"Type": "Task", "Resource": FN,
                    "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Route",
                               "Assign": {"lastError.$": "$.Error"}}],
                    "End": True},
            "Route": {"Type": "Choice", "Choices": [
                {"Variable": "$lastError", "StringEquals": "KeyError", "Next": "Handled"}], "Default": "Unhandled"},
            "Handled": {"Type": "Pass", "Parameters": {"error.$": "$lastError"}, "End": True},
            "Unhandled": {"Type": "Fail"},
        },
    }
    assert StateMachine(definition, resources={FN: fail}).run({}).output == {"error": "KeyError"}


def test_a_jsonpath_reference_to_an_unassigned_variable_fails_with_states_runtime():
    definition = {"StartAt": "Use", "States": {"Use": {"Type": "Pass", "Parameters": {"v.$": "$nope"}, "End": True}}}
    execution = StateMachine(definition).run()
    assert execution.error == "States.Runtime"
    assert "The JSONPath '$nope' specified for the field 'v.$' could not be found" in execution.cause


def test_a_variable_path_reads_inside_the_variable():
    token = VARIABLES.set({"order": {"items": [{"sku": "a"}, {"sku": "b"}]}})
    try:
        assert compile_path("$order.items[1].sku").find(None) == "b"
        assert compile_path("$order.items[*].sku").find(None) == ["a", "b"]
        assert compile_path("$order.total").exists(None) is False
    finally:
        VARIABLES.reset(token)


def test_a_variable_over_256_kib_fails_the_state_with_data_limit_exceeded():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Big",
        "States": {"Big": {"Type": "Pass", "Assign": {"big": "{% $pad('', 300000, 'x') %}"}, "End": True}},
    }
    execution = StateMachine(definition).run()
    assert execution.error == "States.DataLimitExceeded"
    assert "'big'" in execution.cause


def test_scope_limits_count_one_assign_and_the_whole_execution():
    scope = VariableScope()
    quarter = "x" * (MAX_VARIABLE_BYTES // 4)
    scope.assign({"a": quarter, "b": quarter}, "S")
    with pytest.raises(ASLError, match="Assign field"):
        scope.assign({f"v{i}": quarter for i in range(5)}, "S")
    value = "x" * 200_000  # 200,002 bytes as JSON: 51 of them fit in 10 MiB with the two above
    child = scope.child()
    for index in range(51):
        child.assign({f"c{index}": value}, "S")
    # Replacing a variable does not count its old value twice.
    child.assign({"c0": value}, "S")
    with pytest.raises(ASLError, match="variables would hold") as raised:
        child.assign({"c51": value}, "S")
    assert raised.value.error == "States.DataLimitExceeded"


def test_jsonpath_map_item_selector_and_iterations_on_pool_threads_read_the_outer_variables():
    definition = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Assign": {"prefix": "item-"}, "Next": "Fan"},
            "Fan": {"Type": "Map", "MaxConcurrency": 4,
                    "ItemSelector": {"name.$": "States.Format('{}{}', $prefix, $$.Map.Item.Value)"},
                    "ItemProcessor": {"StartAt": "Label", "States": {
                        "Label": {"Type": "Pass", "Parameters": {"label.$": "$.name", "prefix.$": "$prefix"},
                                  "End": True}}},
                    "End": True},
        },
    }
    output = StateMachine(definition).run(list(range(12))).output
    assert output == [{"label": f"item-{i}", "prefix": "item-"} for i in range(12)]


def assigned_by_state(execution) -> list[tuple[str, dict]]:
    return [
        (e["stateExitedEventDetails"]["name"], e["stateExitedEventDetails"]["assignedVariables"])
        for e in execution.history
        if e["type"].endswith("StateExited") and "assignedVariables" in e["stateExitedEventDetails"]
    ]


def test_map_scope_history_matches_aws_recording():
    # An execution recorded against AWS (a JSONPath Map reading its items and an outer variable
    # from variables): every StateExited lists what its state assigned, as JSON text.
    definition = {
        "StartAt": "State0",
        "States": {
            "State0": {"Type": "Pass", "Assign": {"x": 42, "items": [1, 2, 3]}, "Next": "State1"},
            "State1": {"Type": "Map", "ItemsPath": "$items", "MaxConcurrency": 1,
                       "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Inner",
                                         "States": {"Inner": {"Type": "Pass", "Assign": {"innerX.$": "$x"},
                                                              "End": True}}},
                       "Next": "State2"},
            "State2": {"Type": "Pass", "Assign": {"final.$": "$x"}, "End": True},
        },
    }
    execution = StateMachine(definition).run({"input_value": "input_value_literal"})
    assert execution.output == [1, 2, 3]
    assert assigned_by_state(execution) == [
        ("State0", {"x": "42", "items": "[1,2,3]"}),
        ("Inner", {"innerX": "42"}),
        ("Inner", {"innerX": "42"}),
        ("Inner", {"innerX": "42"}),
        ("State2", {"final": "42"}),
    ]


def test_parallel_branches_may_each_assign_the_same_name_as_recorded_on_aws():
    def branch(name: str) -> dict:
        return {"StartAt": name, "States": {name: {"Type": "Pass", "Assign": {"innerX.$": "$x", "value.$": "$"},
                                                   "End": True}}}

    definition = {"StartAt": "State0", "States": {
        "State0": {"Type": "Pass", "Assign": {"x": 42}, "Next": "State1"},
        "State1": {"Type": "Parallel", "End": True,
                   "Branches": [branch("Branch1"), branch("Branch21"), branch("Branch31")]}}}
    execution = StateMachine(definition).run({})
    assert execution.output == [{}, {}, {}]
    assert sorted(assigned_by_state(execution)) == [
        ("Branch1", {"innerX": "42", "value": "{}"}),
        ("Branch21", {"innerX": "42", "value": "{}"}),
        ("Branch31", {"innerX": "42", "value": "{}"}),
        ("State0", {"x": "42"}),
    ]


def test_jsonpath_assign_paths_read_the_state_result_as_recorded_on_aws():
    definition = {"StartAt": "State0", "States": {"State0": {"Type": "Pass", "End": True, "Assign": {
        "str_path_root.$": "$",
        "str_path.$": "$.input_value",
        "str_contextpath.$": "$$.Execution.Id",
        "str_intrinsic_func.$": "States.Format('Format Func {}', $.input_value)",
        "constant_str_var": "$noSuchVar",
        "constant_str_jsonata_expr": "{% $varname.varfield %}",
    }}}}
    execution = StateMachine(definition).run({"input_value": "input_value_literal"})
    assigned = dict(assigned_by_state(execution))["State0"]
    assert assigned == {
        "str_path_root": '{"input_value":"input_value_literal"}',
        "str_path": '"input_value_literal"',
        "str_contextpath": f'"{execution.execution_arn}"',
        "str_intrinsic_func": '"Format Func input_value_literal"',
        "constant_str_var": '"$noSuchVar"',
        "constant_str_jsonata_expr": '"{% $varname.varfield %}"',
    }


def test_a_failed_state_assigns_nothing_even_after_an_attempt_that_computed_its_assign():
    calls = []

    def flaky(event, context):
        calls.append(event)
        if len(calls) > 1:
            raise ValueError("second attempt fails")
        return {"n": 1}

    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": FN, "Assign": {"got": "{% $states.result.n %}"},
                         # The first attempt's output is over the payload limit once Assign is computed.
                         "Output": "{% $pad('', 300000, 'x') %}",
                         "Retry": [{"ErrorEquals": ["States.DataLimitExceeded"], "IntervalSeconds": 1}],
                         "End": True}},
    }
    execution = StateMachine(definition, resources={FN: flaky}).run()
    assert len(calls) == 2 and execution.error == "ValueError"
    assert execution.steps[0].retries[0]["error"] == "States.DataLimitExceeded"
    assert execution.steps[0].assigned is None


def test_choice_rules_compare_variables_as_recorded_on_aws():
    definition = {"StartAt": "Setup", "States": {
        "Setup": {"Type": "Pass", "Assign": {"guess": "the_guess", "answer": "the_answer"}, "Next": "CheckAnswer"},
        "CheckAnswer": {"Type": "Choice", "Choices": [
            {"Variable": "$guess", "StringEqualsPath": "$answer", "Next": "CorrectAnswer"}], "Default": "WrongAnswer"},
        "CorrectAnswer": {"Type": "Pass", "Result": {"state": "CORRECT"}, "End": True},
        "WrongAnswer": {"Type": "Pass", "Assign": {"guess.$": "$answer"}, "Result": {"state": "WRONG"},
                        "Next": "CheckAnswer"},
    }}
    execution = StateMachine(definition).run({})
    assert execution.output == {"state": "CORRECT"}
    assert [step.name for step in execution.steps] == [
        "Setup", "CheckAnswer", "WrongAnswer", "CheckAnswer", "CorrectAnswer"]
    assert assigned_by_state(execution) == [
        ("Setup", {"guess": '"the_guess"', "answer": '"the_answer"'}),
        ("WrongAnswer", {"guess": '"the_answer"'}),
    ]


def test_nested_maps_read_every_enclosing_scope_as_recorded_on_aws():
    inner = {"StartAt": "Summate", "States": {"Summate": {"Type": "Pass", "End": True, "Assign": {
        "Sum.$": "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)"}}}}
    outer = {"StartAt": "AssignCurrentVector", "States": {
        "AssignCurrentVector": {"Type": "Pass", "Next": "Calculate",
                                "Assign": {"xCurrent.$": "$[0]", "yCurrent.$": "$[1]", "zCurrent.$": "$[2]"}},
        "Calculate": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": inner, "End": True}}}
    vectors = [[9, 44, 6], [82, 25, 76], [18, 42, 2]]
    definition = {"StartAt": "Input", "States": {
        "Input": {"Type": "Pass", "Result": vectors, "Assign": {"bias": 4.3}, "Next": "IterateLevels"},
        "IterateLevels": {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": outer, "End": True}}}
    execution = StateMachine(definition).run({})
    assert execution.output == vectors
    expected = [("Input", {"bias": "4.3"})]
    for x, y, z in vectors:
        expected.append(("AssignCurrentVector", {"xCurrent": str(x), "yCurrent": str(y), "zCurrent": str(z)}))
        expected += [("Summate", {"Sum": str(x + y + z + 4)})] * 3  # MathAdd rounds 4.3 to 4
    assert assigned_by_state(execution) == expected
    assert expected[2] == ("Summate", {"Sum": "63"})  # the value AWS recorded for the first vector


@pytest.mark.parametrize(
    "states, outcome",
    [
        ({"State0": {"Type": "Pass", "Assign": {"theAnswer": 42}, "Next": "State1"},
          "State1": {"Type": "Pass", "InputPath": "$theAnswer", "End": True}}, ("SUCCEEDED", 42)),
        ({"State0": {"Type": "Pass", "Result": {"answer": 42}, "Assign": {"theAnswer.$": "$.answer"}, "Next": "State1"},
          "State1": {"Type": "Pass", "OutputPath": "$theAnswer", "End": True}}, ("SUCCEEDED", 42)),
        ({"Pass": {"Type": "Pass", "Assign": {"errorVar": "Exception", "causeVar": "An Exception was encountered"},
                   "Next": "Fail"},
          "Fail": {"Type": "Fail", "CausePath": "$causeVar", "ErrorPath": "$errorVar"}},
         ("FAILED", ("Exception", "An Exception was encountered"))),
        ({"Start": {"Type": "Pass", "Assign": {"waitTime": 0, "startAt": "2024-11-06T09:42:03Z"},
                    "Next": "WaitSecondsState"},
          "WaitSecondsState": {"Type": "Wait", "SecondsPath": "$waitTime", "Next": "WaitUntilState"},
          "WaitUntilState": {"Type": "Wait", "TimestampPath": "$startAt", "End": True}}, ("SUCCEEDED", {})),
    ],
    ids=["InputPath", "OutputPath", "ErrorPath/CausePath", "SecondsPath/TimestampPath"],
)
def test_jsonpath_reference_paths_read_variables_as_recorded_on_aws(states, outcome):
    execution = StateMachine({"StartAt": next(iter(states)), "States": states}).run({})
    status, expected = outcome
    assert execution.status == status
    assert (execution.output if status == "SUCCEEDED" else (execution.error, execution.cause)) == expected


def test_concurrent_map_iterations_each_keep_their_own_variables():
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "Base",
        "States": {
            "Base": {"Type": "Pass", "Assign": {"base": 1000}, "Next": "Fan"},
            "Fan": {"Type": "Map", "Items": "{% $range(0, 199, 1) %}", "MaxConcurrency": 40,
                    "ItemProcessor": {"StartAt": "Mine", "States": {
                        "Mine": {"Type": "Pass", "Assign": {"mine": "{% $states.input * 2 %}"}, "Next": "Wait"},
                        "Wait": {"Type": "Wait", "Seconds": 1, "Next": "Read"},
                        "Read": {"Type": "Pass", "Output": "{% $base + $mine %}", "End": True}}},
                    "End": True},
        },
    }
    assert StateMachine(definition).run().output == [1000 + 2 * i for i in range(200)]
