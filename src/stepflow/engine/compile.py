"""Turns a parsed definition into compiled states, once: every path, template, intrinsic, Choice
rule, Retry and Catch is compiled here, so the run loop parses nothing.

A compile problem the validator let through (it should not) still surfaces as a DefinitionError
whose diagnostics point at the state (``/States/Name/Field``), never as a crash mid-run.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Callable

from stepflow.asl import model
from stepflow.asl.choice import compile_choices
from stepflow.asl.errors import DefinitionError, Diagnostic, StepflowError
from stepflow.asl.intrinsics import compile_intrinsic, is_intrinsic
from stepflow.asl.paths import Path, PathNotFound, StateDataError, compile_path
from stepflow.asl.templates import compile_template
from stepflow.asl.timestamps import parse_timestamp
from stepflow.engine.dataflow import JsonPathDataflow
from stepflow.engine.retry import compile_catchers, compile_retriers
from stepflow.engine.states.base import CompiledBranch, CompiledState
from stepflow.engine.states.choice import ChoiceState
from stepflow.engine.states.fail import FailState
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


def compile_machine(definition: model.StateMachineDefinition, rng: random.Random | None = None) -> CompiledMachine:
    """Compile a parsed definition; ``rng`` makes Retry's FULL jitter reproducible."""
    problems: list[Diagnostic] = []
    root = _compile_branch(definition, "", rng, problems, definition.QueryLanguage)
    if problems:
        raise DefinitionError(problems)
    return CompiledMachine(root, definition.TimeoutSeconds)


def _compile_branch(
    machine: model.Machine,
    where: str,
    rng: random.Random | None,
    problems: list[Diagnostic],
    language: str,
) -> CompiledBranch:
    """Compile one machine's states; ``language`` is the definition's default QueryLanguage."""
    states: dict[str, CompiledState] = {}
    for name, state in machine.States.items():
        location = f"{where}/States/{_escape(name)}"
        try:
            states[name] = _compile_state(name, state, location, rng, problems, language)
        except DefinitionError as error:
            problems.extend(error.diagnostics)
        except StepflowError as error:
            problems.append(Diagnostic("SCHEMA_VALIDATION_FAILED", str(error), location))
    return CompiledBranch(machine.StartAt, states)


# Fields of later issues (JSONata, variables, Distributed Map): refused clearly rather than ignored,
# since ignoring them would give results AWS would not.
_NOT_YET = {
    "Assign": "Assign (workflow variables)",
    "Arguments": "Arguments (JSONata)",
    "Output": "Output (JSONata)",
    "ItemReader": "ItemReader (Distributed Map)",
    "ResultWriter": "ResultWriter (Distributed Map)",
    "ItemBatcher": "ItemBatcher (Distributed Map)",
}
UNSUPPORTED = "UNSUPPORTED_FEATURE"


def _unsupported(state: Any, location: str, query_language: str) -> list[Diagnostic]:
    """Diagnostics for what this engine does not run yet, each naming its place."""
    found = [
        Diagnostic(UNSUPPORTED, f"{label} is not supported by stepflow yet", f"{location}/{field}")
        for field, label in _NOT_YET.items()
        if field in state.model_fields_set
    ]
    if (state.QueryLanguage or query_language) == "JSONata":
        found.append(
            Diagnostic(UNSUPPORTED, "the JSONata query language is not supported by stepflow yet", location)
        )
    processor = getattr(state, "ItemProcessor", None)
    if processor is not None and processor.ProcessorConfig.Mode == "DISTRIBUTED":
        found.append(
            Diagnostic(
                UNSUPPORTED,
                "Distributed Map is not supported by stepflow yet",
                f"{location}/ItemProcessor/ProcessorConfig/Mode",
            )
        )
    return found


def _compile_state(
    name: str,
    state: Any,
    location: str,
    rng: random.Random | None,
    problems: list[Diagnostic],
    language: str,
) -> CompiledState:
    kind = state.Type
    given = state.model_fields_set
    unsupported = _unsupported(state, location, language)
    if unsupported:
        raise DefinitionError(unsupported)
    common: dict[str, Any] = {
        "needs_context": "$$" in state.model_dump_json(exclude_unset=True),
    }
    if isinstance(state, (model.TaskState, model.ParallelState, model.MapState)):
        common["retry"] = compile_retriers(state.Retry, rng, f"{location}/Retry") if state.Retry else None
        if state.Catch:
            catch = compile_catchers(state.Catch, f"{location}/Catch")
            common["catch"] = catch
    flow = JsonPathDataflow(
        input_path=getattr(state, "InputPath", "$"),
        output_path=getattr(state, "OutputPath", "$"),
        result_path=getattr(state, "ResultPath", "$"),
        # A Map's Parameters is its legacy ItemSelector, applied per item, not to the whole input.
        parameters=getattr(state, "Parameters", None),
        has_parameters="Parameters" in given and kind != "Map",
        result_selector=getattr(state, "ResultSelector", None),
        has_result_selector="ResultSelector" in given,
    )
    if "catch" in common:
        common["catch_outputs"] = tuple(flow.compile_catcher_output(c) for c in common["catch"].catchers)
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
            error_reader=_reader(state.ErrorPath),
            cause_reader=_reader(state.CausePath),
            **common,
        )
    if kind == "Choice":
        rules = [rule.model_dump(exclude_unset=True) for rule in state.Choices]
        return ChoiceState(
            *args, choices=compile_choices(rules, f"{location}/Choices"), default=state.Default, **common
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
            resource=state.Resource,
            timeout=_number_or_path(state.TimeoutSeconds, state.TimeoutSecondsPath),
            heartbeat=_number_or_path(state.HeartbeatSeconds, state.HeartbeatSecondsPath),
            **common,
        )
    if kind == "Parallel":
        branches = [
            _compile_branch(branch, f"{location}/Branches/{i}", rng, problems, language)
            for i, branch in enumerate(state.Branches)
        ]
        return ParallelState(*args, branches=branches, **common)
    if kind == "Map":
        return _compile_map(args, state, location, rng, problems, common, language)
    raise DefinitionError([Diagnostic("SCHEMA_VALIDATION_FAILED", f"unknown state type {kind!r}", location)])


def _compile_map(
    args: tuple,
    state: model.MapState,
    location: str,
    rng: random.Random | None,
    problems: list[Diagnostic],
    common: dict[str, Any],
    language: str,
) -> CompiledState:
    field = "ItemProcessor" if state.ItemProcessor is not None else "Iterator"
    processor = _compile_branch(state.processor, f"{location}/{field}", rng, problems, language)
    given = state.model_fields_set
    selector_field = "ItemSelector" if "ItemSelector" in given else "Parameters" if "Parameters" in given else None
    return MapState(
        *args,
        processor=processor,
        items_path=None if state.ItemsPath == "$" else compile_path(state.ItemsPath or "$"),
        item_selector=compile_template(getattr(state, selector_field), selector_field) if selector_field else None,
        max_concurrency=_number_or_path(state.MaxConcurrency, state.MaxConcurrencyPath) or 0,
        tolerated_count=_number_or_path(state.ToleratedFailureCount, state.ToleratedFailureCountPath),
        tolerated_percentage=_number_or_path(
            state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath
        ),
        **common,
    )


def _number_or_path(value: Any, path: str | None) -> Any:
    """A field given as a number or, through its ``...Path`` twin, as a path read at run time."""
    if path is not None:
        return compile_path(path)
    return value


def _reader(text: str | None) -> Callable[[Any, dict], Any] | None:
    """A Fail state's ErrorPath / CausePath: a reference path or an intrinsic function call."""
    if text is None:
        return None
    if is_intrinsic(text):
        return compile_intrinsic(text)
    path: Path = compile_path(text)

    def read(data: Any, context: dict) -> Any:
        try:
            return path.find(data, context)
        except PathNotFound as missing:
            raise StateDataError(str(missing)) from None

    return read


def _escape(name: str) -> str:
    """A state name as a JSON pointer segment (RFC 6901)."""
    return name.replace("~", "~0").replace("/", "~1")
