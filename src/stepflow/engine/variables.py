"""Workflow variables: ``Assign`` in both query languages, their scopes and AWS's size limits.

AWS ("Passing data between states with variables"):
- every value of one ``Assign`` (and the state's ``Output``) is computed from the variables as they
  were when the state was entered; the new values are visible from the next state on. The
  documented example: with ``$x = 3`` and ``$a = 6``, ``{"x": "{% $a %}", "nextX": "{% $x %}"}``
  gives ``$x = 6`` and ``$nextX = 3``;
- a Parallel branch or Map iteration has a scope of its own: it reads the variables of the scopes
  around it, and what it assigns disappears when it ends (assigning an outer variable from inside
  is refused when the definition is validated);
- a variable holds at most 256 KiB, one ``Assign`` at most 256 KiB, an execution at most 10 MiB
  (each measured as UTF-8 JSON);
- the ``StateExited`` event lists what the state assigned: ``assignedVariables`` maps each name to
  its value as JSON text, with ``assignedVariablesDetails: {"truncated": false}``.

In JSONPath states, ``Assign`` is a payload template: ``"name.$"`` values are paths (``$`` the
state's result after ResultSelector, or its effective input when it has no result; ``$$`` the
context object; ``$other`` a variable) or intrinsic calls. In JSONata states its string values may
be ``{% %}`` expressions over ``$states`` and the variables.
"""
from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from typing import Any, Callable

from stepflow.asl.errors import DATA_LIMIT_EXCEEDED, ASLError
from stepflow.asl.jsonata import compile_value
from stepflow.asl.paths import VARIABLES, to_json
from stepflow.asl.templates import compile_template

MAX_VARIABLE_BYTES = 256 * 1024
MAX_ASSIGN_BYTES = 256 * 1024
MAX_EXECUTION_VARIABLES_BYTES = 10 * 1024 * 1024

# A compiled Assign: ``(jsonpath_data, states_binding, context) -> {name: value}``.
Assignment = Callable[[Any, Mapping[str, Any], Any], dict[str, Any]]


class VariableScope:
    """The variables one lane (the top level, a Parallel branch, a Map iteration) sees and sets.

    A lane runs its states one after another, and its enclosing lane waits while it runs, so a
    scope is only ever written by its own lane and needs no lock.
    """

    __slots__ = ("own", "visible", "_sizes", "_parent")

    def __init__(self, parent: VariableScope | None = None) -> None:
        self.own: dict[str, Any] = {}
        self._sizes: dict[str, int] = {}
        self._parent = parent
        self.visible: Mapping[str, Any] = ChainMap(self.own, *(parent.visible.maps if parent else ()))  # type: ignore[attr-defined]

    def child(self) -> VariableScope:
        """A fresh scope for a branch or iteration: reads this one, writes only its own."""
        return VariableScope(self)

    def assign(self, values: Mapping[str, Any], state_name: str) -> dict[str, str]:
        """Set ``values`` after checking AWS's limits; returns ``assignedVariables`` for the history."""
        texts = {name: to_json(value) for name, value in values.items()}
        sizes = {name: len(text.encode("utf-8")) for name, text in texts.items()}
        for name, size in sizes.items():
            if size > MAX_VARIABLE_BYTES:
                raise _too_large(state_name, f"The variable '{name}' is {size} bytes, over the {MAX_VARIABLE_BYTES}")
        if sum(sizes.values()) > MAX_ASSIGN_BYTES:
            raise _too_large(state_name, f"The Assign field sets {sum(sizes.values())} bytes, over the {MAX_ASSIGN_BYTES}")
        total = self._total() - sum(self._sizes.get(name, 0) for name in values) + sum(sizes.values())
        if total > MAX_EXECUTION_VARIABLES_BYTES:
            raise _too_large(state_name, f"The variables would hold {total} bytes, over the {MAX_EXECUTION_VARIABLES_BYTES}")
        self.own.update(values)
        self._sizes.update(sizes)
        return texts

    def _total(self) -> int:
        scope: VariableScope | None = self
        total = 0
        while scope is not None:
            total += sum(scope._sizes.values())
            scope = scope._parent
        return total


def _too_large(state_name: str, what: str) -> ASLError:
    return ASLError(DATA_LIMIT_EXCEEDED, f"{what}-byte limit in the state '{state_name}'.")


def visible_variables() -> Mapping[str, Any]:
    """The variables the running state reads (as of its entry)."""
    return VARIABLES.get()


def compile_assign(assign: dict[str, Any], language: str, field: str = "Assign") -> Assignment:
    """Compile an ``Assign`` object once, for either query language."""
    if language == "JSONata":
        evaluate = compile_value(assign, field)
        return lambda data, states, context: evaluate(states, visible_variables())
    template = compile_template(assign, field)
    return lambda data, states, context: template.render(data, context)
