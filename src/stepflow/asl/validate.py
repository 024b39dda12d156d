"""Static checks of a definition: every problem at once, each with a JSON pointer and AWS's code.

Codes, messages and locations follow AWS's ValidateStateMachineDefinition / CreateStateMachine
where their wording is known ("Field 'X' is not supported", "These fields are required: [...]",
"Missing 'Next' target: X", 'State "X" is not reachable.', "Workflow has no terminal state").
AWS has no UNREACHABLE_STATE code: an unreachable state is a MISSING_TRANSITION_TARGET, and a
machine without terminal state gets only MISSING_END_STATE (no reachability report).
Two deliberate differences: locations are RFC 6901 pointers (``/Choices/0/Next`` where AWS writes
``/Choices[0]/Next``), and the whole-machine MISSING_END_STATE is located at the machine ("" for
the top level) where AWS gives no location.

The shape (fields, JSON types, bounds) comes from the pydantic models; everything spanning several
fields or states is checked here, walking the raw dict so a broken state does not hide the others.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from stepflow.asl.choice import compile_choice_rule
from stepflow.asl.errors import ALL, DefinitionError, Diagnostic, StepflowError
from stepflow.asl.intrinsics import compile_intrinsic
from stepflow.asl.jsonata import JsonataSyntaxError, compile_expression, is_expression
from stepflow.asl.loader import duplicate_keys
from stepflow.asl.model import COMPARISON_OPERATORS, DEFAULT_QUERY_LANGUAGE, StateMachineDefinition
from stepflow.asl.paths import (
    PathSyntaxError, compile_input_path, compile_output_path, compile_path, compile_result_path,
)
from stepflow.asl.templates import compile_template
from stepflow.asl.timestamps import parse_timestamp
from stepflow.asl.variable_rules import variable_problems

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END = "MISSING_END_STATE"
DUPLICATE_STATE = "DUPLICATE_STATE_NAME"
INVALID_STATE_NAME = "INVALID_STATE_NAME"
INVALID_RESOURCE = "INVALID_RESOURCE"
INVALID_JSONATA = "INVALID_JSONATA_EXPRESSION"
NO_DOLLAR = "NO_DOLLAR"
NO_PATH = "NO_PATH"
PASS_RESULT_IS_STATIC = "PASS_RESULT_IS_STATIC"
# stepflow's own warning (AWS has no code for it): [?(@.code==es)] compares with the string 'es'.
UNQUOTED_WORD = "UNQUOTED_FILTER_WORD"

MAX_STATE_NAME_LENGTH = 80  # e.g. StateEnteredEventDetails.name: "Minimum length of 1. Maximum length of 80."
TRANSITION_TYPES = {"Pass", "Task", "Wait", "Parallel", "Map"}
ERROR_HANDLING_TYPES = {"Task", "Parallel", "Map"}

# Which fields each query language allows ("Transforming data with JSONata", field tables).
JSONPATH_ONLY = {
    "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Result", "ItemsPath",
    "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath",
    "HeartbeatSecondsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath", "Variable", "And", "Or", "Not", *COMPARISON_OPERATORS,
}
JSONATA_ONLY = {"Arguments", "Output", "Condition", "Items"}
# Fields holding a number that JSONata lets a "{% %}" expression stand for.
NUMBER_FIELDS = {
    "Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency", "ToleratedFailureCount",
    "ToleratedFailurePercentage", "MaxItemsPerBatch", "MaxInputBytesPerBatch",
}
# Fields holding an object that JSONata lets a "{% %}" expression stand for.
OBJECT_FIELDS = {"ItemSelector", "BatchInput"}
# Fields holding a reference path, read from the data or the context object.
PATH_FIELDS = {
    "ItemsPath", "SecondsPath", "TimestampPath", "TimeoutSecondsPath", "HeartbeatSecondsPath",
    "MaxConcurrencyPath", "ToleratedFailureCountPath", "ToleratedFailurePercentagePath",
}
# AWS, "Fail workflow state": the intrinsics ErrorPath and CausePath accept (they return strings).
FAIL_INTRINSICS = {
    "States.Format", "States.JsonToString", "States.ArrayGetItem", "States.Base64Encode",
    "States.Base64Decode", "States.Hash", "States.UUID",
}
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")
MUTUALLY_EXCLUSIVE = (
    ("Error", "ErrorPath"), ("Cause", "CausePath"), ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"), ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
    ("ItemProcessor", "Iterator"), ("ItemSelector", "Parameters"),
)
# String comparisons that have a ...Path twin, for the NO_PATH warning.
STRING_LITERAL_OPERATORS = {op for op in COMPARISON_OPERATORS if f"{op}Path" in COMPARISON_OPERATORS
                            and op.startswith("String")}
NESTED_MACHINE_FIELDS = {"Branches", "ItemProcessor", "Iterator"}
WAIT_FIELDS = ("Seconds", "Timestamp", "SecondsPath", "TimestampPath")
_LOOKS_LIKE_PATH = re.compile(r"^\$(\$)?(\.|\[)")


def pointer(*parts: str | int) -> str:
    """An RFC 6901 JSON pointer ("" is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def validate_definition(definition: dict[str, Any]) -> list[Diagnostic]:
    """Every problem in ``definition`` (errors and AWS's warnings), schema problems first."""
    if not isinstance(definition, dict):
        return [Diagnostic(SCHEMA, "A definition must be a JSON object", "")]
    found = _schema_diagnostics(definition)
    checker = _Checker(definition.get("QueryLanguage", DEFAULT_QUERY_LANGUAGE), found)
    checker.machine(definition, "")
    checker.duplicates(definition, "")
    found.extend(variable_problems(definition))
    return found


def parse_definition(definition: dict[str, Any]) -> StateMachineDefinition:
    """The typed model of a valid definition; DefinitionError lists every ERROR otherwise."""
    errors = [d for d in validate_definition(definition) if d.severity == "ERROR"]
    if errors:
        raise DefinitionError(errors)
    return StateMachineDefinition.model_validate(definition)


# --- schema problems, from pydantic -------------------------------------------------------------


def _locate(raw: Any, loc: tuple[str | int, ...]) -> list[str | int]:
    """The parts of a pydantic ``loc`` that exist in the raw data (dropping union/tag labels)."""
    parts: list[str | int] = []
    node = raw
    for step in loc:
        if isinstance(node, dict) and isinstance(step, str) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            continue
        parts.append(step)
    return parts


def _schema_diagnostics(definition: dict[str, Any]) -> list[Diagnostic]:
    try:
        StateMachineDefinition.model_validate(definition)
    except ValidationError as invalid:
        errors = invalid.errors(include_url=False)
    else:
        return []
    required: dict[str, list[str]] = {}
    by_place: dict[str, list[dict[str, Any]]] = {}
    found: list[Diagnostic] = []
    for error in errors:
        kind, loc = error["type"], tuple(error["loc"])
        if kind == "missing":
            required.setdefault(pointer(*_locate(definition, loc[:-1])), []).append(str(loc[-1]))
        elif kind == "union_tag_not_found":
            required.setdefault(pointer(*_locate(definition, loc)), []).append("Type")
        elif kind == "extra_forbidden":
            place = pointer(*_locate(definition, loc[:-1]))
            found.append(Diagnostic(SCHEMA, f"Field '{loc[-1]}' is not supported", place))
        elif kind == "union_tag_invalid":
            place = pointer(*_locate(definition, loc), "Type")
            expected = error["ctx"]["expected_tags"].replace("'", "")
            found.append(Diagnostic(
                SCHEMA, f"Unknown state type '{error['ctx']['tag']}'; expected one of: {expected}", place
            ))
        else:
            by_place.setdefault(pointer(*_locate(definition, loc)), []).append(error)
    for place, fields in required.items():
        found.append(Diagnostic(SCHEMA, f"These fields are required: [{', '.join(fields)}]", place))
    for place, place_errors in by_place.items():
        found.append(Diagnostic(SCHEMA, _value_message(place, place_errors), place))
    return found


_JSON_TYPES = {
    "dict_type": "an object", "model_type": "an object", "list_type": "an array",
    "int_type": "an integer", "float_type": "a number", "string_type": "a string",
    "bool_type": "a boolean", "none_type": "null",
}


def _value_message(place: str, errors: list[dict[str, Any]]) -> str:
    """One message for a field's errors, in JSON's words. When one union member matched the JSON
    type, its complaint (e.g. a bound) is the useful one; otherwise list the accepted types."""
    *parents, last = place.split("/") if place else ["", "definition"]
    what = f"item {last} of '{parents[-1]}'" if last.isdigit() and parents else f"field '{last}'"
    specific = [e["msg"] for e in errors if e["type"] not in _JSON_TYPES]
    if specific:
        return f"The value of {what} is invalid: {specific[0]}"
    kinds = list(dict.fromkeys(_JSON_TYPES[e["type"]] for e in errors))
    if "a number" in kinds and "an integer" in kinds:  # int | float: any number will do
        kinds.remove("an integer")
    return f"The value of {what} should be {' or '.join(kinds)}"


# --- everything else ------------------------------------------------------------------------------


class _Checker:
    """Walks the raw definition, appending diagnostics; one method per concern."""

    def __init__(self, language: Any, found: list[Diagnostic]) -> None:
        # As for states (see ``state_language``), only exactly "JSONPath" means JSONPath.
        self.language = "JSONPath" if language == "JSONPath" else "JSONata"
        self.found = found
        self.state_names: dict[str, str] = {}  # every state name in the machine -> its pointer
        self.state_maps: set[int] = set()  # ids of the "States" objects already checked

    def report(self, code: str, message: str, where: str, severity: str = "ERROR") -> None:
        self.found.append(Diagnostic(code, message, where, severity))  # type: ignore[arg-type]

    def reported_within(self, where: str) -> bool:
        return any(d.location == where or d.location.startswith(where + "/") for d in self.found)

    def duplicates(self, value: Any, where: str) -> None:
        """Fields given twice in any object; repeated state names were reported by ``machine``."""
        if id(value) not in self.state_maps:
            for key in duplicate_keys(value):
                self.report(SCHEMA, f"Field '{key}' appears more than once", pointer_join(where, key))
        children = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in children:
            self.duplicates(child, pointer_join(where, key))

    # -- machines ----------------------------------------------------------------------------

    def machine(self, raw: dict[str, Any], where: str) -> None:
        states = raw.get("States")
        if not isinstance(states, dict):
            return
        self.state_maps.add(id(states))
        for name in duplicate_keys(states):
            self.report(DUPLICATE_STATE, f"Duplicate State name: {name}", pointer_join(where, "States", name))
        for name, state in states.items():
            self.state_name(name, pointer_join(where, "States", name))
            if isinstance(state, dict):
                self.state(state, pointer_join(where, "States", name))
        self.graph(raw, states, where)

    def state_name(self, name: str, where: str) -> None:
        if not 1 <= len(name) <= MAX_STATE_NAME_LENGTH:  # the API's "Length Constraints" on state names
            self.report(INVALID_STATE_NAME, f"State names are 1 to {MAX_STATE_NAME_LENGTH} characters long; "
                                            f"this one has {len(name)}", where)
        if name in self.state_names:
            self.report(DUPLICATE_STATE,
                        f"Duplicate State name: {name} (also at {self.state_names[name]})", where)
        else:
            self.state_names[name] = where

    def graph(self, raw: dict[str, Any], states: dict[str, Any], where: str) -> None:
        """Targets exist, a terminal state exists, and every state is reachable from StartAt."""
        edges: dict[str, list[str]] = {}
        guesses: list[tuple[str, str]] = []  # (pointer of a missing target, the state it likely meant)
        for name, state in states.items():
            edges[name] = []
            for target, at in _transitions(state, pointer_join(where, "States", name)):
                if target in states:
                    edges[name].append(target)
                else:
                    hint = self.misspelt(target, states, at, guesses)
                    self.found.append(Diagnostic(MISSING_TARGET, f"Missing 'Next' target: {target}", at, hint=hint))
        start = raw.get("StartAt") if isinstance(raw.get("StartAt"), str) else None
        if start is not None and start not in states:
            at = pointer_join(where, "StartAt")
            hint = self.misspelt(start, states, at, guesses)
            self.found.append(Diagnostic(MISSING_TARGET, f"Missing 'StartAt' target: {start}", at, hint=hint))
        if not any(_is_terminal(state) for state in states.values()):
            # AWS: no terminal state suppresses the reachability walk.
            self.report(MISSING_END, "Workflow has no terminal state", where)
            return
        reached = _reached([start] if start in states else [], edges, set())
        # A state reached once a misspelt target is corrected is unreachable only because of it.
        follows: dict[str, str] = {}
        for at, meant in guesses:
            for name in _reached([meant], edges, reached | set(follows)) - reached:
                follows.setdefault(name, at)
        if start in states:
            for name in states:
                if name not in reached:
                    self.found.append(Diagnostic(MISSING_TARGET, f'State "{name}" is not reachable.',
                                                 pointer_join(where, "States", name), follows=follows.get(name)))

    @staticmethod
    def misspelt(target: str, states: dict[str, Any], at: str, guesses: list[tuple[str, str]]) -> str:
        """"did you mean 'X'?" when a state in the scope is named much like ``target``."""
        close = difflib.get_close_matches(target, list(states), n=1, cutoff=0.6)
        if not close:
            return ""
        guesses.append((at, close[0]))
        return f"did you mean {close[0]!r}?"

    # -- states ------------------------------------------------------------------------------

    def state(self, state: dict[str, Any], where: str) -> None:
        kind = _state_type(state)
        language = self.state_language(state, where)
        if kind in TRANSITION_TYPES:
            self.next_or_end(state, where)
        self.exclusive_fields(state, where)
        self.query_language_fields(state, language, where)
        self.expression_forms(state, where, language)
        if language == "JSONPath":
            self.jsonpath_expressions(state, where)
        else:
            self.jsonata_values(state, where)
        if kind in ERROR_HANDLING_TYPES:
            for field in ("Retry", "Catch"):
                self.error_handlers(state.get(field), field, pointer_join(where, field), language)
        check = getattr(self, f"{kind.lower()}_state", None) if kind else None
        if check is not None:
            check(state, where, language)

    def state_language(self, state: dict[str, Any], where: str) -> str:
        """The state's effective language. Measured on AWS: any declared value other than exactly
        "JSONPath" counts as JSONata (a bad value is also a schema error at the field)."""
        if "QueryLanguage" not in state:
            return self.language
        if state["QueryLanguage"] != "JSONPath":
            return "JSONata"
        if self.language == "JSONata":
            self.report(SCHEMA, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole "
                                "state machine", where)
        return "JSONPath"

    def next_or_end(self, state: dict[str, Any], where: str) -> None:
        has_next, ends = "Next" in state, state.get("End") is True
        if has_next and ends:
            self.report(SCHEMA, "Only one of 'Next' or 'End' can be set", where)
        elif not has_next and not ends:
            self.report(SCHEMA, "Either 'Next' or 'End: true' is required", where)

    def exclusive_fields(self, state: dict[str, Any], where: str) -> None:
        for first, second in MUTUALLY_EXCLUSIVE:
            if first in state and second in state:
                self.report(SCHEMA, f"Only one of '{first}' or '{second}' can be set", where)

    def query_language_fields(self, obj: dict[str, Any], language: str, where: str) -> None:
        other, refused = ("JSONata", JSONATA_ONLY) if language == "JSONPath" else ("JSONPath", JSONPATH_ONLY)
        for field in obj:
            unsupported = Diagnostic(SCHEMA, f"Field '{field}' is not supported", where)
            if field in refused and unsupported not in self.found:  # one complaint per field
                self.report(SCHEMA, f"The QueryLanguage is set to '{language}', but field '{field}' is "
                                    f"only supported for the '{other}' QueryLanguage", where)

    def jsonpath_expressions(self, state: dict[str, Any], where: str) -> None:
        for field, compile_ in (("InputPath", compile_input_path), ("OutputPath", compile_output_path),
                                ("ResultPath", compile_result_path)):
            if isinstance(state.get(field), str):  # null is meaningful; other types are schema errors
                self.expression(compile_, state[field], field, pointer_join(where, field), "a valid JSONPath")
        for field in PATH_FIELDS & state.keys():
            self.reference_path(state[field], field, pointer_join(where, field))
        for field in TEMPLATE_FIELDS:
            if isinstance(state.get(field), (dict, list)):
                self.template(state[field], field, pointer_join(where, field))
        self.path_notices(state, where)

    def path_notices(self, state: dict[str, Any], where: str) -> None:
        """Paths that mean something their author may not expect (an unquoted word in a filter)."""
        places = [(pointer_join(where, f), state[f]) for f in ("InputPath", "OutputPath") if f in state]
        for field in TEMPLATE_FIELDS:
            places += [(at, value) for at, key, value in _template_entries(state.get(field), pointer_join(where, field))
                       if key.endswith(".$")]
        for at, text in places:
            if isinstance(text, str) and text.lstrip().startswith("$"):
                try:
                    notice = compile_path(text).notice
                except PathSyntaxError:
                    continue  # reported where the field is compiled
                if notice:
                    self.report(UNQUOTED_WORD, notice, at, "WARNING")

    def jsonata_values(self, state: dict[str, Any], where: str) -> None:
        """Every expression parses (AWS refuses the definition otherwise, with
        INVALID_JSONATA_EXPRESSION). Nested machines are checked on their own."""
        for field, value in state.items():
            if field in NESTED_MACHINE_FIELDS:
                continue
            for at, text in _expressions(value, pointer_join(where, field)):
                try:
                    compile_expression(text, field)
                except JsonataSyntaxError as invalid:
                    self.report(INVALID_JSONATA, str(invalid), at)

    def expression_forms(self, obj: dict[str, Any], where: str, language: str) -> None:
        """A string where a number or an object belongs: a JSONata expression, or nothing at all."""
        for field in (NUMBER_FIELDS | OBJECT_FIELDS) & obj.keys():
            if not isinstance(obj[field], str):
                continue
            kind = "a number" if field in NUMBER_FIELDS else "an object"
            if language == "JSONPath":
                hint = f"; to read it from the input use '{field}Path'" if field in NUMBER_FIELDS else ""
                self.report(SCHEMA, f"The value of field '{field}' must be {kind}: JSONata expressions need "
                                    f"the JSONata QueryLanguage{hint}", pointer_join(where, field))
            elif not is_expression(obj[field]):
                self.report(SCHEMA, f"The value of field '{field}' must be {kind} or a JSONata expression "
                                    "{% ... %}", pointer_join(where, field))

    def expression(self, compile_: Callable[[Any], object], value: Any, field: str, where: str,
                   what: str) -> None:
        """Compile ``value`` with another module's compiler; its StepflowError is a diagnostic."""
        try:
            compile_(value)
        except StepflowError as problem:
            # Compilers that know the place say so: choice.py with an absolute ``location``,
            # templates.py with a ``pointer`` relative to the template.
            located = getattr(problem, "location", None)
            relative = getattr(problem, "pointer", None)
            if isinstance(located, str) and located.startswith(where):
                self.report(SCHEMA, getattr(problem, "message", str(problem)), located)
            elif isinstance(relative, str) and relative.startswith("/"):
                self.report(SCHEMA, f"{field}: {getattr(problem, 'problem', problem)}", where + relative)
            else:
                self.report(SCHEMA, f"The value of field '{field}' must be {what}: {problem}", where)

    def template(self, template: dict[str, Any], field: str, where: str) -> None:
        """A payload template compiles, and plain keys holding path-like strings get NO_DOLLAR."""
        self.expression(lambda value: compile_template(value, field), template, field, where,
                        "a valid payload template")
        for at, key, value in _template_entries(template, where):
            if not key.endswith(".$") and isinstance(value, str) and (
                _LOOKS_LIKE_PATH.match(value) or _looks_intrinsic(value)
            ):
                self.report(NO_DOLLAR, f"The value of field '{key}' looks like a JSONPath or an intrinsic "
                                       f"function; its name should end in '.$'", at, "WARNING")

    def assign(self, obj: dict[str, Any], where: str, language: str) -> None:
        """Assign in a Catcher or Choice Rule: under JSONPath its values are a payload template."""
        if language == "JSONPath" and isinstance(obj.get("Assign"), dict):
            self.template(obj["Assign"], "Assign", pointer_join(where, "Assign"))

    def reference_path(self, value: Any, field: str, where: str) -> None:
        """A path that must name one node: only names and single indexes ("Reference Paths")."""
        if not isinstance(value, str):  # reported by the schema check
            return

        def compile_reference(text: Any) -> None:
            if not compile_path(text).definite:
                raise PathSyntaxError(text, "it must be a reference path (names and single indexes only)")

        self.expression(compile_reference, value, field, where, "a valid reference path")

    def path_or_intrinsic(self, value: Any, field: str, where: str) -> None:
        """Fail's ErrorPath / CausePath: a reference path or one of the string intrinsics."""
        if isinstance(value, str) and _looks_intrinsic(value):
            name = value.split("(", 1)[0].strip()
            if name not in FAIL_INTRINSICS:
                self.report(SCHEMA, f"The value of field '{field}' may use only the intrinsic functions "
                                    f"{', '.join(sorted(FAIL_INTRINSICS))}, not {name}", where)
            else:
                self.expression(compile_intrinsic, value, field, where, "a valid intrinsic function")
        else:
            self.reference_path(value, field, where)

    def no_path(self, state: dict[str, Any], fields: tuple[str, ...], where: str) -> None:
        for field in fields:
            value = state.get(field)
            if isinstance(value, str) and _LOOKS_LIKE_PATH.match(value):
                self.report(NO_PATH, f"The value of field '{field}' looks like a path; use '{field}Path'",
                            pointer_join(where, field), "WARNING")

    def error_handlers(self, handlers: Any, field: str, where: str, language: str) -> None:
        """States.ALL must be alone in its ErrorEquals and in the last Retrier / Catcher (ASL spec)."""
        if not isinstance(handlers, list):
            return
        for index, handler in enumerate(handlers):
            if not isinstance(handler, dict):
                continue
            at = pointer_join(where, index)
            errors = handler.get("ErrorEquals")
            if isinstance(errors, list) and ALL in errors:
                if len(errors) > 1:
                    self.report(SCHEMA, f"'{ALL}' must appear alone in 'ErrorEquals'", pointer_join(at, "ErrorEquals"))
                if index != len(handlers) - 1:
                    self.report(SCHEMA, f"A {field} entry with '{ALL}' must be the last one", at)
            if field == "Catch":
                self.query_language_fields(handler, language, at)
                if language == "JSONPath" and isinstance(handler.get("ResultPath"), str):
                    self.expression(compile_result_path, handler["ResultPath"], "ResultPath",
                                    pointer_join(at, "ResultPath"), "a valid JSONPath")
                self.assign(handler, at, language)

    # -- per state type (named "<type>_state", found by ``state``) ---------------------------

    def pass_state(self, state: dict[str, Any], where: str, language: str) -> None:
        if any(key.endswith(".$") for _, key, _ in _template_entries(state.get("Result"), where)):
            self.report(PASS_RESULT_IS_STATIC, "'Result' is used as is: its '.$' fields are not evaluated; "
                                               "use 'Parameters'", pointer_join(where, "Result"), "WARNING")

    def task_state(self, state: dict[str, Any], where: str, language: str) -> None:
        resource = state.get("Resource")
        if isinstance(resource, str) and not (resource.startswith("arn:") or "${" in resource):
            self.report(INVALID_RESOURCE, f"Resource '{resource}' is not an ARN", pointer_join(where, "Resource"))
        timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
        # Equal values deploy on AWS (a survey of deployed definitions); only a larger one is refused (spec).
        if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat > timeout:
            self.report(SCHEMA, "'HeartbeatSeconds' must not be larger than 'TimeoutSeconds'",
                        pointer_join(where, "HeartbeatSeconds"))

    def choice_state(self, state: dict[str, Any], where: str, language: str) -> None:
        for index, rule in enumerate(_list(state.get("Choices"))):
            if not isinstance(rule, dict):
                continue
            at = pointer_join(where, "Choices", index)
            self.query_language_fields(rule, language, at)
            if language == "JSONata":
                if "Condition" not in rule:
                    self.report(SCHEMA, "These fields are required: [Condition]", at)
                elif not isinstance(rule["Condition"], bool) and not is_expression(rule["Condition"]):
                    self.report(SCHEMA, "The value of field 'Condition' must be a JSONata expression {% ... %}",
                                pointer_join(at, "Condition"))
                continue
            if not self.reported_within(at):  # shape first, then meaning
                self.expression(lambda r: compile_choice_rule(r, at), rule, "Choices", at, "a valid Choice Rule")
            self.assign(rule, at, language)
            for entry, key, value in _template_entries(rule, at):
                if key in STRING_LITERAL_OPERATORS and isinstance(value, str) and _LOOKS_LIKE_PATH.match(value):
                    self.report(NO_PATH, f"The value of field '{key}' looks like a path; use '{key}Path'",
                                entry, "WARNING")

    def wait_state(self, state: dict[str, Any], where: str, language: str) -> None:
        given = [field for field in WAIT_FIELDS if field in state]
        if len(given) != 1:
            self.report(SCHEMA, "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' "
                                f"is required (found {len(given)})", where)
        stamp = state.get("Timestamp")
        if isinstance(stamp, str) and not is_expression(stamp) and parse_timestamp(stamp) is None:
            # AWS's words (test_wait_timestamp_invalid recordings).
            self.report(SCHEMA, "String does not match RFC3339 timestamp", pointer_join(where, "Timestamp"))
        if language == "JSONPath":
            self.no_path(state, ("Timestamp",), where)

    def fail_state(self, state: dict[str, Any], where: str, language: str) -> None:
        if language == "JSONPath":
            for field in ("ErrorPath", "CausePath"):
                if field in state:
                    self.path_or_intrinsic(state[field], field, pointer_join(where, field))
            self.no_path(state, ("Error", "Cause"), where)

    def parallel_state(self, state: dict[str, Any], where: str, language: str) -> None:
        for index, branch in enumerate(_list(state.get("Branches"))):
            if isinstance(branch, dict):
                self.machine(branch, pointer_join(where, "Branches", index))

    def map_state(self, state: dict[str, Any], where: str, language: str) -> None:
        for field in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(field), dict):
                self.machine(state[field], pointer_join(where, field))
        if "ItemProcessor" not in state and "Iterator" not in state:
            self.report(SCHEMA, "These fields are required: [ItemProcessor]", where)
        items = state.get("Items")
        if language == "JSONata" and "Items" in state and not isinstance(items, list) and not is_expression(items):
            # Guide, Map state: "a JSON array or a JSONata expression that must evaluate to an array".
            self.report(SCHEMA, "The value of field 'Items' must be an array or a JSONata expression {% ... %}",
                        pointer_join(where, "Items"))
        for field in ("ItemReader", "ResultWriter", "ItemBatcher"):
            if isinstance(state.get(field), dict):
                self.distributed_config(state[field], pointer_join(where, field), language)
        label = state.get("Label")
        if isinstance(label, str) and (problem := _label_problem(label)):
            self.report(SCHEMA, problem, pointer_join(where, "Label"))

    def distributed_config(self, config: dict[str, Any], where: str, language: str) -> None:
        """ItemReader / ResultWriter / ItemBatcher: their own templates and paths follow the state's language."""
        self.query_language_fields(config, language, where)
        self.expression_forms(config, where, language)
        if language != "JSONPath":
            return
        for field in ("Parameters", "BatchInput"):
            if isinstance(config.get(field), dict):
                self.template(config[field], field, pointer_join(where, field))
        for field in ("MaxItemsPerBatchPath", "MaxInputBytesPerBatchPath"):
            if field in config:
                self.reference_path(config[field], field, pointer_join(where, field))


# A Distributed Map's Label names its Map Run and children's ARNs: AWS refuses these characters
# with these words (test_sfn_api_map_run recordings: test_map_state_label_*_fail).
_LABEL_FORBIDDEN = re.compile(r"[\s#$%&*,:;<>?\[\]\"\\^`{|}~\x00-\x1f\x7f-\x9f]")


def _label_problem(label: str) -> str | None:
    if not label:
        return "Label cannot be empty"
    if len(label) > 40:
        return "Label cannot exceed 40 characters"
    bad = _LABEL_FORBIDDEN.search(label)
    return f"Label contains invalid character: {bad.group()!r}" if bad else None


def pointer_join(base: str, *parts: str | int) -> str:
    return base + pointer(*parts)


def _looks_intrinsic(value: str) -> bool:
    return value.startswith("States.") and "(" in value


def _template_entries(value: Any, where: str) -> Iterator[tuple[str, str, Any]]:
    """(pointer, key, value) of every object entry in a JSON value, depth first."""
    if isinstance(value, dict):
        for key, child in value.items():
            at = pointer_join(where, key)
            yield at, key, child
            yield from _template_entries(child, at)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _template_entries(child, pointer_join(where, index))


def _expressions(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(pointer, text) of every ``{% %}`` string in a JSON value, at any depth."""
    if is_expression(value):
        yield where, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _expressions(child, pointer_join(where, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _expressions(child, pointer_join(where, index))


def _transitions(state: Any, where: str) -> Iterator[tuple[str, str]]:
    """(target, pointer) of every transition out of a state: Next, Default, Choices, Catch."""
    kind = _state_type(state)
    if kind in TRANSITION_TYPES and isinstance(state.get("Next"), str):
        yield state["Next"], pointer_join(where, "Next")
    if kind == "Choice":
        if isinstance(state.get("Default"), str):
            yield state["Default"], pointer_join(where, "Default")
        for index, rule in enumerate(_list(state.get("Choices"))):
            if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                yield rule["Next"], pointer_join(where, "Choices", index, "Next")
    if kind in ERROR_HANDLING_TYPES:
        for index, catcher in enumerate(_list(state.get("Catch"))):
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                yield catcher["Next"], pointer_join(where, "Catch", index, "Next")


def _reached(todo: list[str], edges: dict[str, list[str]], known: set[str]) -> set[str]:
    """The states reached from ``todo`` along ``edges``, not walking into ``known`` ones."""
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in reached and name not in known:
            reached.add(name)
            todo.extend(edges[name])
    return reached


def _is_terminal(state: Any) -> bool:
    kind = _state_type(state)
    return kind in ("Succeed", "Fail") or (kind in TRANSITION_TYPES and state.get("End") is True)


def _state_type(state: Any) -> str | None:
    """The state's Type when it is a string (anything else was reported by the schema check)."""
    kind = state.get("Type") if isinstance(state, dict) else None
    return kind if isinstance(kind, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
