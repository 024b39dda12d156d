"""A state's data flow as a strategy object: how its input becomes its effective input, and how its
result becomes its output and the variables it assigns.

``JsonPathDataflow`` is the JSONPath query language's pipeline, in AWS's order:
InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath.
``JsonataDataflow`` (``jsonata_flow.py``) is JSONata's: Arguments -> (the state's work) -> Output.
Both compute ``Assign`` from the variables as the state found them, leaving the values on
``record.assigned`` for the run loop to set once the state has succeeded. Every path, template and
expression is compiled once, when the machine is compiled; ``compile.py`` picks the strategy per
state and the run loop never knows which one it holds.
"""
from __future__ import annotations

from typing import Any, Callable, Protocol

from stepflow.asl.errors import DATA_LIMIT_EXCEEDED, ASLError
from stepflow.asl.paths import compile_input_path, compile_output_path, compile_result_path, to_json
from stepflow.asl.templates import compile_template
from stepflow.engine.retry import Catcher
from stepflow.engine.trace import StepRecord
from stepflow.engine.variables import Assignment, compile_assign

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
        self.assign = assignment(assign, "JSONPath")

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        data = state_input if self.input_path is None else self.input_path.apply(state_input, context)
        record.reach("after_input_path", data)
        if self.parameters is not None:
            data = self.parameters.render(data, context)
        record.reach("after_parameters", data)
        return data

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        record.reach("result", result)
        if self.result_selector is not None:
            result = self.result_selector.render(result, context)
        record.reach("after_result_selector", result)
        # JSONPath Assign reads "$" as the result after ResultSelector (the effective input for
        # states without a result), with the variables as the state found them.
        record.assigned = None if self.assign is None else self.assign(result, {}, context)
        data = result if self.result_path is None else self.result_path.apply(state_input, result)
        record.reach("after_result_path", data)
        if self.output_path is not None:
            data = self.output_path.apply(data, context)
        return data

    def compile_catcher_output(self, catcher: Catcher, index: int) -> CatcherOutput:
        # A catcher's ResultPath is applied to the state's raw input; OutputPath is not applied.
        # Its Assign reads "$" as the error output.
        result_path = None if catcher.ResultPath == "$" else compile_result_path(catcher.ResultPath)
        assign = assignment(catcher.Assign, "JSONPath")

        def output(state_input: Any, error_output: dict, context: dict, record: StepRecord) -> Any:
            record.assigned = None if assign is None else assign(error_output, {}, context)
            return error_output if result_path is None else result_path.apply(state_input, error_output)

        return output

    def for_rule(self, assign: dict[str, Any] | None, output: Any, index: int) -> JsonPathDataflow:
        rule_flow = copy_flow(self)
        rule_flow.assign = merge_assignments(self.assign, assignment(assign, "JSONPath", f"Choices[{index}]/Assign"))
        return rule_flow


def assignment(assign: dict[str, Any] | None, language: str, field: str = "Assign") -> Assignment | None:
    """A compiled Assign field, or None when the state (rule, catcher) has none."""
    return None if assign is None else compile_assign(assign, language, field)


def merge_assignments(state: Assignment | None, rule: Assignment | None) -> Assignment | None:
    """A Choice state's Assign applies whichever rule matches; the rule's own Assign is added to
    it, winning where both set a variable (developer guide, "Choice Rules (JSONata)")."""
    if state is None or rule is None:
        return state or rule
    return lambda data, states, context: {**state(data, states, context), **rule(data, states, context)}


def copy_flow(flow: Any) -> Any:
    """A shallow copy of a slotted flow, to vary one Choice rule's fields."""
    copy = type(flow).__new__(type(flow))
    for name in type(flow).__slots__:
        setattr(copy, name, getattr(flow, name))
    return copy


def payload_json(value: Any, state_name: str, encode: Callable[[Any], str] = to_json) -> str:
    """``value`` as the compact JSON text the history records, or States.DataLimitExceeded when
    it is over AWS's 256 KiB payload quota (measured in UTF-8 bytes). ``state_name`` is what the
    cause names: the state, or for a task's result its resource (see ``TaskState``). ``encode``
    is the run's PayloadEncoder, which reuses the text of large values."""
    text = encode(value)
    # A character is at most 4 UTF-8 bytes, so most values need no encoding to be measured.
    if len(text) * 4 > PAYLOAD_LIMIT_BYTES and len(text.encode("utf-8")) > PAYLOAD_LIMIT_BYTES:
        raise data_limit_exceeded(state_name)
    return text


def data_limit_exceeded(state_name: str) -> ASLError:
    """States.DataLimitExceeded with AWS's cause, naming the state (or a task's resource)."""
    return ASLError(
        DATA_LIMIT_EXCEEDED,
        f"The state/task '{state_name}' returned a result with a size exceeding "
        "the maximum number of bytes service limit.",
    )
