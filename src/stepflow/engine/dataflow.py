"""A state's data flow as a strategy object: how its input becomes its effective input, and how its
result becomes its output and the variables it assigns.

``JsonPathDataflow`` is the JSONPath query language's pipeline, in AWS's order:
InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath.
``JsonataDataflow`` is JSONata's: Arguments -> (the state's work) -> Output, every field a JSON value
whose ``{% %}`` strings see ``$states`` (input, result, errorOutput, context) and the variables.
Both compute ``Assign`` from the variables as the state found them, leaving the values on
``record.assigned`` for the run loop to set once the state has succeeded. Every path, template and
expression is compiled once, when the machine is compiled; ``compile.py`` picks the strategy per
state and the run loop never knows which one it holds.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Protocol

from stepflow.asl.errors import DATA_LIMIT_EXCEEDED, ASLError
from stepflow.asl.jsonata import compile_expression, compile_value, is_expression
from stepflow.asl.paths import compile_input_path, compile_output_path, compile_result_path
from stepflow.asl.templates import compile_template
from stepflow.engine.retry import Catcher
from stepflow.engine.trace import StepRecord
from stepflow.engine.variables import Assignment, compile_assign, visible_variables

# "Maximum input or output size for a task, state, or execution": 256 KiB of UTF-8 JSON.
PAYLOAD_LIMIT_BYTES = 256 * 1024

# ``(state_input, error_output, context, record) -> output`` for a state whose error a catcher handled.
CatcherOutput = Callable[[Any, dict, dict, StepRecord], Any]


class Reader(Protocol):
    """A field read at run time from a state's data: a compiled path, or a JsonataField."""

    def find(self, data: Any, context: Any) -> Any: ...


class Dataflow(Protocol):
    """What the run loop asks of a state's query language."""

    query_language: str  # "JSONPath" or "JSONata", as the StepRecord reports it

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        """The value the state works on, recording each stage on ``record``."""
        ...

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        """The state's output from its raw input and its work's result, recording each stage and
        the variables to assign (``record.assigned``, None without Assign)."""
        ...

    def compile_catcher_output(self, catcher: Catcher, index: int) -> CatcherOutput:
        """The output (and ``record.assigned``) of a state whose error ``catcher`` (``Catch[index]``) handled."""
        ...

    def for_rule(self, assign: dict[str, Any] | None, output: Any, index: int) -> Dataflow:
        """The flow when Choice rule ``index`` matches: the state's Assign plus the rule's own, and
        the rule's Output (JSONata) in place of the state's when it has one."""
        ...


class JsonPathDataflow:
    """InputPath / Parameters / ResultSelector / ResultPath / OutputPath, compiled once.

    A field a state type does not allow is simply absent here (``None`` = identity); the model
    and validator have already refused it in the definition.
    """

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path", "assign")
    query_language = "JSONPath"

    def __init__(
        self,
        *,
        input_path: Any = "$",
        parameters: Any = None,
        result_selector: Any = None,
        result_path: Any = "$",
        output_path: Any = "$",
        has_parameters: bool = False,
        has_result_selector: bool = False,
        assign: dict[str, Any] | None = None,
    ) -> None:
        # "$" is the identity for InputPath/OutputPath/ResultPath: skip it instead of evaluating it.
        self.input_path = None if input_path == "$" else compile_input_path(input_path)
        self.parameters = compile_template(parameters, "Parameters") if has_parameters else None
        self.result_selector = (
            compile_template(result_selector, "ResultSelector") if has_result_selector else None
        )
        self.result_path = None if result_path == "$" else compile_result_path(result_path)
        self.output_path = None if output_path == "$" else compile_output_path(output_path)
        self.assign = _assignment(assign, "JSONPath")

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        data = state_input if self.input_path is None else self.input_path.apply(state_input, context)
        record.after_input_path = data
        if self.parameters is not None:
            data = self.parameters.render(data, context)
        record.after_parameters = data
        return data

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        record.result = result
        if self.result_selector is not None:
            result = self.result_selector.render(result, context)
        record.after_result_selector = result
        # JSONPath Assign reads "$" as the result after ResultSelector (the effective input for
        # states without a result), with the variables as the state found them.
        record.assigned = None if self.assign is None else self.assign(result, {}, context)
        data = result if self.result_path is None else self.result_path.apply(state_input, result)
        record.after_result_path = data
        if self.output_path is not None:
            data = self.output_path.apply(data, context)
        return data

    def compile_catcher_output(self, catcher: Catcher, index: int) -> CatcherOutput:
        # A catcher's ResultPath is applied to the state's raw input; OutputPath is not applied.
        # Its Assign reads "$" as the error output.
        result_path = None if catcher.ResultPath == "$" else compile_result_path(catcher.ResultPath)
        assign = _assignment(catcher.Assign, "JSONPath")

        def output(state_input: Any, error_output: dict, context: dict, record: StepRecord) -> Any:
            record.assigned = None if assign is None else assign(error_output, {}, context)
            return error_output if result_path is None else result_path.apply(state_input, error_output)

        return output

    def for_rule(self, assign: dict[str, Any] | None, output: Any, index: int) -> JsonPathDataflow:
        rule_flow = _copy(self)
        rule_flow.assign = _both(self.assign, _assignment(assign, "JSONPath", f"Choices[{index}]/Assign"))
        return rule_flow


def _not_json(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json.dumps builds a new encoder per call, which costs more than encoding a small state output;
# one C encoder, built once, does the same work (same separators, no ASCII escaping) 4-5x faster.
_C_ENCODER = (
    json.encoder.c_make_encoder(
        None, _not_json, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if json.encoder.c_make_encoder is not None
    else None
)


def compact_json(value: Any) -> str:
    """``value`` as compact JSON text, as AWS writes payloads into the history."""
    if _C_ENCODER is None:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return "".join(_C_ENCODER(value, 0))


ABSENT = object()  # a JSONata field not given (null is a valid Output)


class JsonataDataflow:
    """Arguments / Output / Assign, compiled once; ``$states.result`` only for states with a
    result (Task, Parallel, Map). Absent fields are the identity: the effective input is the
    input, the output is the result (the input for states without one)."""

    __slots__ = ("arguments", "output", "assign", "has_result")
    query_language = "JSONata"

    def __init__(
        self,
        *,
        arguments: Any = ABSENT,
        output: Any = ABSENT,
        assign: dict[str, Any] | None = None,
        has_result: bool = False,
        prefix: str = "",
    ) -> None:
        self.arguments = None if arguments is ABSENT else compile_value(arguments, f"{prefix}Arguments")
        self.output = None if output is ABSENT else compile_value(output, f"{prefix}Output")
        self.assign = _assignment(assign, "JSONata", f"{prefix}Assign")
        self.has_result = has_result

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        record.after_input_path = state_input
        data = state_input
        if self.arguments is not None:
            data = self.arguments({"input": state_input, "context": context}, visible_variables())
        record.after_parameters = data
        return data

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        record.result = record.after_result_selector = result
        states = {"input": state_input, "context": context}
        if self.has_result:
            states["result"] = result
        output = result if self.output is None else self.output(states, visible_variables())
        record.after_result_path = output
        record.assigned = None if self.assign is None else self.assign(None, states, context)
        return output

    def compile_catcher_output(self, catcher: Catcher, index: int) -> CatcherOutput:
        # AWS: a Catch's Output and Assign see $states.errorOutput; without Output the state's
        # output is the error output.
        prefix = f"Catch[{index}]/"
        output = None if catcher.Output is None else compile_value(catcher.Output, f"{prefix}Output")
        assign = _assignment(catcher.Assign, "JSONata", f"{prefix}Assign")

        def caught(state_input: Any, error_output: dict, context: dict, record: StepRecord) -> Any:
            states = {"input": state_input, "errorOutput": error_output, "context": context}
            value = error_output if output is None else output(states, visible_variables())
            record.assigned = None if assign is None else assign(None, states, context)
            return value

        return caught

    def for_rule(self, assign: dict[str, Any] | None, output: Any, index: int) -> JsonataDataflow:
        rule_flow = _copy(self)
        prefix = f"Choices[{index}]/"
        rule_flow.assign = _both(self.assign, _assignment(assign, "JSONata", f"{prefix}Assign"))
        if output is not ABSENT:
            rule_flow.output = compile_value(output, f"{prefix}Output")
        return rule_flow


# JSON types as AWS names them in "returned an unexpected result type" causes.
_EXPECTED: dict[str, Callable[[Any], bool]] = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool)
    or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
}


class JsonataField:
    """One JSONata state field read at run time (Seconds, Timestamp, TimeoutSeconds, Items,
    ItemSelector, MaxConcurrency, ToleratedFailure*, Condition, Error, Cause), with
    ``$states.input`` the data it is read from. It reads like a path (``find(data, context)``), so
    the state types use it wherever their JSONPath twin takes a path; a value of the wrong type
    fails with AWS's "returned an unexpected result type" cause."""

    __slots__ = ("evaluate", "expression", "expected")

    def __init__(self, value: Any, field: str, expected: str | None = None) -> None:
        self.expression = compile_expression(value, field) if is_expression(value) else None
        self.evaluate = self.expression.evaluate if self.expression is not None else compile_value(value, field)
        self.expected = expected

    def find(self, data: Any, context: Any) -> Any:
        value = self.evaluate({"input": data, "context": context}, visible_variables())
        if self.expected is not None and self.expression is not None and not _EXPECTED[self.expected](value):
            raise self.expression.failure(
                f"returned an unexpected result type. Expected '{self.expected}', but was "
                f"'{_json_type(value)}' for value: {json.dumps(value, ensure_ascii=False)}"
            )
        if self.expected == "integer" and isinstance(value, float):
            return int(value)
        return value

    __call__ = find  # a Fail state's Error / Cause reader
    render = find  # a Map state's ItemSelector, rendered per item


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    for name, kind in (("boolean", bool), ("number", (int, float)), ("string", str), ("array", list)):
        if isinstance(value, kind):
            return name
    return "object"


def _assignment(assign: dict[str, Any] | None, language: str, field: str = "Assign") -> Assignment | None:
    return None if assign is None else compile_assign(assign, language, field)


def _both(state: Assignment | None, rule: Assignment | None) -> Assignment | None:
    """A Choice state's Assign applies whichever rule matches; the rule's own Assign is added to
    it, winning where both set a variable (developer guide, "Choice Rules (JSONata)")."""
    if state is None or rule is None:
        return state or rule
    return lambda data, states, context: {**state(data, states, context), **rule(data, states, context)}


def _copy(flow: Any) -> Any:
    """A shallow copy of a slotted flow, to vary one Choice rule's fields."""
    copy = type(flow).__new__(type(flow))
    for name in type(flow).__slots__:
        setattr(copy, name, getattr(flow, name))
    return copy


def payload_json(value: Any, state_name: str) -> str:
    """``value`` as the compact JSON text the history records, or States.DataLimitExceeded when
    it is over AWS's 256 KiB payload quota (measured in UTF-8 bytes)."""
    text = compact_json(value)
    # A character is at most 4 UTF-8 bytes, so most values need no encoding to be measured.
    if len(text) * 4 > PAYLOAD_LIMIT_BYTES and len(text.encode("utf-8")) > PAYLOAD_LIMIT_BYTES:
        raise ASLError(
            DATA_LIMIT_EXCEEDED,
            f"The state/task '{state_name}' returned a result with a size exceeding "
            "the maximum number of bytes service limit.",
        )
    return text
