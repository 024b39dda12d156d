"""AWS Lambda, the two ways a Task calls a function.

- ``"Resource": "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]"``: the effective input is
  the event, the handler's return value the result; LambdaFunction* events.
- ``"Resource": "arn:aws:states:::lambda:invoke"`` (also ``.waitForTaskToken``): Parameters carry
  ``FunctionName`` and ``Payload``; the result is Lambda's Invoke response (``ExecutedVersion``,
  ``Payload``, ``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``); Task* events.
"""
from __future__ import annotations

import logging
from typing import Any

from stepflow.integrations.base import Integration, TaskCall, runtime_failure
from stepflow.integrations.lambda_context import LambdaContext
from stepflow.integrations.lambda_runtime import function_not_found, invoke_response, run_handler
from stepflow.integrations.resources import FUNCTION_ARN, Function

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
_log = logging.getLogger(__name__)


class LambdaFunction(Integration):
    """A function ARN (or a registered function name) as the Resource."""

    events = "lambda"

    def invoke(self, call: TaskCall) -> Any:
        function = call.resources.function(self.resource)
        return run_handler(
            _handler(function, call), call.parameters, _context(function, call), event_json=call.parameters_json, **_limits(call)
        )


class LambdaInvoke(Integration):
    """``arn:aws:states:::lambda:invoke``: Lambda's Invoke API, RequestResponse."""

    patterns = frozenset({"waitForTaskToken"})

    def invoke(self, call: TaskCall) -> Any:
        parameters = call.parameters if isinstance(call.parameters, dict) else {}
        name = parameters.get("FunctionName")
        if not isinstance(name, str):
            raise runtime_failure(
                f"state {call.state_name!r}: {LAMBDA_INVOKE} needs Parameters.FunctionName (a string)"
            )
        invocation_type = parameters.get("InvocationType", "RequestResponse")
        if invocation_type != "RequestResponse":
            raise runtime_failure(
                f"state {call.state_name!r}: InvocationType {invocation_type!r} is not supported; "
                "stepflow runs RequestResponse invocations"
            )
        function = call.resources.function(name)
        context = _context(function, call)
        result = run_handler(
            _handler(function, call), parameters.get("Payload", {}), context, compact_cause=True, **_limits(call)
        )
        return invoke_response(result, context.aws_request_id, function.version, call.clock.now())


def _handler(function: Function, call: TaskCall) -> Any:
    if function.handler is None:
        _log.warning(_no_handler(function.arn, call))
        raise function_not_found(function.arn)
    return function.handler


def _no_handler(function_arn: str, call: TaskCall) -> str:
    """What to do about a function with no handler (the task fails as AWS fails it)."""
    functions = [key for key in call.resources.names() if FUNCTION_ARN.match(key)]
    return (
        f"state {call.state_name!r}: no handler is registered for the Lambda function {function_arn}, so the "
        f"task fails with Lambda.ResourceNotFoundException as on AWS. Functions with handlers: "
        f"{', '.join(functions) or 'none'}. Register one: StateMachine(..., resources={{{function_arn!r}: handler}}), "
        "or RESOURCES in the file given to `stepflow run --resources FILE.py`."
    )


def _context(function: Function, call: TaskCall) -> LambdaContext:
    return LambdaContext(function.name, function.arn, call.timeout_seconds, function_version=function.version)


def _limits(call: TaskCall) -> dict[str, Any]:
    """TimeoutSeconds, HeartbeatSeconds and the lane's stop signal, enforced around the handler."""
    return {"timeout_seconds": call.timeout_seconds, "heartbeat_seconds": call.heartbeat_seconds, "stop": call.stop}
