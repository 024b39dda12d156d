"""The integration table: a Task's Resource resolved once to the integration that serves it."""
from __future__ import annotations

import pytest

from stepflow.asl.errors import RUNTIME, ASLError
from stepflow.integrations.activity import Activity
from stepflow.integrations.handler import RegisteredHandler
from stepflow.integrations.lambda_ import LAMBDA_INVOKE, LambdaFunction, LambdaInvoke
from stepflow.integrations.resources import Resources
from stepflow.integrations.passthrough import PassThrough
from stepflow.integrations.table import resolve
from stepflow.integrations.unsupported import Unsupported

from .calls import invoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:FaceDetection"


def echo(event, context):
    return {"event": event, "function": context.function_name}


@pytest.mark.parametrize("key", ["FaceDetection", ARN])
def test_function_arn_finds_a_handler_registered_by_name_or_arn(key):
    resources = Resources({key: echo})
    binding = resolve(ARN, resources)
    function = resources.function(ARN)
    assert isinstance(binding.integration, LambdaFunction) and binding.events == "lambda"
    assert (function.handler, function.arn) == (echo, ARN)


def test_qualified_function_arn_falls_back_to_the_unqualified_handler():
    function = Resources({"FaceDetection": echo}).function(f"{ARN}:prod")
    assert function.handler is echo and function.qualifier == "prod"
    assert function.arn == f"{ARN}:prod"


def test_a_handler_registered_for_the_qualified_arn_wins():
    def prod(event, context):
        return "prod"

    resources = Resources({"FaceDetection": echo, f"{ARN}:prod": prod})
    assert resources.function(f"{ARN}:prod").handler is prod
    assert invoke(resources, f"{ARN}:prod", {}) == "prod"


@pytest.mark.parametrize(
    "function_name", ["FaceDetection", "FaceDetection:1", ARN, "123456789012:function:FaceDetection"]
)
def test_lambda_invoke_accepts_every_function_name_form_lambda_does(function_name):
    resources = Resources({"FaceDetection": echo})
    assert isinstance(resolve(LAMBDA_INVOKE, resources).integration, LambdaInvoke)
    result = invoke(resources, LAMBDA_INVOKE, {"FunctionName": function_name, "Payload": {"a": 1}})
    assert result["Payload"] == {"event": {"a": 1}, "function": "FaceDetection"}


def test_function_in_another_region_gets_its_own_arn():
    function = Resources({"F": echo}).function("arn:aws:lambda:eu-west-1:111122223333:function:F")
    assert function.arn == "arn:aws:lambda:eu-west-1:111122223333:function:F"


def test_unregistered_function_resolves_without_a_handler():
    binding = resolve(ARN, Resources())
    assert isinstance(binding.integration, LambdaFunction)
    assert Resources().function(ARN).handler is None


def test_registered_service_resource_is_answered_by_its_handler_with_task_events():
    def publish(event, context):
        return {"MessageId": "1"}

    resources = Resources({"arn:aws:states:::sns:publish": publish})
    binding = resolve("arn:aws:states:::sns:publish", resources)
    assert isinstance(binding.integration, RegisteredHandler) and binding.events == "task"
    assert binding.task_names == ("sns", "publish")
    assert invoke(resources, "arn:aws:states:::sns:publish", {}) == {"MessageId": "1"}


def test_unknown_service_resource_fails_at_run_time_naming_the_state_and_resource():
    binding = resolve("arn:aws:states:::foo:bar", Resources(), "Notify")
    assert isinstance(binding.integration, PassThrough)  # not emulated: only an endpoint could answer
    with pytest.raises(ASLError, match="state 'Notify'.*arn:aws:states:::foo:bar") as raised:
        invoke(Resources(), "arn:aws:states:::foo:bar", {}, state_name="Notify")
    assert raised.value.error == RUNTIME


def test_wait_for_task_token_and_activities_are_bound_with_their_pattern():
    resources = Resources({"F": echo})
    callback = resolve("arn:aws:states:::lambda:invoke.waitForTaskToken", resources, "Review")
    activity = resolve("arn:aws:states:us-east-1:123456789012:activity:review", resources, "Review")
    assert (callback.pattern, type(callback.integration)) == ("waitForTaskToken", LambdaInvoke)
    assert callback.task_names == ("lambda", "invoke.waitForTaskToken")
    assert isinstance(activity.integration, Activity) and activity.events == "activity"


def test_an_exact_handler_answers_its_resource_whatever_the_pattern():
    resources = Resources({"arn:aws:states:::foo:bar.waitForTaskToken": echo})
    binding = resolve("arn:aws:states:::foo:bar.waitForTaskToken", resources)
    assert (binding.pattern, type(binding.integration)) == ("", RegisteredHandler)


def test_a_pattern_the_integration_does_not_run_is_refused_by_name():
    binding = resolve(f"{LAMBDA_INVOKE}.sync", Resources(), "Child")
    with pytest.raises(ASLError, match=r"state 'Child'.*\.sync integration pattern"):
        binding.integration.invoke(None)  # type: ignore[arg-type]


def test_lambda_invoke_without_function_name_is_refused():
    with pytest.raises(ASLError, match="FunctionName"):
        invoke(Resources(), LAMBDA_INVOKE, {"Payload": {}}, state_name="Call")


def test_asynchronous_invocation_type_is_refused():
    with pytest.raises(ASLError, match="InvocationType 'Event'"):
        invoke(Resources({"F": echo}), LAMBDA_INVOKE, {"FunctionName": "F", "InvocationType": "Event"})


def test_override_is_the_hook_for_per_state_stand_ins():
    class Mocked(Resources):
        def override(self, state_name):
            return (lambda _input: {"mocked": True}) if state_name == "Detect" else None

    assert Mocked({"FaceDetection": echo}).override("Detect")({}) == {"mocked": True}
    assert Mocked().override("Other") is None
