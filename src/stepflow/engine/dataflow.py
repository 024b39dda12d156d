"""A state's data flow as a strategy object: how its input becomes its effective input, and how its
result becomes its output.

``JsonPathDataflow`` is the JSONPath query language's pipeline, in AWS's order:
InputPath -> Parameters -> (the state's work) -> ResultSelector -> ResultPath -> OutputPath.
Every path and template is compiled once, when the machine is compiled. A second query language
(JSONata: Arguments / Output / Assign) plugs in as another class with the same three methods,
chosen per state by ``compile.py``; the run loop never knows which one it holds.
"""
from __future__ import annotations

import json
import json.encoder
from typing import Any, Callable, Protocol

from stepflow.asl.errors import DATA_LIMIT_EXCEEDED, ASLError
from stepflow.asl.paths import compile_input_path, compile_output_path, compile_result_path
from stepflow.asl.templates import compile_template
from stepflow.engine.retry import Catcher
from stepflow.engine.trace import StepRecord

# "Maximum input or output size for a task, state, or execution": 256 KiB of UTF-8 JSON.
PAYLOAD_LIMIT_BYTES = 256 * 1024


class Dataflow(Protocol):
    """What the run loop asks of a state's query language."""

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        """The value the state works on, recording each stage on ``record``."""
        ...

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        """The state's output from its raw input and its work's result, recording each stage."""
        ...

    def compile_catcher_output(self, catcher: Catcher) -> Callable[[Any, dict, dict], Any]:
        """``(state_input, error_output, context) -> output`` for a state whose error ``catcher`` handled."""
        ...


class JsonPathDataflow:
    """InputPath / Parameters / ResultSelector / ResultPath / OutputPath, compiled once.

    A field a state type does not allow is simply absent here (``None`` = identity); the model
    and validator have already refused it in the definition.
    """

    __slots__ = ("input_path", "parameters", "result_selector", "result_path", "output_path")

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
    ) -> None:
        # "$" is the identity for InputPath/OutputPath/ResultPath: skip it instead of evaluating it.
        self.input_path = None if input_path == "$" else compile_input_path(input_path)
        self.parameters = compile_template(parameters, "Parameters") if has_parameters else None
        self.result_selector = (
            compile_template(result_selector, "ResultSelector") if has_result_selector else None
        )
        self.result_path = None if result_path == "$" else compile_result_path(result_path)
        self.output_path = None if output_path == "$" else compile_output_path(output_path)

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
        data = result if self.result_path is None else self.result_path.apply(state_input, result)
        record.after_result_path = data
        if self.output_path is not None:
            data = self.output_path.apply(data, context)
        return data

    def compile_catcher_output(self, catcher: Catcher) -> Callable[[Any, dict, dict], Any]:
        # A catcher's ResultPath is applied to the state's raw input; OutputPath is not applied.
        if catcher.ResultPath == "$":
            return lambda state_input, error_output, context: error_output
        result_path = compile_result_path(catcher.ResultPath)
        return lambda state_input, error_output, context: result_path.apply(state_input, error_output)


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
