"""ResourceRegistry: SAM-style substitutions and resolving a Task's Resource to a local handler."""
from __future__ import annotations

import dataclasses

import pytest

from stepflow.asl.errors import DefinitionError
from stepflow.resources.registry import LAMBDA_INVOKE, ResourceRegistry, UnsupportedIntegration

ARN = "arn:aws:lambda:us-east-1:123456789012:function:FaceDetection"


def echo(event, context):
    return {"event": event, "function": context.function_name}


# --- substitutions -------------------------------------------------------------------------------


def test_substitute_replaces_placeholders_in_every_string_of_the_definition():
    registry = ResourceRegistry(substitutions={"FaceDetectionFunctionArn": ARN, "Bucket": "photos"})
    definition = {
        "StartAt": "Detect",
        "States": {
            "Detect": {"Type": "Task", "Resource": "${FaceDetectionFunctionArn}", "End": True,
                       "Parameters": {"Paths": ["s3://${Bucket}/in", "s3://${Bucket}/out"]}},
        },
    }
    result = registry.substitute(definition)
    assert result["States"]["Detect"]["Resource"] == ARN
    assert result["States"]["Detect"]["Parameters"]["Paths"] == ["s3://photos/in", "s3://photos/out"]


def test_substitute_leaves_the_original_definition_untouched():
    registry = ResourceRegistry(substitutions={"X": "y"})
    definition = {"Comment": "${X}"}
    registry.substitute(definition)
    assert definition == {"Comment": "${X}"}


def test_substitute_leaves_paths_intrinsics_and_non_strings_alone():
    registry = ResourceRegistry(substitutions={})
    definition = {"a.$": "$.x", "b.$": "States.Format('{}', $.y)", "n": 3, "t": True, "z": None}
    assert registry.substitute(definition) == definition


def test_escaped_placeholder_stays_literal():
    assert ResourceRegistry(substitutions={"X": "y"}).substitute({"c": "${!X} and ${X}"}) == {"c": "${X} and y"}


def test_unknown_placeholders_are_reported_with_json_pointers():
    registry = ResourceRegistry(substitutions={"Known": "k"})
    definition = {"States": {"A/B": {"Resource": "${Missing}"}, "C": {"Parameters": {"L": ["${Known}", "${Other}"]}}}}
    with pytest.raises(DefinitionError) as raised:
        registry.substitute(definition)
    assert [(d.location, d.message) for d in raised.value.diagnostics] == [
        ("/States/A~1B/Resource", "no substitution is defined for ${Missing}"),
        ("/States/C/Parameters/L/1", "no substitution is defined for ${Other}"),
    ]


def test_substitution_values_must_be_strings():
    with pytest.raises(TypeError, match="'Count' must be a string"):
        ResourceRegistry(substitutions={"Count": 3})


# --- resolution ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["FaceDetection", ARN])
def test_function_arn_finds_a_handler_registered_by_name_or_arn(key):
    registry = ResourceRegistry({key: echo})
    target = registry.resolve(ARN)
    assert (target.kind, target.handler, target.function_arn) == ("function", echo, ARN)


def test_qualified_function_arn_falls_back_to_the_unqualified_handler():
    registry = ResourceRegistry({"FaceDetection": echo})
    target = registry.resolve(f"{ARN}:prod")
    assert target.handler is echo and target.qualifier == "prod"
    assert target.function_arn == f"{ARN}:prod"


def test_a_handler_registered_for_the_qualified_arn_wins():
    def prod(event, context):
        return "prod"

    registry = ResourceRegistry({"FaceDetection": echo, f"{ARN}:prod": prod})
    assert registry.resolve(f"{ARN}:prod").handler is prod


@pytest.mark.parametrize(
    "function_name", ["FaceDetection", "FaceDetection:1", ARN, "123456789012:function:FaceDetection"]
)
def test_lambda_invoke_accepts_every_function_name_form_lambda_does(function_name):
    registry = ResourceRegistry({"FaceDetection": echo})
    target = registry.resolve(LAMBDA_INVOKE, {"FunctionName": function_name, "Payload": {}})
    assert (target.kind, target.handler, target.function_name) == ("integration", echo, "FaceDetection")


def test_function_in_another_region_gets_its_own_arn():
    registry = ResourceRegistry({"F": echo})
    target = registry.resolve("arn:aws:lambda:eu-west-1:111122223333:function:F")
    assert target.function_arn == "arn:aws:lambda:eu-west-1:111122223333:function:F"


def test_unregistered_function_resolves_without_a_handler():
    target = ResourceRegistry().resolve(ARN)
    assert target.kind == "function" and target.handler is None


def test_registered_service_resource_is_an_integration():
    def publish(event, context):
        return {"MessageId": "1"}

    registry = ResourceRegistry({"arn:aws:states:::sns:publish": publish})
    target = registry.resolve("arn:aws:states:::sns:publish")
    assert (target.kind, target.handler) == ("integration", publish)


def test_unknown_service_resource_names_the_state_and_resource():
    with pytest.raises(UnsupportedIntegration, match="state 'Notify'.*arn:aws:states:::sns:publish"):
        ResourceRegistry().resolve("arn:aws:states:::sns:publish", {}, "Notify")


def test_wait_for_task_token_and_activities_resolve_to_waiting_kinds_the_engine_runs():
    registry = ResourceRegistry({"F": echo})
    callback = registry.resolve("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "F"}, "Review")
    activity = registry.resolve("arn:aws:states:us-east-1:123456789012:activity:review", {}, "Review")

    assert (callback.kind, activity.kind) == ("callback", "activity")
    with pytest.raises(UnsupportedIntegration, match="waits for an answer"):
        registry.invoke("arn:aws:states:::lambda:invoke.waitForTaskToken", {"FunctionName": "F"}, state_name="Review")


def test_sync_integrations_are_refused_by_name():
    with pytest.raises(UnsupportedIntegration, match=r"\.sync"):
        ResourceRegistry().resolve("arn:aws:states:::states:startExecution.sync:2", {}, "Child")


def test_lambda_invoke_without_function_name_is_refused():
    with pytest.raises(UnsupportedIntegration, match="FunctionName"):
        ResourceRegistry().resolve(LAMBDA_INVOKE, {"Payload": {}}, "Call")


def test_asynchronous_invocation_type_is_refused():
    with pytest.raises(UnsupportedIntegration, match="InvocationType 'Event'"):
        ResourceRegistry({"F": echo}).resolve(LAMBDA_INVOKE, {"FunctionName": "F", "InvocationType": "Event"})


def test_resolve_is_the_hook_for_per_state_mocks():
    class Mocked(ResourceRegistry):
        def resolve(self, resource, parameters=None, state_name=""):
            target = super().resolve(resource, parameters, state_name)
            if state_name == "Detect":
                return dataclasses.replace(target, handler=lambda event, context: {"mocked": True})
            return target

    registry = Mocked({"FaceDetection": echo})
    assert registry.invoke(ARN, {}, state_name="Detect") == {"mocked": True}
    assert registry.invoke(ARN, {}, state_name="Other")["function"] == "FaceDetection"
