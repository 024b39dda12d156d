"""The one table of integrations: which Integration serves a Task's Resource.

``resolve`` runs once per Task state, when the machine is compiled. Its order:
1. a handler registered for the exact Resource string answers it;
2. an activity ARN;
3. the Resource's pattern suffix (``.sync``, ``.sync:2``, ``.waitForTaskToken``) is split off and
   the rest is looked up: Lambda first, then each row of ``SERVICES``;
4. anything else is ``Unsupported``: the task fails with States.Runtime, naming the Resource.
"""
from __future__ import annotations

from typing import Callable

from stepflow.integrations.activity import ACTIVITY_ARN, Activity
from stepflow.integrations import dynamodb, events, http, messaging, passthrough, rekognition, s3, ses, states
from stepflow.integrations.base import Binding, Integration, pattern_suffix, split_pattern, task_names
from stepflow.integrations.handler import RegisteredHandler
from stepflow.integrations.lambda_ import LAMBDA_INVOKE, LambdaFunction, LambdaInvoke
from stepflow.integrations.resources import FUNCTION_ARN, FUNCTION_NAME, Resources
from stepflow.integrations.unsupported import Unsupported

# Resource (without its pattern suffix) -> the integration serving it. One row per service API,
# or per service with a ``SERVICE:*`` key for every action of an SDK integration.
SERVICES: dict[str, Callable[[str], Integration]] = {
    LAMBDA_INVOKE: LambdaInvoke,
    **dict.fromkeys(dynamodb.OPTIMIZED, dynamodb.DynamoDBTask),
    dynamodb.SDK: dynamodb.DynamoDBTask,
    **dict.fromkeys(s3.RESOURCES, s3.S3Task),
    states.START_EXECUTION: states.StartExecution,
    http.HTTP_INVOKE: http.HttpInvoke,
    **dict.fromkeys(rekognition.RESOURCES, rekognition.RekognitionTask),
    ses.SESV2_SEND: ses.SendEmail,
    ses.SES_SEND: ses.SendEmail,
    messaging.SQS_SEND: messaging.SendMessage,
    messaging.SNS_PUBLISH: messaging.Publish,
    events.PUT_EVENTS: events.PutEvents,
    **dict.fromkeys(states.SEND_TASK, states.SendTask),
}


def resolve(resource: str, resources: Resources, state_name: str = "") -> Binding:
    """The Binding of a Task state's ``resource``, given the handlers the machine has."""
    if resources.handler(resource) is not None or ACTIVITY_ARN.match(resource):
        return Binding(resource, _integration(resource, resources, state_name))
    base, pattern = split_pattern(resource)
    integration = _integration(base, resources, state_name)
    if pattern and pattern not in integration.patterns:
        reason = (
            f"state {state_name!r}: Resource {resource!r} uses the {pattern_suffix(pattern)} integration "
            "pattern, which stepflow does not run for this resource"
        )
        return Binding(resource, Unsupported(base, reason), pattern)
    return Binding(resource, integration, pattern)


def _integration(resource: str, resources: Resources, state_name: str) -> Integration:
    registered = resources.handler(resource) is not None
    if FUNCTION_ARN.match(resource) or (registered and FUNCTION_NAME.match(resource)):
        return LambdaFunction(resource)
    if registered:
        return RegisteredHandler(resource)
    if ACTIVITY_ARN.match(resource):
        return Activity(resource)
    service = SERVICES.get(resource) or SERVICES.get(_any_action(resource))
    if service is not None:
        return service(resource)
    if _is_service_api(resource):
        return passthrough.PassThrough(resource)
    return Unsupported(resource, f"state {state_name!r}: no handler is registered for Resource {resource!r}")


def _is_service_api(resource: str) -> bool:
    """``arn:aws:states:::SERVICE:API`` or ``...:aws-sdk:SERVICE:ACTION``: what pass-through can send."""
    try:
        task_names(resource)
    except ValueError:
        return False
    return True


def local_requirement(resource: str, resources: Resources) -> str | None:
    """What running ``resource`` here still needs (None when it can run): a handler for a function
    or unknown ARN, or boto3 and an endpoint for a service API stepflow does not emulate."""
    base, pattern = split_pattern(resource)
    integration = _integration(base, resources, "")
    if isinstance(integration, passthrough.PassThrough):
        needed = passthrough.requirement(base)
        if needed:
            return f"{base} is not emulated by stepflow; to send it to an endpoint, {needed}"
        if pattern:
            return f"the {pattern_suffix(pattern)} pattern of {base} is not emulated (pass-through is request-response)"
    elif isinstance(integration, Unsupported):
        return f"no handler is registered for {resource}"
    elif isinstance(integration, LambdaFunction) and resources.function(base).handler is None:
        return f"no handler is registered for the function {base}"
    elif pattern and pattern not in integration.patterns:
        return f"stepflow does not run the {pattern_suffix(pattern)} pattern for {base}"
    return None


def _any_action(resource: str) -> str:
    """``arn:aws:states:::aws-sdk:s3:getObject`` -> ``arn:aws:states:::aws-sdk:s3:*``."""
    return resource.rsplit(":", 1)[0] + ":*"
