"""Task resources: ``${Name}`` substitutions, and Resource ARNs resolved to local handlers.

A definition that runs here deploys to AWS unchanged: resources are written as SAM
``DefinitionSubstitutions`` placeholders (``"Resource": "${FaceDetectionFunctionArn}"``) and each
handler has Lambda's signature, ``handler(event, context)``. Two ways to call a function:

- ``"Resource": "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]"``: the effective input is
  the event and the handler's return value is the result.
- ``"Resource": "arn:aws:states:::lambda:invoke"``: Parameters carry ``FunctionName`` and
  ``Payload``; the result is Lambda's Invoke response (``ExecutedVersion``, ``Payload``,
  ``SdkHttpMetadata``, ``SdkResponseMetadata``, ``StatusCode``).

Any other Resource string registered exactly (``arn:aws:states:::sns:publish``...) calls its handler
with the effective input and returns what it returns.

Two kinds of Resource wait for an answer from outside instead (``resources/callbacks.py``): a
``.waitForTaskToken`` integration and an activity ARN (``arn:aws:states:REGION:ACCOUNT:activity:NAME``).
Their tokens live in ``registry.callbacks``, shared by every machine given the same hub.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, Mapping

from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError
from stepflow.asl.loader import duplicate_keys, with_duplicate_keys
from stepflow.engine.clock import Clock, RealClock
from stepflow.engine.states.base import StopSignal
from stepflow.engine.history import DEFAULT_ACCOUNT, DEFAULT_REGION
from stepflow.resources.callbacks import CallbackHub
from stepflow.resources.lambda_context import LambdaContext
from stepflow.resources.lambda_invoke import Handler, function_not_found, invoke_response, run_handler

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
WAIT_FOR_TASK_TOKEN = ".waitForTaskToken"
_UNSUPPORTED_PATTERNS = (".sync",)
_ACTIVITY_ARN = re.compile(r"^arn:[\w-]+:states:[\w-]+:\d{12}:activity:[A-Za-z0-9_.-]{1,80}$")

# arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], or the partial ACCOUNT:function:NAME
_FUNCTION_ARN = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$"
)
_FUNCTION_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$")
_PLACEHOLDER = re.compile(r"\$\{(!?)([^}]*)\}")


class UnsupportedIntegration(StepflowError):
    """A Resource stepflow cannot run yet (e.g. ``.sync``), named with its state."""


@dataclass(frozen=True)
class Target:
    """What a Task state's Resource resolves to.

    ``kind`` tells the engine which history events to write: ``"function"`` (a Lambda function
    ARN: LambdaFunction* events), ``"integration"`` (``lambda:invoke`` or another service ARN:
    Task* events), ``"callback"`` (a ``.waitForTaskToken`` integration) or ``"activity"``; the
    last two wait for an answer through ``registry.callbacks``. ``handler`` is None for a function
    that does not exist, and for the waiting kinds.
    """

    kind: Literal["function", "integration", "callback", "activity"]
    resource: str
    handler: Handler | None
    function_name: str | None = None
    function_arn: str | None = None
    qualifier: str | None = None


class ResourceRegistry:
    """Local handlers by function name, function ARN or exact Resource string, plus substitutions."""

    def __init__(
        self,
        resources: Mapping[str, Handler] | None = None,
        substitutions: Mapping[str, str] | None = None,
        *,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        clock: Clock | None = None,
        callbacks: CallbackHub | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.callbacks = callbacks or CallbackHub()
        self.substitutions = dict(substitutions or {})
        for name, value in self.substitutions.items():
            if not isinstance(value, str):
                raise TypeError(f"substitution {name!r} must be a string, got {type(value).__name__}")
        self._clock = clock or RealClock()
        self._handlers: dict[str, Handler] = {}
        for key, handler in (resources or {}).items():
            self.register(key, handler)

    def register(self, key: str, handler: Handler) -> None:
        """Serve ``key`` (a function name, a function ARN, or any exact Resource) with ``handler``."""
        if not callable(handler):
            raise TypeError(f"the handler for {key!r} is not callable")
        self._handlers[key] = handler

    # --- substitutions ---------------------------------------------------------------------------

    def substitute(self, definition: Any) -> Any:
        """A copy of ``definition`` with every ``${Name}`` replaced in every string value.

        As in CloudFormation's Fn::Sub, ``${!Name}`` stands for a literal ``${Name}``. Unknown
        names raise DefinitionError listing the JSON pointer of each place.
        """
        problems: list[Diagnostic] = []
        result = self._substitute(definition, "", problems)
        if problems:
            raise DefinitionError(problems)
        return result

    def _substitute(self, value: Any, pointer: str, problems: list[Diagnostic]) -> Any:
        if isinstance(value, dict):
            substituted = {k: self._substitute(v, f"{pointer}/{_escape(k)}", problems) for k, v in value.items()}
            # Keep the loader's mark of repeated keys, so validation still reports duplicate state names.
            return with_duplicate_keys(substituted, duplicate_keys(value))
        if isinstance(value, list):
            return [self._substitute(v, f"{pointer}/{i}", problems) for i, v in enumerate(value)]
        if not isinstance(value, str) or "${" not in value:
            return value

        def replace(match: re.Match[str]) -> str:
            literal, name = match.groups()
            if literal:
                return "${" + name + "}"
            if name not in self.substitutions:
                problems.append(
                    Diagnostic(
                        code="SCHEMA_VALIDATION_FAILED",
                        message=f"no substitution is defined for ${{{name}}}",
                        location=pointer,
                    )
                )
                return match.group()
            return self.substitutions[name]

        return _PLACEHOLDER.sub(replace, value)

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, resource: str, parameters: Any = None, state_name: str = "") -> Target:
        """The Target of a Task state's Resource; ``parameters`` is its effective input.

        This is the hook for later features: a subclass can answer per state (mocked responses)
        or add integration patterns (callbacks) without changing ``invoke``.
        """
        # A handler registered for the exact Resource answers it directly, whatever its pattern.
        if resource not in self._handlers:
            if resource.endswith(WAIT_FOR_TASK_TOKEN):
                return Target("callback", resource, None)
            if _ACTIVITY_ARN.match(resource):
                return Target("activity", resource, None)
        for pattern in _UNSUPPORTED_PATTERNS:
            if pattern in resource and resource not in self._handlers:
                raise UnsupportedIntegration(
                    f"state {state_name!r}: Resource {resource!r} uses the {pattern} integration "
                    "pattern, which stepflow does not run yet"
                )
        if resource == LAMBDA_INVOKE:
            function = parameters.get("FunctionName") if isinstance(parameters, dict) else None
            if not isinstance(function, str):
                raise UnsupportedIntegration(
                    f"state {state_name!r}: {LAMBDA_INVOKE} needs Parameters.FunctionName (a string)"
                )
            invocation_type = parameters.get("InvocationType", "RequestResponse")
            if invocation_type != "RequestResponse":
                raise UnsupportedIntegration(
                    f"state {state_name!r}: InvocationType {invocation_type!r} is not supported; "
                    "stepflow runs RequestResponse invocations"
                )
            return self._function_target("integration", resource, function)
        is_registered_name = resource in self._handlers and _FUNCTION_NAME.match(resource)
        if _FUNCTION_ARN.match(resource) or is_registered_name:
            return self._function_target("function", resource, resource)
        if resource in self._handlers:
            return Target("integration", resource, self._handlers[resource])
        raise UnsupportedIntegration(
            f"state {state_name!r}: no handler is registered for Resource {resource!r}"
        )

    def _function_target(self, kind: Literal["function", "integration"], resource: str, function: str) -> Target:
        """Find a function given as a name, a name:qualifier, a partial or a full ARN."""
        match = _FUNCTION_ARN.match(function) or _FUNCTION_NAME.match(function)
        if match is None:
            return Target(kind, resource, None, function, function)
        parts = match.groupdict()
        name, qualifier = parts["name"], parts["qualifier"]
        region = parts.get("region") or self.region
        account = parts.get("account") or self.account
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        candidates = (function, f"{arn}:{qualifier}" if qualifier else arn, arn, name)
        handler = next((self._handlers[c] for c in candidates if c in self._handlers), None)
        return Target(kind, resource, handler, name, f"{arn}:{qualifier}" if qualifier else arn, qualifier)

    # --- invocation ------------------------------------------------------------------------------

    def invoke(
        self,
        resource: str,
        payload: Any,
        *,
        state_name: str = "",
        timeout_seconds: float | None = None,
        heartbeat_seconds: float | None = None,
        stop: StopSignal | None = None,
        clock: Clock | None = None,
    ) -> Any:
        """Run the Task's resource on ``payload`` (its effective input) and return the task result.

        Raises ASLError exactly as AWS fails the task: the handler's TaskError, the exception's
        class name with Lambda's error JSON, States.Timeout (a HeartbeatTimedOut when the
        heartbeat lapsed), or Lambda.ResourceNotFoundException; Stopped when ``stop`` is set
        before the handler returns (the handler is abandoned). ``clock`` (default: the registry's)
        dates the ``lambda:invoke`` response, so a run on virtual time gets a virtual Date header.
        """
        target = self.resolve(resource, payload, state_name)
        if target.kind in ("callback", "activity"):
            raise UnsupportedIntegration(
                f"state {state_name!r}: Resource {resource!r} waits for an answer; the engine runs it"
            )
        limits = {"timeout_seconds": timeout_seconds, "heartbeat_seconds": heartbeat_seconds, "stop": stop}
        if target.function_name is None:  # a handler registered for an exact service Resource
            context = LambdaContext(state_name or resource, resource, timeout_seconds)
            return run_handler(target.handler, payload, context, compact_cause=True, **limits)
        if target.handler is None:
            raise function_not_found(target.function_arn or target.function_name)
        version = target.qualifier if (target.qualifier or "").isdigit() else "$LATEST"
        context = LambdaContext(
            target.function_name, target.function_arn, timeout_seconds, function_version=version
        )
        if target.kind == "function":
            return run_handler(target.handler, payload, context, **limits)
        event = payload.get("Payload", {})
        result = run_handler(target.handler, event, context, compact_cause=True, **limits)
        return invoke_response(result, context.aws_request_id, version, (clock or self._clock).now())


def _escape(key: str) -> str:
    """A key as a JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
