"""Turns a parsed definition into compiled states, once: every path, template, intrinsic, JSONata
expression, Choice rule, Assign, Retry and Catch is compiled here, so the run loop parses nothing.

Each state runs in its own query language: its ``QueryLanguage`` or else the definition's (states
inside Parallel branches and Map processors default to the definition's too).

A compile problem the validator let through (it should not) still surfaces as a DefinitionError
whose diagnostics point at the state (``/States/Name/Field``), never as a crash mid-run.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Callable

from stepflow.asl import model
from stepflow.asl.choice import compile_choices
from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError
from stepflow.asl.jsonata import JsonataSyntaxError, is_expression
from stepflow.asl.intrinsics import compile_intrinsic, is_intrinsic
from stepflow.asl.paths import compile_path
from stepflow.asl.templates import compile_field_path, compile_template
from stepflow.asl.timestamps import parse_timestamp
from stepflow.engine.dataflow import Dataflow, JsonPathDataflow
from stepflow.integrations.base import Binding
from stepflow.engine.jsonata_flow import ABSENT, JsonataDataflow, JsonataField
from stepflow.engine.maprun.definition import distributed_fields, is_distributed
from stepflow.engine.retry import compile_catchers, compile_retriers
from stepflow.engine.states.base import CompiledBranch, CompiledState
from stepflow.engine.states.choice import ChoiceState
from stepflow.engine.states.fail import FailState
from stepflow.engine.states.distributed_map import DistributedMapState
from stepflow.engine.states.map_ import MapState
from stepflow.engine.states.parallel import ParallelState
from stepflow.engine.states.pass_ import NO_RESULT, PassState
from stepflow.engine.states.succeed import SucceedState
from stepflow.engine.states.task import TaskState
from stepflow.engine.states.wait import WaitState


@dataclass(eq=False)
class CompiledMachine:
    """A whole state machine, ready to run any number of times."""

    root: CompiledBranch
    timeout_seconds: int | None


@dataclass(frozen=True)
class CompileOptions:
    """What compiling needs besides the definition: ``bind`` resolves a Task's Resource to its
    integration (``integrations.table.resolve``); ``rng`` makes Retry's FULL jitter reproducible."""

    bind: Callable[[str, str], Binding]
    rng: random.Random | None = None


def compile_machine(definition: model.StateMachineDefinition, options: CompileOptions) -> CompiledMachine:
    """Compile a parsed definition."""
    problems: list[Diagnostic] = []
    root = _compile_branch(definition, "", options, problems, definition.QueryLanguage)
    if problems:
        raise DefinitionError(problems)
    return CompiledMachine(root, definition.TimeoutSeconds)


def _compile_branch(
    machine: model.Machine,
    where: str,
    options: CompileOptions,
    problems: list[Diagnostic],
    language: str,
) -> CompiledBranch:
    """Compile one machine's states; ``language`` is the definition's default QueryLanguage."""
    states: dict[str, CompiledState] = {}
    for name, state in machine.States.items():
        location = f"{where}/States/{_escape(name)}"
        try:
            states[name] = _compile_state(name, state, location, options, problems, language)
        except DefinitionError as error:
            problems.extend(error.diagnostics)
        except JsonataSyntaxError as error:
            problems.append(Diagnostic("SCHEMA_VALIDATION_FAILED", str(error), location + _field_pointer(error.field)))
        except StepflowError as error:
            problems.append(Diagnostic("SCHEMA_VALIDATION_FAILED", str(error), location))
    return CompiledBranch(machine.StartAt, states)


def _compile_state(
    name: str,
    state: Any,
    location: str,
    options: CompileOptions,
    problems: list[Diagnostic],
    language: str,
) -> CompiledState:
    kind = state.Type
    given = state.model_fields_set
    jsonata = (state.QueryLanguage or language) == "JSONata"
    raw = state.model_dump_json(exclude_unset=True)
    common: dict[str, Any] = {
        "needs_context": bool(_READS_CONTEXT.search(raw)) if jsonata else "$$" in raw,
    }
    if isinstance(state, (model.TaskState, model.ParallelState, model.MapState)):
        common["retry"] = compile_retriers(state.Retry, options.rng, f"{location}/Retry") if state.Retry else None
        if state.Catch:
            catch = compile_catchers(state.Catch, f"{location}/Catch")
            common["catch"] = catch
    flow = _jsonata_flow(state) if jsonata else _jsonpath_flow(state)
    if "catch" in common:
        common["catch_outputs"] = tuple(
            flow.compile_catcher_output(c, i) for i, c in enumerate(common["catch"].catchers)
        )
    if jsonata:
        return _compile_jsonata_state(name, state, flow, location, options, problems, common, language)
    next_state = getattr(state, "Next", None)
    args = (name, kind, flow, next_state)
    if kind == "Pass":
        return PassState(*args, result=state.Result if "Result" in given else NO_RESULT, **common)
    if kind == "Succeed":
        return SucceedState(*args, **common)
    if kind == "Fail":
        return FailState(
            *args,
            error=state.Error,
            cause=state.Cause,
            error_reader=_reader(state.ErrorPath, "ErrorPath"),
            cause_reader=_reader(state.CausePath, "CausePath"),
            **common,
        )
    if kind == "Choice":
        rules = [rule.model_dump(exclude_unset=True, exclude={"Assign"}) for rule in state.Choices]
        return ChoiceState(
            *args,
            choices=compile_choices(rules, f"{location}/Choices"),
            rule_flows=_rule_flows(flow, state.Choices),
            default=state.Default,
            **common,
        )
    if kind == "Wait":
        timestamp = parse_timestamp(state.Timestamp) if state.Timestamp is not None else None
        return WaitState(
            *args,
            seconds=state.Seconds,
            timestamp=timestamp.to_datetime() if timestamp is not None else None,
            seconds_path=compile_path(state.SecondsPath) if state.SecondsPath is not None else None,
            timestamp_path=compile_path(state.TimestampPath) if state.TimestampPath is not None else None,
            **common,
        )
    if kind == "Task":
        return TaskState(
            *args,
            binding=options.bind(state.Resource, name),
            timeout=_number_or_path(state.TimeoutSeconds, state.TimeoutSecondsPath),
            heartbeat=_number_or_path(state.HeartbeatSeconds, state.HeartbeatSecondsPath),
            **common,
        )
    if kind == "Parallel":
        branches = [
            _compile_branch(branch, f"{location}/Branches/{i}", options, problems, language)
            for i, branch in enumerate(state.Branches)
        ]
        return ParallelState(*args, branches=branches, **common)
    if kind == "Map":
        return _compile_map(args, state, location, options, problems, common, language)
    raise DefinitionError([Diagnostic("SCHEMA_VALIDATION_FAILED", f"unknown state type {kind!r}", location)])


def _jsonpath_flow(state: Any) -> JsonPathDataflow:
    given = state.model_fields_set
    return JsonPathDataflow(
        input_path=getattr(state, "InputPath", "$"),
        output_path=getattr(state, "OutputPath", "$"),
        result_path=getattr(state, "ResultPath", "$"),
        # A Map's Parameters is its legacy ItemSelector, applied per item, not to the whole input.
        parameters=getattr(state, "Parameters", None),
        has_parameters="Parameters" in given and state.Type != "Map",
        result_selector=getattr(state, "ResultSelector", None),
        has_result_selector="ResultSelector" in given,
        assign=getattr(state, "Assign", None),
    )


def _jsonata_flow(state: Any) -> JsonataDataflow:
    given = state.model_fields_set
    return JsonataDataflow(
        arguments=state.Arguments if "Arguments" in given else ABSENT,
        output=state.Output if "Output" in given else ABSENT,
        assign=getattr(state, "Assign", None),
        has_result=state.Type in ("Task", "Parallel", "Map"),
    )


# A JSONata state needs its context object unless it reads no more of $states than input/result/errorOutput.
_READS_CONTEXT = re.compile(r"\$states(?!\s*\.\s*(?:input|result|errorOutput)\b)")


def _compile_jsonata_state(
    name: str,
    state: Any,
    flow: Dataflow,
    location: str,
    options: CompileOptions,
    problems: list[Diagnostic],
    common: dict[str, Any],
    language: str,
) -> CompiledState:
    """A JSONata state: its fields that JSONPath writes as numbers or paths are read by JsonataField."""
    kind = state.Type
    args = (name, kind, flow, getattr(state, "Next", None))
    if kind == "Pass":
        return PassState(*args, **common)
    if kind == "Succeed":
        return SucceedState(*args, **common)
    if kind == "Fail":
        error, cause = state.Error, state.Cause
        return FailState(
            *args,
            error=None if is_expression(error) else error,
            cause=None if is_expression(cause) else cause,
            error_reader=JsonataField(error, "Error", "string") if is_expression(error) else None,
            cause_reader=JsonataField(cause, "Cause", "string") if is_expression(cause) else None,
            **common,
        )
    if kind == "Choice":
        return ChoiceState(
            *args,
            choices=[
                (_condition(rule.Condition, f"Choices[{i}]/Condition"), rule.Next)
                for i, rule in enumerate(state.Choices)
            ],
            rule_flows=_rule_flows(flow, state.Choices),
            default=state.Default,
            **common,
        )
    if kind == "Wait":
        return WaitState(
            *args,
            seconds=state.Seconds if isinstance(state.Seconds, int) else None,
            timestamp=_fixed_timestamp(state.Timestamp),
            seconds_path=_field(state.Seconds, "Seconds", "integer") if isinstance(state.Seconds, str) else None,
            timestamp_path=_field(state.Timestamp, "Timestamp", "string") if is_expression(state.Timestamp) else None,
            **common,
        )
    if kind == "Task":
        return TaskState(
            *args,
            binding=options.bind(state.Resource, name),
            timeout=_field(state.TimeoutSeconds, "TimeoutSeconds", "integer"),
            heartbeat=_field(state.HeartbeatSeconds, "HeartbeatSeconds", "integer"),
            **common,
        )
    if kind == "Parallel":
        branches = [
            _compile_branch(branch, f"{location}/Branches/{i}", options, problems, language)
            for i, branch in enumerate(state.Branches)
        ]
        return ParallelState(*args, branches=branches, **common)
    processor = _compile_branch(state.processor, f"{location}/ItemProcessor", options, problems, language)
    map_type, extra = _map_type(state, True, language)
    return map_type(
        *args,
        processor=processor,
        items_path=_field(state.Items, "Items", "array"),
        item_selector=_field(state.ItemSelector, "ItemSelector"),
        max_concurrency=_field(state.MaxConcurrency, "MaxConcurrency", "integer") or 0,
        tolerated_count=_field(state.ToleratedFailureCount, "ToleratedFailureCount", "integer"),
        tolerated_percentage=_field(state.ToleratedFailurePercentage, "ToleratedFailurePercentage", "number"),
        **extra,
        **common,
    )


def _field(value: Any, field: str, expected: str | None = None) -> Any:
    """A JSONata state's field: a ``{% %}`` expression (or a JSON value holding some) is read at
    run time; a plain number or string is used as it is; absent stays None."""
    if value is None or isinstance(value, (int, float)) or (isinstance(value, str) and not is_expression(value)):
        return value
    return JsonataField(value, field, expected)


def _fixed_timestamp(value: str | None) -> Any:
    if value is None or is_expression(value):
        return None
    return parse_timestamp(value).to_datetime()  # type: ignore[union-attr]  (validated)


def _condition(condition: Any, field: str) -> Callable[[Any, Any], bool]:
    """A JSONata Choice rule's Condition: a boolean, or an expression that must give one."""
    if isinstance(condition, bool):
        return lambda data, context: condition
    return JsonataField(condition, field, "boolean").find


def _rule_flows(flow: Dataflow, rules: list[Any]) -> list[Dataflow]:
    """Per Choice rule, the flow applied when it matches (with the rule's own Assign and Output)."""
    return [
        flow.for_rule(rule.Assign, rule.Output if "Output" in rule.model_fields_set else ABSENT, index)
        for index, rule in enumerate(rules)
    ]


def _compile_map(
    args: tuple,
    state: model.MapState,
    location: str,
    options: CompileOptions,
    problems: list[Diagnostic],
    common: dict[str, Any],
    language: str,
) -> CompiledState:
    field = "ItemProcessor" if state.ItemProcessor is not None else "Iterator"
    processor = _compile_branch(state.processor, f"{location}/{field}", options, problems, language)
    given = state.model_fields_set
    selector_field = "ItemSelector" if "ItemSelector" in given else "Parameters" if "Parameters" in given else None
    map_type, extra = _map_type(state, False, language)
    return map_type(
        *args,
        processor=processor,
        items_path=None if state.ItemsPath == "$" else compile_path(state.ItemsPath or "$"),
        item_selector=compile_template(getattr(state, selector_field), selector_field) if selector_field else None,
        max_concurrency=_number_or_path(state.MaxConcurrency, state.MaxConcurrencyPath) or 0,
        tolerated_count=_number_or_path(state.ToleratedFailureCount, state.ToleratedFailureCountPath),
        tolerated_percentage=_number_or_path(
            state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath
        ),
        **extra,
        **common,
    )


def _map_type(state: model.MapState, jsonata: bool, language: str) -> tuple[type[MapState], dict[str, Any]]:
    """Inline Map, or a Distributed Map with its own fields (``engine/maprun/definition.py``)."""
    if not is_distributed(state):
        return MapState, {}
    return DistributedMapState, distributed_fields(state, jsonata, language)


def _number_or_path(value: Any, path: str | None) -> Any:
    """A field given as a number or, through its ``...Path`` twin, as a path read at run time."""
    if path is not None:
        return compile_path(path)
    return value


def _reader(text: str | None, field: str) -> Callable[[Any, dict], Any] | None:
    """A Fail state's ErrorPath / CausePath: a reference path or an intrinsic function call."""
    if text is None:
        return None
    if is_intrinsic(text):
        return compile_intrinsic(text)
    return compile_field_path(text, field)


def _field_pointer(field: str) -> str:
    """A field as AWS names it (``Output/list[0]``, ``Choices[1]/Condition``) as a JSON pointer suffix."""
    return "".join("/" + _escape(part) for part in re.split(r"/|\[(\d+)\]", field) if part)


def _escape(name: str) -> str:
    """A state name as a JSON pointer segment (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")
