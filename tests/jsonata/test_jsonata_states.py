"""JSONata states end to end: Arguments, Output, $states, every JSONata field, and AWS's causes.

The causes asserted here are AWS's as recorded from real executions ("An error occurred while
executing the state 'X' (entered at the event id #2). The JSONata expression '...' specified for
the field '...' returned nothing (undefined).").
"""
from __future__ import annotations

from datetime import datetime, timezone

from stepflow import StateMachine, VirtualClock

FN = "arn:aws:lambda:us-east-1:123456789012:function:work"
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def jsonata(states: dict, start: str | None = None) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def run(states: dict, input=None, resources=None, **kwargs):
    return StateMachine(jsonata(states), resources=resources or {}, **kwargs).run(input or {})


def missing_cause(state: str, field: str, expression: str = "$states.input.missing") -> str:
    return (
        f"An error occurred while executing the state '{state}' (entered at the event id #2). "
        f"The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined)."
    )


def test_pass_output_transforms_the_input():
    execution = run(
        {"T": {"Type": "Pass", "Output": {"greeting": "{% 'Hello ' & $states.input.name %}",
                                          "doubled": "{% $states.input.value * 2 %}"}, "End": True}},
        {"name": "World", "value": 21},
    )
    assert execution.output == {"greeting": "Hello World", "doubled": 42}


def test_without_output_a_state_passes_its_input_and_a_task_its_result():
    execution = run(
        {
            "P": {"Type": "Pass", "Next": "T"},
            "T": {"Type": "Task", "Resource": FN, "End": True},
        },
        {"n": 1},
        {FN: lambda event, context: {"got": event}},
    )
    assert execution.output == {"got": {"n": 1}}


def test_task_arguments_are_the_handler_event_and_output_reads_result_and_input():
    seen = []

    def handler(event, context):
        seen.append(event)
        return {"total": event["a"] + event["b"]}

    execution = run(
        {
            "Add": {
                "Type": "Task",
                "Resource": FN,
                "Arguments": {"a": "{% $states.input.x %}", "b": 2, "static": "kept"},
                "Output": {"sum": "{% $states.result.total %}", "was": "{% $states.input.x %}"},
                "End": True,
            }
        },
        {"x": 40},
        {FN: handler},
    )
    assert seen == [{"a": 40, "b": 2, "static": "kept"}]
    assert execution.output == {"sum": 42, "was": 40}
    step = execution.steps[0]
    assert step.after_parameters == seen[0] and step.result == {"total": 42}


def test_states_context_is_the_context_object():
    execution = run(
        {"P": {"Type": "Pass", "Output": {"state": "{% $states.context.State.Name %}",
                                          "execution": "{% $states.context.Execution.Name %}"}, "End": True}},
    )
    assert execution.output == {"state": "P", "execution": execution.name}


def test_an_explicit_null_is_kept_in_every_position():
    execution = run(
        {"P": {"Type": "Pass", "Output": {"fromInput": "{% $lookup($states.input, 'bar') %}",
                                          "literal": None, "nested": {"inner": "{% null %}"},
                                          "values": ["{% null %}", 1]}, "End": True}},
        {"bar": None},
    )
    assert execution.output == {"fromInput": None, "literal": None, "nested": {"inner": None}, "values": [None, 1]}


def test_an_undefined_output_field_fails_the_state_with_aws_cause():
    execution = run({"T": {"Type": "Pass", "Output": {"v": "{% $states.input.missing %}"}, "End": True}})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert execution.cause == missing_cause("T", "Output/v")


def test_an_undefined_whole_output_names_the_field_output():
    execution = run({"T": {"Type": "Pass", "Output": "{% $states.input.missing %}", "End": True}})
    assert execution.cause == missing_cause("T", "Output")


def test_an_undefined_argument_fails_before_the_handler_is_called():
    calls = []
    execution = run(
        {"Send": {"Type": "Task", "Resource": FN, "Arguments": {"MessageGroupId": "{% $states.input.missing %}"},
                  "End": True}},
        resources={FN: lambda event, context: calls.append(event)},
    )
    assert calls == []
    assert execution.cause == missing_cause("Send", "Arguments/MessageGroupId")


def test_query_evaluation_errors_are_caught_like_any_error_and_errorOutput_is_bound():
    execution = run(
        {
            "Boom": {
                "Type": "Task",
                "Resource": FN,
                "Arguments": {"bad": "{% $number('not-a-number') + $states.input.missing %}"},
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Report",
                           "Assign": {"caughtError": "{% $states.errorOutput.Error %}"}}],
                "End": True,
            },
            "Report": {"Type": "Pass", "Output": {"caughtError": "{% $caughtError %}",
                                                   "catchOutputError": "{% $states.input.Error %}"}, "End": True},
        },
        resources={FN: lambda event, context: event},
    )
    assert execution.output == {"caughtError": "States.QueryEvaluationError",
                                "catchOutputError": "States.QueryEvaluationError"}


def test_catch_output_replaces_the_error_output():
    def fail(event, context):
        raise ValueError("bad input")

    execution = run(
        {
            "T": {"Type": "Task", "Resource": FN,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                             "Output": {"error": "{% $states.errorOutput.Error %}", "input": "{% $states.input %}"}}],
                  "End": True},
            "Done": {"Type": "Succeed"},
        },
        {"id": 7},
        {FN: fail},
    )
    assert execution.output == {"error": "ValueError", "input": {"id": 7}}
    assert execution.steps[0].status == "CAUGHT"


def test_a_failing_catch_output_fails_the_state_naming_the_catcher_by_index():
    execution = run(
        {
            "Boom": {"Type": "Task", "Resource": FN, "Arguments": {"v": "{% $states.input.missing %}"},
                     "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Caught"},
                               {"ErrorEquals": ["States.QueryEvaluationError"],
                                "Output": {"v": "{% $states.input.missing %}"}, "Next": "Caught"}],
                     "End": True},
            "Caught": {"Type": "Pass", "End": True},
        },
        resources={FN: lambda event, context: event},
    )
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert execution.cause == missing_cause("Boom", "Catch[1]/Output/v")


def test_choice_conditions_pick_the_first_true_rule_else_default():
    states = {
        "Check": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.type = 'premium' %}", "Next": "Premium"},
            {"Condition": "{% $states.input.type = 'basic' %}", "Next": "Basic"},
        ], "Default": "Other"},
        "Premium": {"Type": "Pass", "Output": "premium", "End": True},
        "Basic": {"Type": "Pass", "Output": "basic", "End": True},
        "Other": {"Type": "Pass", "Output": "other", "End": True},
    }
    assert [run(states, {"type": t}).output for t in ("premium", "basic", "gold")] == ["premium", "basic", "other"]


def test_an_undefined_condition_fails_but_only_when_it_is_reached():
    states = {
        "Pick": {"Type": "Choice", "Choices": [
            {"Condition": "{% $states.input.first %}", "Next": "First"},
            {"Condition": "{% $states.input.missing %}", "Next": "First"},
        ], "Default": "First"},
        "First": {"Type": "Pass", "End": True},
    }
    assert run(states, {"first": True}).status == "SUCCEEDED"
    failed = run(states, {"first": False})
    assert failed.cause == missing_cause("Pick", "Choices[1]/Condition")


def test_a_condition_must_give_a_boolean():
    execution = run({
        "Pick": {"Type": "Choice", "Choices": [{"Condition": "{% $states.input.n %}", "Next": "Done"}],
                 "Default": "Done"},
        "Done": {"Type": "Succeed"},
    }, {"n": 1})
    assert execution.error == "States.QueryEvaluationError"
    assert "returned an unexpected result type. Expected 'boolean', but was 'number' for value: 1" in execution.cause


def test_the_state_assign_applies_whichever_rule_matches_and_a_rule_adds_its_own():
    # Guide, "Choice Rules (JSONata)": a rule's Assign applies when it matches; a state-level
    # Assign "applies regardless of which choice rule matches". The rule wins on a shared name.
    states = {
        "Pick": {"Type": "Choice",
                 "Choices": [{"Condition": "{% $states.input.condition %}", "Next": "Report",
                              "Assign": {"assignment": "Condition assignment"}, "Output": {"from": "rule"}}],
                 "Default": "Report", "Assign": {"assignment": "Default Assignment", "always": "{% $states.input %}"},
                 "Output": {"from": "state"}},
        "Report": {"Type": "Pass", "Output": {"assignment": "{% $assignment %}", "always": "{% $always %}",
                                              "input": "{% $states.input %}"}, "End": True},
    }
    assert run(states, {"condition": True}).output == {
        "assignment": "Condition assignment", "always": {"condition": True}, "input": {"from": "rule"}}
    assert run(states, {"condition": False}).output == {
        "assignment": "Default Assignment", "always": {"condition": False}, "input": {"from": "state"}}


def test_a_failing_rule_assign_names_the_rule():
    execution = run({
        "Pick": {"Type": "Choice", "Choices": [{"Condition": "{% true %}", "Next": "Done",
                                                "Assign": {"x": "{% $states.input.missing %}"}}], "Default": "Done"},
        "Done": {"Type": "Succeed"},
    })
    assert execution.cause == missing_cause("Pick", "Choices[0]/Assign/x")


def test_wait_seconds_and_timestamp_may_be_expressions():
    clock = VirtualClock(START)
    execution = run(
        {
            "Short": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "Until"},
            "Until": {"Type": "Wait", "Timestamp": "{% $states.input.until %}", "End": True},
        },
        {"delay": 30, "until": "2024-01-01T01:00:00Z"},
        clock=clock,
    )
    assert execution.status == "SUCCEEDED"
    assert (execution.stop_date - START).total_seconds() == 3600


def test_an_undefined_wait_seconds_fails_naming_seconds():
    execution = run({"Pause": {"Type": "Wait", "Seconds": "{% $states.input.missing %}", "End": True}})
    assert execution.cause == missing_cause("Pause", "Seconds")


def test_fail_error_and_cause_may_be_expressions():
    execution = run({"Stop": {"Type": "Fail", "Error": "{% 'Order.' & $states.input.kind %}",
                              "Cause": "{% 'order ' & $string($states.input.id) & ' refused' %}"}},
                    {"kind": "Refused", "id": 7})
    assert (execution.error, execution.cause) == ("Order.Refused", "order 7 refused")


def test_fail_error_that_is_undefined_fails_with_the_evaluation_error_instead():
    execution = run({"Stop": {"Type": "Fail", "Error": "{% $states.input.missing %}", "Cause": "boom"}})
    assert (execution.error, execution.cause) == ("States.QueryEvaluationError", missing_cause("Stop", "Error"))


def test_task_timeout_seconds_may_be_an_expression():
    import time

    def slow(event, context):
        time.sleep(2)
        return "late"

    execution = run(
        {"T": {"Type": "Task", "Resource": FN, "TimeoutSeconds": "{% $states.input.timeout %}", "End": True}},
        {"timeout": 1},
        {FN: slow},
    )
    assert execution.error == "States.Timeout"
    scheduled = next(e for e in execution.history if e["type"] == "LambdaFunctionScheduled")
    assert scheduled["lambdaFunctionScheduledEventDetails"]["timeoutInSeconds"] == 1


def test_map_items_item_selector_and_result():
    execution = run(
        {
            "Fan": {
                "Type": "Map",
                "Items": "{% $states.input.numbers %}",
                "ItemSelector": {"value": "{% $states.context.Map.Item.Value %}",
                                 "index": "{% $states.context.Map.Item.Index %}",
                                 "factor": "{% $states.input.factor %}"},
                "ItemProcessor": {"StartAt": "Times", "States": {
                    "Times": {"Type": "Pass", "Output": "{% $states.input.value * $states.input.factor + $states.input.index %}",
                              "End": True}}},
                "Output": {"results": "{% $states.result %}"},
                "End": True,
            }
        },
        {"numbers": [1, 2, 3], "factor": 10},
    )
    assert execution.output == {"results": [10, 21, 32]}


def test_map_items_may_be_a_literal_array_and_max_concurrency_an_expression():
    execution = run({
        "Fan": {"Type": "Map", "Items": [1, 2, 3], "MaxConcurrency": "{% $states.input.limit %}",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True},
    }, {"limit": 1})
    assert execution.output == [1, 2, 3]


def test_undefined_items_and_max_concurrency_fail_naming_their_field():
    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    items = run({"Fan": {"Type": "Map", "Items": "{% $states.input.missing %}", "ItemProcessor": processor,
                         "End": True}})
    assert items.cause == missing_cause("Fan", "Items")
    limit = run({"Fan": {"Type": "Map", "Items": [1], "MaxConcurrency": "{% $states.input.missing %}",
                         "ItemProcessor": processor, "End": True}})
    assert limit.cause == missing_cause("Fan", "MaxConcurrency")


def test_map_items_must_be_an_array():
    execution = run({"Fan": {"Type": "Map", "Items": "{% $states.input %}", "End": True,
                             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}},
                    {"not": "an array"})
    assert execution.error == "States.QueryEvaluationError"
    assert "Expected 'array', but was 'object'" in execution.cause


def test_map_tolerated_failure_count_may_be_an_expression():
    def odd_fails(event, context):
        if event % 2:
            raise ValueError("odd")
        return event

    execution = run(
        {"Fan": {"Type": "Map", "Items": [1, 2, 3, 4], "ToleratedFailureCount": "{% $states.input.allowed %}",
                 "ItemProcessor": {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN, "End": True}}},
                 "End": True}},
        {"allowed": 2},
        {FN: odd_fails},
    )
    assert execution.status == "SUCCEEDED"
    assert [item if not isinstance(item, dict) else item["Error"] for item in execution.output] == [
        "ValueError", 2, "ValueError", 4]


def test_parallel_arguments_are_every_branch_input_and_output_shapes_the_results():
    def branch(name: str) -> dict:
        return {"StartAt": name, "States": {name: {"Type": "Pass", "Output": "{% $states.input.v + 1 %}", "End": True}}}

    execution = run(
        {"Both": {"Type": "Parallel", "Arguments": {"v": "{% $states.input.start %}"}, "Branches": [branch("A"), branch("B")],
                  "Output": {"sum": "{% $sum($states.result) %}"}, "End": True}},
        {"start": 1},
    )
    assert execution.output == {"sum": 4}


def test_a_jsonpath_machine_may_run_jsonata_states_and_back():
    definition = {
        "StartAt": "Path",
        "States": {
            "Path": {"Type": "Pass", "Parameters": {"x.$": "$.a", "y.$": "$.b"}, "Next": "Nata"},
            "Nata": {"Type": "Pass", "QueryLanguage": "JSONata",
                     "Output": {"value": "{% $states.input.x + $states.input.y %}"}, "Next": "PathAgain"},
            "PathAgain": {"Type": "Pass", "ResultPath": "$.copy", "End": True},
        },
    }
    execution = StateMachine(definition).run({"a": 10, "b": 20})
    assert execution.output == {"value": 30, "copy": {"value": 30}}


def test_nested_states_default_to_the_definition_query_language():
    definition = {
        "StartAt": "Fan",
        "States": {
            "Fan": {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.items %}",
                    "ItemProcessor": {"StartAt": "Inner", "States": {
                        "Inner": {"Type": "Pass", "Parameters": {"item.$": "$"}, "End": True}}},
                    "End": True},
        },
    }
    assert StateMachine(definition).run({"items": [1, 2]}).output == [{"item": 1}, {"item": 2}]


def test_an_uncaught_evaluation_failure_is_recorded_as_an_evaluation_failed_event():
    execution = run({"T": {"Type": "Pass", "Output": {"v": "{% $states.input.missing %}"}, "End": True}})
    types = [event["type"] for event in execution.history]
    assert types == ["ExecutionStarted", "PassStateEntered", "EvaluationFailed", "ExecutionFailed"]
    assert execution.history[2]["evaluationFailedEventDetails"] == {
        "error": "States.QueryEvaluationError",
        "cause": missing_cause("T", "Output/v"),
        "location": "Output/v",
        "state": "T",
    }


def test_now_and_millis_read_the_execution_clock():
    execution = run({"Stamp": {"Type": "Pass", "Output": {"now": "{% $now() %}", "millis": "{% $millis() %}"},
                               "End": True}}, clock=VirtualClock(START))
    assert execution.output == {"now": "2024-01-01T00:00:00.000Z", "millis": 1704067200000}


def test_step_records_say_which_query_language_each_state_ran_in():
    definition = {"StartAt": "Path", "States": {
        "Path": {"Type": "Pass", "Next": "Nata"},
        "Nata": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": {"n": 1}, "End": True}}}
    execution = StateMachine(definition).run()
    assert [(step.name, step.query_language) for step in execution.steps] == [("Path", "JSONPath"), ("Nata", "JSONata")]


def test_the_guides_choice_rule_examples():
    # Developer guide, "Choice workflow state", Choice Rules (JSONata), evaluated on variables.
    def first_match(variables: dict) -> str:
        rules = [
            {"Condition": "{% $foo = 1 %}", "Next": "NumericMatchState"},
            {"Condition": "{% $type = 'local' %}", "Next": "StringMatchState"},
            {"Condition": "{% $foo > 'MyStringABC' %}", "Next": "StringGreaterMatchState"},
            {"Condition": "{% $possiblyNullValue != null and $possiblyNullValue = 42 %}", "Next": "NotNullAnd42"},
        ]
        targets = {rule["Next"]: {"Type": "Pass", "Output": rule["Next"], "End": True} for rule in rules}
        states = {
            "Set": {"Type": "Pass", "Assign": variables, "Next": "Pick"},
            "Pick": {"Type": "Choice", "Choices": rules, "Default": "None"},
            "None": {"Type": "Pass", "Output": "none", "End": True},
            **targets,
        }
        execution = run(states)
        return execution.output if execution.status == "SUCCEEDED" else execution.error

    assert first_match({"foo": 1, "type": "x", "possiblyNullValue": None}) == "NumericMatchState"
    assert first_match({"foo": "A", "type": "local", "possiblyNullValue": None}) == "StringMatchState"
    assert first_match({"foo": "Zebra", "type": "x", "possiblyNullValue": None}) == "StringGreaterMatchState"
    assert first_match({"foo": "Apple", "type": "x", "possiblyNullValue": 42}) == "NotNullAnd42"
    assert first_match({"foo": "Apple", "type": "x", "possiblyNullValue": None}) == "none"
    # JSONata refuses to order a number against a string: the state fails, it does not fall through.
    assert first_match({"foo": 2, "type": "x", "possiblyNullValue": None}) == "States.QueryEvaluationError"


def test_the_guides_jsonpath_to_jsonata_conversion_example_gives_the_same_arguments():
    # Developer guide, "Transforming data with JSONata": the same Task written both ways.
    seen = []
    handler = {FN: lambda event, context: seen.append(event) or {}}
    before = {"StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"customerName": "Ana"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": FN, "End": True,
                 "Parameters": {"static": "Hello", "title.$": "$.title", "name.$": "$customerName",
                                "not-evaluated": "$customerName"}}}}
    after = {"QueryLanguage": "JSONata", "StartAt": "Set", "States": {
        "Set": {"Type": "Pass", "Assign": {"customerName": "Ana"}, "Next": "Call"},
        "Call": {"Type": "Task", "Resource": FN, "End": True,
                 "Arguments": {"static": "Hello", "title": "{% $states.input.title %}", "name": "{% $customerName %}",
                               "not-evaluated": "$customerName"}}}}
    for definition in (before, after):
        assert StateMachine(definition, resources=handler).run({"title": "Doctor"}).status == "SUCCEEDED"
    assert seen[0] == seen[1] == {"static": "Hello", "title": "Doctor", "name": "Ana", "not-evaluated": "$customerName"}


def test_a_jsonata_callback_task_sends_the_token_from_states_context_and_outputs_the_answer():
    import json

    from stepflow.client import Client

    send = "arn:aws:states:::sqs:sendMessage"
    sent: list = []
    definition = jsonata({"Approve": {
        "Type": "Task", "Resource": f"{send}.waitForTaskToken", "End": True,
        "Arguments": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                      "MessageBody": {"token": "{% $states.context.Task.Token %}", "order": "{% $states.input.order %}"}},
        "Output": "{% $merge([$states.input, {'approval': $states.result}]) %}",
    }})
    client = Client(resources={send: lambda event, context: sent.append(event) or {"MessageId": "m-1"}})
    try:
        arn = client.create_state_machine(name="Approvals", definition=json.dumps(definition),
                                          roleArn="arn:aws:iam::123456789012:role/r")["stateMachineArn"]
        execution = client.start_execution(stateMachineArn=arn, input=json.dumps({"order": 7}))["executionArn"]
        token = client.callbacks.wait_for_pending("Approve").token
        client.send_task_success(taskToken=token, output='{"approved": true}')
        described = client.wait_for_execution(execution)
    finally:
        client.close()
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"order": 7, "approval": {"approved": True}}
    assert sent[0]["MessageBody"] == {"token": token, "order": 7}


def test_running_parses_no_jsonata_expression(monkeypatch):
    from jsonata.parser import Parser

    machine = StateMachine(jsonata({
        "Set": {"Type": "Pass", "Assign": {"n": "{% $states.input.n %}"}, "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Condition": "{% $n > 0 %}", "Next": "Fan"}], "Default": "Stop"},
        "Fan": {"Type": "Map", "Items": "{% $range(1, $n, 1) %}",
                "ItemSelector": {"v": "{% $states.context.Map.Item.Value * 2 %}"},
                "ItemProcessor": {"StartAt": "Each", "States": {
                    "Each": {"Type": "Pass", "Output": "{% $states.input.v %}", "End": True}}},
                "Output": {"sum": "{% $sum($states.result) %}"}, "Next": "Pause"},
        "Pause": {"Type": "Wait", "Seconds": "{% $n %}", "End": True},
        "Stop": {"Type": "Fail", "Error": "{% 'Stopped' %}"},
    }))

    def refuse(*args, **kwargs):
        raise AssertionError("an expression was parsed while running")

    monkeypatch.setattr(Parser, "parse", refuse)
    for n in (3, 5):
        assert machine.run({"n": n}).output == {"sum": n * (n + 1)}


def test_a_jsonpath_state_hands_variables_and_output_to_a_jsonata_task_as_recorded_on_aws():
    definition = {"StartAt": "StateJsonPath", "States": {
        "StateJsonPath": {
            "QueryLanguage": "JSONPath", "Type": "Pass",
            "Result": {"riddle": "What is the answer to life, the universe, and everything?"},
            "Assign": {"answer": 42, "inputData.$": "$"},
            "OutputPath": "$", "ResultPath": "$.enigma.mystery", "Next": "StateJsonata"},
        "StateJsonata": {
            "QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": "{% $states.input.functionName %}",
                          "Payload": {"theQuestion": "{% $states.input.enigma.mystery.riddle %}",
                                      "theAnswer": "{% $answer %}"}},
            "Assign": {"answer": "<omitted>", "message": "{% $states.result %}"},
            "Output": {"result": "{% $states.result.Payload %}"},
            "End": True},
    }}
    execution = StateMachine(definition, resources={FN: lambda event, context: event}).run({"functionName": FN})
    riddle = "What is the answer to life, the universe, and everything?"
    assert execution.output == {"result": {"theQuestion": riddle, "theAnswer": 42}}
    first, second = [e["stateExitedEventDetails"] for e in execution.history if e["type"].endswith("StateExited")]
    # JSONPath Assign's "$" is the state's result (Result), not its output after ResultPath.
    assert first["assignedVariables"] == {"answer": "42", "inputData": f'{{"riddle":"{riddle}"}}'}
    assert first["output"] == f'{{"functionName":"{FN}","enigma":{{"mystery":{{"riddle":"{riddle}"}}}}}}'
    assert second["assignedVariables"]["answer"] == '"<omitted>"'
    assert '"Payload":{"theQuestion"' in second["assignedVariables"]["message"]
