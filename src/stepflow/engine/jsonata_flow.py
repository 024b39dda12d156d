"""The JSONata query language's data flow: Arguments -> (the state's work) -> Output, plus Assign,
and the JSONata forms of the fields JSONPath writes as numbers or paths.

Every field is a JSON value whose ``{% %}`` strings see ``$states`` (input, result for Task /
Parallel / Map, errorOutput in a Catch, context) and the workflow variables as the state found
them; each is compiled once, with the field named as AWS names it in causes (``Output/v``,
``Catch[1]/Output``, ``Choices[0]/Assign/x``).
"""
from __future__ import annotations

from typing import Any, Callable

from stepflow.asl.jsonata import compile_expression, compile_value, is_expression
from stepflow.asl.paths import to_json
from stepflow.engine.dataflow import CatcherOutput, assignment, copy_flow, merge_assignments
from stepflow.engine.retry import Catcher
from stepflow.engine.trace import StepRecord
from stepflow.engine.variables import visible_variables


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
        self.assign = assignment(assign, "JSONata", f"{prefix}Assign")
        self.has_result = has_result

    def effective_input(self, state_input: Any, context: dict, record: StepRecord) -> Any:
        record.reach("after_input_path", state_input)
        data = state_input
        if self.arguments is not None:
            data = self.arguments({"input": state_input, "context": context}, visible_variables())
        record.reach("after_parameters", data)
        return data

    def state_output(self, state_input: Any, result: Any, context: dict, record: StepRecord) -> Any:
        record.reach("result", result)
        record.reach("after_result_selector", result)
        states = {"input": state_input, "context": context}
        if self.has_result:
            states["result"] = result
        output = result if self.output is None else self.output(states, visible_variables())
        record.reach("after_result_path", output)
        record.assigned = None if self.assign is None else self.assign(None, states, context)
        return output

    def compile_catcher_output(self, catcher: Catcher, index: int) -> CatcherOutput:
        # AWS: a Catch's Output and Assign see $states.errorOutput; without Output the state's
        # output is the error output.
        prefix = f"Catch[{index}]/"
        output = None if catcher.Output is None else compile_value(catcher.Output, f"{prefix}Output")
        assign = assignment(catcher.Assign, "JSONata", f"{prefix}Assign")

        def caught(state_input: Any, error_output: dict, context: dict, record: StepRecord) -> Any:
            states = {"input": state_input, "errorOutput": error_output, "context": context}
            value = error_output if output is None else output(states, visible_variables())
            record.assigned = None if assign is None else assign(None, states, context)
            return value

        return caught

    def for_rule(self, assign: dict[str, Any] | None, output: Any, index: int) -> JsonataDataflow:
        rule_flow = copy_flow(self)
        prefix = f"Choices[{index}]/"
        rule_flow.assign = merge_assignments(self.assign, assignment(assign, "JSONata", f"{prefix}Assign"))
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
                f"'{_json_type(value)}' for value: {to_json(value)}"
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
