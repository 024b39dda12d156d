"""Single-state tests with the semantics of AWS's TestState API.

``test_state`` runs one state once, through the engine's own ``run_state`` (so the data flow,
Retry/Catch matching and errors are those of a real run), and answers exactly as TestState does
(API reference "TestState"; responses recorded from AWS):

- ``status``: SUCCEEDED, FAILED, CAUGHT_ERROR (a catcher handled the error: ``nextState`` is its
  Next, ``output`` its output) or RETRIABLE (a retrier would retry: nothing is retried, and
  ``inspectionData.errorDetails`` gives ``retryIndex`` and ``retryBackoffIntervalSeconds``; pass
  ``stateConfiguration={"retrierRetryCount": n}`` to ask about the n-th retry).
- ``output``, every ``inspectionData`` stage and ``variables`` are JSON *strings*, as the API returns
  them; ``inspectionData.input`` is the input text exactly as given.
- INFO leaves out ``inspectionData``; DEBUG and TRACE include it (TRACE adds an HTTP Task's request
  and response on AWS; stepflow runs no HTTP tasks, so TRACE equals DEBUG).
- ``mock`` (``{"result": "<json>"}`` or ``{"errorOutput": {"error", "cause"}}``) replaces the work
  of a Task, Map or Parallel state; a Map, Parallel, activity, ``.sync`` or ``.waitForTaskToken``
  state can only be tested with one, and ``context`` only together with one.
- A lone state definition is named ``StateName``, as AWS names it in ``$$.State.Name``.
"""
from __future__ import annotations

import copy
import json
import random
import re
from typing import Any, Callable, Mapping

from stepflow.api.errors import InvalidDefinition, InvalidExecutionInput, ValidationException
from stepflow.asl.errors import RUNTIME, ASLError, DefinitionError
from stepflow.asl.paths import to_json
from stepflow.engine.execution import single_state_lane
from stepflow.runtime.arns import DEFAULT_ACCOUNT, DEFAULT_REGION
from stepflow.engine.retry import error_matches
from stepflow.engine.states.base import CompiledState, Lane, run_state
from stepflow.engine.trace import StepRecord
from stepflow.machine import StateMachine

LONE_STATE_NAME = "StateName"
INSPECTION_LEVELS = ("INFO", "DEBUG", "TRACE")
_MOCKABLE = ("Task", "Map", "Parallel")
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")
_ACTIVITY = re.compile(r"^arn:[\w-]+:states:[\w-]+:\d{12}:activity:")
_JITTER = random.Random()  # draws a FULL-jitter retrier's backoff

# Which data-flow stages TestState reports for each state type (recorded AWS responses): a Pass
# with Result skips the input stages, and the flow-control states stop after InputPath.
_STAGES: dict[str, tuple[str, ...]] = {
    "Task": ("afterInputPath", "afterParameters", "result", "afterResultSelector", "afterResultPath"),
    "Pass": ("afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath"),
    "PassWithResult": ("result", "afterResultSelector", "afterResultPath"),
    "Map": ("afterInputPath", "afterResultSelector", "afterResultPath"),
    "Parallel": ("afterResultSelector", "afterResultPath"),
    "Choice": ("afterInputPath",),
    "Wait": ("afterInputPath",),
    "Succeed": ("afterInputPath",),
    "Fail": ("afterInputPath",),
}
_RECORD_FIELDS = {
    "afterInputPath": "after_input_path",
    "afterParameters": "after_parameters",
    "result": "result",
    "afterResultSelector": "after_result_selector",
    "afterResultPath": "after_result_path",
}


def test_state(
    definition: str | Mapping[str, Any],
    input: str | Any = None,
    *,
    state_name: str | None = None,
    inspection_level: str = "INFO",
    mock: Mapping[str, Any] | None = None,
    variables: str | Mapping[str, Any] | None = None,
    context: str | Mapping[str, Any] | None = None,
    state_configuration: Mapping[str, Any] | None = None,
    resources: Mapping[str, Any] | None = None,
    substitutions: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Run one state as TestState does and return TestState's response.

    ``definition`` is one state, or (with ``state_name``) a whole state machine; ``input`` is JSON
    text (or a Python value). Without a mock, Task states call ``resources`` (``{arn: handler}``).
    Raises InvalidDefinition, InvalidExecutionInput or ValidationException as the API does.
    """
    if inspection_level not in INSPECTION_LEVELS:
        raise ValidationException(f"inspectionLevel must be one of {', '.join(INSPECTION_LEVELS)}", "TestState")
    input_text, state_input = _json_argument(input, "{}", "input", InvalidExecutionInput)
    scope, name = _scope(_definition(definition), state_name)
    raw_state = scope["States"][name]
    state_type = raw_state.get("Type")
    _check_mock(raw_state, name, mock, context)
    configuration = dict(state_configuration or {})
    unsupported = sorted(set(configuration) - {"retrierRetryCount"})
    if unsupported:  # errorCausedByState, mapIterationFailureCount, mapItemReaderData
        raise ValidationException(
            f"stepflow does not support stateConfiguration {', '.join(unsupported)} yet", "TestState"
        )
    retry_count = configuration.get("retrierRetryCount", 0)
    if not isinstance(retry_count, int) or isinstance(retry_count, bool) or retry_count < 0:
        raise ValidationException("stateConfiguration.retrierRetryCount must be a non-negative integer", "TestState")
    placeholders = placeholder_arns(scope)
    try:
        machine = StateMachine(
            scope, resources=dict(resources or {}), substitutions={**placeholders, **(substitutions or {})},
            name="TestState",
        )
    except DefinitionError as invalid:
        raise InvalidDefinition(str(invalid), "TestState") from None
    state = machine.compiled.root.states[name]
    lane = _lane(machine, state_input, context, variables)
    run = lane.run
    try:
        record = run_state(_under_test(state, mock, retry_count), state_input, lane)
        raised = None
    except ASLError as error:
        record, raised = run.steps[-1], error
    text = _texts(state_input, input_text)
    response, error_details = _response(record, raised, state, retry_count, text)
    if inspection_level != "INFO":
        jsonata = raw_state.get("QueryLanguage", scope.get("QueryLanguage")) == "JSONata"
        inspection = _inspection(record, state_type, raw_state, jsonata, text, lane, variables)
        if error_details:
            inspection["errorDetails"] = error_details
        response["inspectionData"] = inspection
    return response


test_state.__test__ = False  # type: ignore[attr-defined]  # pytest must not collect it when imported


def _definition(definition: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(definition, Mapping):
        return dict(definition)
    try:
        parsed = json.loads(definition)
    except json.JSONDecodeError as error:
        raise InvalidDefinition(f"Invalid State Machine Definition: '{error}'", "TestState") from None
    if not isinstance(parsed, dict):
        raise InvalidDefinition("Invalid State Machine Definition: not a JSON object", "TestState")
    return parsed


def _json_argument(value: Any, default: str, field: str, error: type[Exception]) -> tuple[str, Any]:
    """(the text as given, its value): a str is JSON text as the API takes it; other values are JSON values."""
    if value is None:
        return default, json.loads(default)
    if not isinstance(value, str):
        return to_json(value), value
    try:
        return value, json.loads(value)
    except json.JSONDecodeError as problem:
        raise error(f"Invalid {field}: {problem}", "TestState") from None


def _scope(definition: dict[str, Any], state_name: str | None) -> tuple[dict[str, Any], str]:
    """The StartAt/States object to compile, and the name of the state under test in it."""
    if state_name is None:
        if "States" in definition:
            raise ValidationException("stateName is required when the definition is a state machine", "TestState")
        states: dict[str, Any] = {LONE_STATE_NAME: definition}
        # The lone state's transitions lead to stand-ins, so its Next and catchers still resolve.
        for target in _transitions(definition):
            states.setdefault(target, {"Type": "Succeed"})
        scope = {"StartAt": LONE_STATE_NAME, "States": states}
        if "QueryLanguage" in definition:
            scope["QueryLanguage"] = definition["QueryLanguage"]
        return scope, LONE_STATE_NAME
    scope = find_state_scope(definition, state_name)
    if scope is None:
        raise ValidationException(f"The state machine definition has no state named '{state_name}'", "TestState")
    return scope, state_name


def placeholder_arns(scope: Mapping[str, Any]) -> dict[str, str]:
    """A stand-in Lambda ARN for each ``${Name}`` in ``scope``: a state compiled on its own still
    needs an ARN there for its definition to compile (given substitutions take precedence)."""
    names = _PLACEHOLDER.findall(json.dumps(scope))
    return {n: f"arn:aws:lambda:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:function:{n}" for n in names}


def _transitions(state: Mapping[str, Any]) -> list[str]:
    targets = [state.get("Next"), state.get("Default")]
    targets += [rule.get("Next") for rule in state.get("Choices", []) if isinstance(rule, Mapping)]
    targets += [catcher.get("Next") for catcher in state.get("Catch", []) if isinstance(catcher, Mapping)]
    return [t for t in targets if isinstance(t, str) and t != LONE_STATE_NAME]


def find_state_scope(definition: Mapping[str, Any], state_name: str) -> dict[str, Any] | None:
    """The StartAt/States object that holds ``state_name``, searched through Parallel branches and
    Map processors; it keeps the definition's QueryLanguage so the state compiles as it would in place."""
    states = definition.get("States")
    if not isinstance(states, Mapping):
        return None
    if state_name in states:
        found = {"StartAt": definition.get("StartAt"), "States": dict(states)}
        if "QueryLanguage" in definition:
            found["QueryLanguage"] = definition["QueryLanguage"]
        return found
    for state in states.values():
        if not isinstance(state, Mapping):
            continue
        nested = [*state.get("Branches", []), *(state[k] for k in ("ItemProcessor", "Iterator") if k in state)]
        for inner in nested:
            if isinstance(inner, Mapping):
                inherited = {"QueryLanguage": definition["QueryLanguage"]} if "QueryLanguage" in definition else {}
                found = find_state_scope({**inherited, **inner}, state_name)
                if found is not None:
                    return found
    return None


def _check_mock(state: Mapping[str, Any], name: str, mock: Mapping[str, Any] | None, context: Any) -> None:
    state_type = state.get("Type")
    if mock is not None:
        if state_type not in _MOCKABLE:
            raise ValidationException(
                f"A mock can only be specified for Task, Map, or Parallel states; '{name}' is a {state_type} state",
                "TestState",
            )
        if ("result" in mock) == ("errorOutput" in mock):
            raise ValidationException("A mock must specify exactly one of result and errorOutput", "TestState")
        return
    if context is not None:
        raise ValidationException("context may only be specified together with a mock", "TestState")
    resource = state.get("Resource", "") if state_type == "Task" else ""
    needs_mock = (
        state_type in ("Map", "Parallel")
        or bool(_ACTIVITY.match(resource))
        or resource.endswith(".waitForTaskToken")
        or ".sync" in resource
    )
    if needs_mock:
        raise ValidationException(
            f"TestState supports '{name}' (activity, .sync, .waitForTaskToken, Parallel or Map) only with a mock",
            "TestState",
        )


def _under_test(state: CompiledState, mock: Mapping[str, Any] | None, retry_count: int) -> CompiledState:
    """The state as TestState runs it: one attempt; an error a retrier would retry is left uncaught
    (it is RETRIABLE); with a mock, the mock is the state's work."""
    tested = copy.copy(state)
    tested.retry = None
    if state.catch is not None:
        tested.catch = _CatchUnlessRetriable(state, retry_count)
    if mock is not None:
        tested.work = _mocked_work(mock)  # type: ignore[method-assign]
    return tested


def _mocked_work(mock: Mapping[str, Any]) -> Any:
    if "errorOutput" in mock:
        failure = mock["errorOutput"] or {}
        error = ASLError(str(failure.get("error", "")), failure.get("cause"))

        def fail(*_: Any) -> Any:
            raise ASLError(error.error, error.cause)

        return fail
    _, result = _json_argument(mock["result"], "null", "mock result", ValidationException)
    return lambda *_: copy.deepcopy(result)


class _CatchUnlessRetriable:
    """The state's catchers, except that an error its retriers would retry is not caught."""

    def __init__(self, state: CompiledState, retry_count: int) -> None:
        self.state, self.retry_count = state, retry_count
        self.catchers = state.catch.catchers  # type: ignore[union-attr]

    def find(self, error: str | ASLError) -> Any:
        if _retrier(self.state, error, self.retry_count)[1] is not None:
            return None
        return self.state.catch.find(error)  # type: ignore[union-attr]


def _retrier(state: CompiledState, error: str | ASLError, retry_count: int) -> tuple[int | None, float | None]:
    """(index of the retrier that decides, its backoff before retry ``retry_count + 1`` or None
    when its attempts are used up); (None, None) when no retrier matches."""
    name = error.error if isinstance(error, ASLError) else error
    if state.retry is None or name == RUNTIME:
        return None, None
    for index, retrier in enumerate(state.retry.retriers):
        if error_matches(retrier.ErrorEquals, error):
            if retry_count >= retrier.MaxAttempts:
                return index, None
            return index, retrier.delay(retry_count, _JITTER)
    return None, None


def _lane(machine: Any, state_input: Any, context: Any, variables: Any) -> Lane:
    """The lane the state runs in: the context object with ``context``'s fields, ``variables`` set."""
    _, given_context = _json_argument(context, "{}", "context", ValidationException)
    if not isinstance(given_context, dict):
        raise ValidationException("context must be a JSON object", "TestState")
    execution_id = machine.arn.replace(":stateMachine:", ":express:") + ":TestState"
    lane = single_state_lane(machine, state_input, execution_id=execution_id, name="TestState", context=given_context)
    if variables is not None:
        _, values = _json_argument(variables, "{}", "variables", ValidationException)
        if not isinstance(values, dict):
            raise ValidationException("variables must be a JSON object", "TestState")
        lane.variables.assign(values, LONE_STATE_NAME)
    return lane


def _response(
    record: StepRecord, raised: ASLError | None, state: CompiledState, retry_count: int, text: Callable[[Any], str]
) -> tuple[dict[str, Any], dict[str, int]]:
    """TestState's status, output, error, cause and nextState, and the inspection's errorDetails."""
    response: dict[str, Any] = {}
    details: dict[str, int] = {}
    error = raised.error if raised is not None else record.error
    if error is not None:
        response.update(_error_fields(error, raised.cause if raised is not None else record.cause))
        index, backoff = _retrier(state, raised or error, retry_count)
        if index is not None:
            details["retryIndex"] = index
        if backoff is not None:
            details["retryBackoffIntervalSeconds"] = int(backoff)
    if raised is not None:
        response["status"] = "RETRIABLE" if "retryBackoffIntervalSeconds" in details else "FAILED"
        return response, details
    if record.status == "CAUGHT":
        details["catchIndex"] = state.catch.catchers.index(state.catch.find(error))  # type: ignore[union-attr]
    response["output"] = text(record.output)
    if record.next is not None:
        response["nextState"] = record.next
    response["status"] = "CAUGHT_ERROR" if record.status == "CAUGHT" else "SUCCEEDED"
    return response, details


def _error_fields(error: str | None, cause: str | None) -> dict[str, str]:
    return {k: v for k, v in (("error", error), ("cause", cause)) if v is not None}


def _inspection(
    record: StepRecord,
    state_type: str,
    raw_state: Mapping[str, Any],
    jsonata: bool,
    text: Callable[[Any], str],
    lane: Lane,
    variables: Any,
) -> dict[str, Any]:
    kind = "PassWithResult" if state_type == "Pass" and "Result" in raw_state else state_type
    data: dict[str, Any] = {"input": text(record.input)}
    for field in _STAGES.get(kind, ()):
        stage = _RECORD_FIELDS[field]
        if state_type == "Fail":  # a Fail state has no InputPath: AWS shows its input unchanged
            value = record.input
        elif record.stage_reached(stage):  # a stage may have produced JSON null
            value = getattr(record, stage)
        else:
            continue
        if jsonata and field == "afterParameters" and state_type == "Task":
            field = "afterArguments"
        elif jsonata and field != "result":  # JSONata states have no JSONPath stages
            continue
        data[field] = text(value)
    if state_type == "Map":
        data.update(_map_settings(raw_state))
    if variables is not None or record.assigned:
        data["variables"] = to_json(dict(lane.variables.visible))
    return data


def _map_settings(state: Mapping[str, Any]) -> dict[str, Any]:
    """A Map state's concurrency and failure tolerance as TestState reports them (given as numbers;
    MaxConcurrency is always there, 0 meaning unbounded)."""
    settings: dict[str, Any] = {}
    concurrency = state.get("MaxConcurrency", 0)
    settings["maxConcurrency"] = concurrency if isinstance(concurrency, int) else 0
    count, percentage = state.get("ToleratedFailureCount"), state.get("ToleratedFailurePercentage")
    if isinstance(count, int):
        settings["toleratedFailureCount"] = count
    if isinstance(percentage, (int, float)) and not isinstance(percentage, bool):
        settings["toleratedFailurePercentage"] = float(percentage)
    return settings


def _texts(state_input: Any, input_text: str) -> Callable[[Any], str]:
    """How TestState writes a value: the input text exactly as given while the value is still the
    untouched input (the guide's Choice example echoes ``{"number": 2}``), compact JSON otherwise."""
    return lambda value: input_text if value is state_input else to_json(value)
