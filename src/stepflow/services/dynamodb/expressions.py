"""Evaluating DynamoDB expressions on items: conditions, updates, projections, key conditions.

An ``Expressions`` object holds one request's ExpressionAttributeNames/Values; it resolves
``#name`` and ``:value`` placeholders, records which were used (DynamoDB refuses unused ones), and
evaluates the parsed trees of ``grammar``. Semantics and messages follow the developer guide
("Comparison operator and function reference", "Update expressions") and DynamoDB's answers.
"""
from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from stepflow.services.dynamodb import values as av
from stepflow.services.dynamodb.errors import validation
from stepflow.services.dynamodb.grammar import Node, parse

Path = tuple[str | int, ...]
_BOOLEAN_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
_TYPE_NAMES = set(av.TYPES)


class Expressions:
    """One request's placeholders and the expressions that use them."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.names: dict[str, str] = dict(request.get("ExpressionAttributeNames") or {})
        raw_values = request.get("ExpressionAttributeValues") or {}
        self.values: dict[str, av.AttributeValue] = {}
        for name, value in raw_values.items():
            try:
                self.values[name] = av.canonical(value)
            except Exception as problem:
                raise validation(
                    f"ExpressionAttributeValues contains invalid value: {getattr(problem, 'message', problem)} "
                    f"for key {name}"
                ) from None
        self._used_names: set[str] = set()
        self._used_values: set[str] = set()

    # -- parsing, with placeholder checks -------------------------------------------------------

    def condition(self, text: str, field: str = "ConditionExpression") -> Node:
        tree = parse(text, "condition", field)
        self._check(tree, field, boolean=True)
        return tree

    def update(self, text: str) -> tuple[Node, ...]:
        clauses = parse(text, "update", "UpdateExpression")
        seen: set[str] = set()
        for keyword, _ in clauses:
            if keyword in seen:
                raise validation(
                    f'Invalid UpdateExpression: The "{keyword}" section can only be used once in an '
                    "update expression;"
                )
            seen.add(keyword)
        self._walk(clauses, "UpdateExpression")
        return clauses

    def projection(self, text: str) -> list[Path]:
        paths = parse(text, "projection", "ProjectionExpression")
        return [self.path(node) for node in paths]

    def check_all_used(self) -> None:
        """DynamoDB refuses placeholders that no expression of the request uses."""
        unused_names = sorted(set(self.names) - self._used_names)
        if unused_names:
            raise validation(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                f"{{{', '.join(unused_names)}}}"
            )
        unused_values = sorted(set(self.values) - self._used_values)
        if unused_values:
            raise validation(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                f"{{{', '.join(unused_values)}}}"
            )

    def _check(self, node: Node, field: str, boolean: bool) -> None:
        kind = node[0]
        if kind in ("and", "or"):
            self._check(node[1], field, True)
            self._check(node[2], field, True)
        elif kind == "not":
            self._check(node[1], field, True)
        elif kind == "call":
            name, args = node[1], node[2]
            if name not in _BOOLEAN_FUNCTIONS:
                raise validation(f"Invalid {field}: Invalid function name; function: {name}")
            if len(args) != _BOOLEAN_FUNCTIONS[name]:
                raise validation(
                    f"Invalid {field}: Incorrect number of operands for operator or function; "
                    f"operator or function: {name}, number of operands: {len(args)}"
                )
            if args[0][0] != "path":
                raise validation(
                    f"Invalid {field}: Operator or function requires a document path; "
                    f"operator or function: {name}"
                )
            self._walk(args, field)
        else:
            self._walk(node, field)

    def _walk(self, node: Any, field: str) -> None:
        """Mark (and check) every placeholder under ``node``."""
        if isinstance(node, tuple) and node and node[0] == "path":
            self.path(node)
        elif isinstance(node, tuple) and node and node[0] == "value":
            self.value(node[1])
        elif isinstance(node, tuple):
            for child in node:
                self._walk(child, field)

    # -- placeholders ---------------------------------------------------------------------------

    def path(self, node: Node) -> Path:
        resolved: list[str | int] = []
        for segment in node[1]:
            if isinstance(segment, str) and segment.startswith("#"):
                if segment not in self.names:
                    raise validation(
                        "An expression attribute name used in the document path is not defined; "
                        f"attribute name: {segment}"
                    )
                self._used_names.add(segment)
                resolved.append(self.names[segment])
            else:
                resolved.append(segment)
        return tuple(resolved)

    def value(self, name: str) -> av.AttributeValue:
        if name not in self.values:
            raise validation(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {name}"
            )
        self._used_values.add(name)
        return self.values[name]

    # -- conditions -----------------------------------------------------------------------------

    def holds(self, tree: Node | None, item: av.Item | None) -> bool:
        """Whether the condition holds for ``item`` (None: no item, every attribute missing)."""
        if tree is None:
            return True
        return self._holds(tree, item or {})

    def _holds(self, node: Node, item: av.Item) -> bool:
        kind = node[0]
        if kind == "and":
            return self._holds(node[1], item) and self._holds(node[2], item)
        if kind == "or":
            return self._holds(node[1], item) or self._holds(node[2], item)
        if kind == "not":
            return not self._holds(node[1], item)
        if kind == "compare":
            return _compare(node[1], self.operand(node[2], item), self.operand(node[3], item))
        if kind == "between":
            subject = self.operand(node[1], item)
            return _compare(">=", subject, self.operand(node[2], item)) and _compare(
                "<=", subject, self.operand(node[3], item)
            )
        if kind == "in":
            subject = self.operand(node[1], item)
            return any(av.equal(subject, self.operand(option, item)) for option in node[2])
        return self._function(node[1], node[2], item)

    def _function(self, name: str, args: tuple[Node, ...], item: av.Item) -> bool:
        subject = self.operand(args[0], item)
        if name == "attribute_exists":
            return subject is not None
        if name == "attribute_not_exists":
            return subject is None
        argument = self.operand(args[1], item)
        if name == "attribute_type":
            wanted = argument.get("S") if argument else None
            if wanted not in _TYPE_NAMES:
                raise validation(
                    "Invalid ConditionExpression: Invalid type of attribute_type function; "
                    f"type: {wanted}"
                )
            return subject is not None and wanted in subject
        if subject is None or argument is None:
            return False
        (kind,) = subject
        if name == "begins_with":
            return kind in ("S", "B") and tuple(argument) == (kind,) and (
                subject[kind].startswith(argument[kind])
            )
        # contains: a substring of a string, a member of a set or of a list
        if kind == "S":
            return "S" in argument and argument["S"] in subject["S"]
        if kind in av.SET_TYPES:
            return av.set_contains(subject, argument)
        if kind == "L":
            return any(av.equal(member, argument) for member in subject["L"])
        return False

    def operand(self, node: Node, item: av.Item) -> av.AttributeValue | None:
        kind = node[0]
        if kind == "path":
            return lookup(item, self.path(node))
        if kind == "value":
            return self.value(node[1])
        if kind == "size":
            target = lookup(item, self.path(node[1]))
            return None if target is None else {"N": str(av.size(target))}
        raise validation(
            "Invalid ConditionExpression: The function is not allowed to be used this way in an "
            f"expression; function: {node[1]}"
        )

    # -- updates --------------------------------------------------------------------------------

    def apply_update(
        self, clauses: tuple[Node, ...], item: av.Item, key_names: tuple[str, ...]
    ) -> tuple[av.Item, set[str]]:
        """The updated item and the top-level attributes the update touched.

        Every value is computed from the item as it was before the update, as DynamoDB does.
        """
        actions: list[tuple[str, Path, Any]] = []
        for keyword, entries in clauses:
            if keyword == "SET":
                for path_node, value_node in entries:
                    actions.append(("SET", self.path(path_node), self._set_value(value_node, item)))
            elif keyword == "REMOVE":
                actions.extend(("REMOVE", self.path(node), None) for node in entries)
            else:
                actions.extend(
                    (keyword, self.path(path_node), self.value(value_node[1]))
                    for path_node, value_node in entries
                )
        _check_paths(actions, key_names)
        updated = copy.deepcopy(item)
        # Removals of list elements go from the highest index down so earlier indexes stay valid.
        removals = sorted(
            (a for a in actions if a[0] == "REMOVE"), key=lambda a: a[1], reverse=True
        )
        for keyword, path, value in [a for a in actions if a[0] != "REMOVE"] + removals:
            _apply(updated, keyword, path, value)
        return updated, {str(path[0]) for _, path, _ in actions}

    def _set_value(self, node: Node, item: av.Item) -> av.AttributeValue:
        kind = node[0]
        if kind in ("+", "-"):
            left, right = self._set_value(node[1], item), self._set_value(node[2], item)
            if "N" not in left or "N" not in right:
                raise validation(
                    "An operand in the update expression has an incorrect data type"
                )
            total = av.number(left["N"]) + (av.number(right["N"]) * (1 if kind == "+" else -1))
            return {"N": av.number_text(total)}
        if kind == "call":
            return self._set_function(node[1], node[2], item)
        value = self.operand(node, item)
        if value is None:
            raise validation(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return value

    def _set_function(self, name: str, args: tuple[Node, ...], item: av.Item) -> av.AttributeValue:
        if name not in ("if_not_exists", "list_append"):
            raise validation(f"Invalid UpdateExpression: Invalid function name; function: {name}")
        if len(args) != 2:
            raise validation(
                "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(args)}"
            )
        if name == "if_not_exists":
            if args[0][0] != "path":
                raise validation(
                    "Invalid UpdateExpression: Operator or function requires a document path; "
                    "operator or function: if_not_exists"
                )
            present = lookup(item, self.path(args[0]))
            return present if present is not None else self._set_value(args[1], item)
        left, right = self._set_value(args[0], item), self._set_value(args[1], item)
        if "L" not in left or "L" not in right:
            raise validation(
                "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                "operator or function: list_append, operand type: "
                f"{next(iter(left if 'L' not in left else right))}"
            )
        return {"L": left["L"] + right["L"]}


def lookup(item: av.Item, path: Path) -> av.AttributeValue | None:
    """The value at a document path, or None when any step is missing."""
    current: av.AttributeValue | None = item.get(path[0]) if isinstance(path[0], str) else None
    for segment in path[1:]:
        if current is None:
            return None
        if isinstance(segment, int):
            members = current.get("L")
            current = members[segment] if members is not None and segment < len(members) else None
        else:
            members = current.get("M")
            current = members.get(segment) if members is not None else None
    return current


def project(item: av.Item, paths: list[Path]) -> av.Item:
    """The parts of ``item`` a ProjectionExpression names, nested as in the item."""
    result: av.Item = {}
    for path in paths:
        value = lookup(item, path)
        if value is None:
            continue
        if len(path) == 1:
            result[str(path[0])] = value
            continue
        container: dict[str, Any] = {"M": result}
        for index, segment in enumerate(path):
            last = index == len(path) - 1
            if isinstance(segment, int):
                members = container.setdefault("L", [])
                if last:
                    members.append(value)
                else:
                    kind = "L" if isinstance(path[index + 1], int) else "M"
                    members.append({kind: [] if kind == "L" else {}})
                    container = members[-1]
            else:
                members = container["M"]
                if last:
                    members[segment] = value
                else:
                    kind = "L" if isinstance(path[index + 1], int) else "M"
                    container = members.setdefault(segment, {kind: [] if kind == "L" else {}})
    return result


def _compare(op: str, left: av.AttributeValue | None, right: av.AttributeValue | None) -> bool:
    if op == "=":
        return left is not None and av.equal(left, right)
    if op == "<>":
        return not av.equal(left, right)
    pair = av.ordered(left, right)
    if pair is None:
        return False
    a, b = pair
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _check_paths(actions: list[tuple[str, Path, Any]], key_names: tuple[str, ...]) -> None:
    paths = [path for _, path, _ in actions]
    for path in paths:
        if len(path) == 1 and path[0] in key_names:
            raise validation(
                f"One or more parameter values were invalid: Cannot update attribute {path[0]}. "
                "This attribute is part of the key"
            )
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first), len(second))
            if first[:shorter] == second[:shorter]:
                raise validation(
                    "Invalid UpdateExpression: Two document paths overlap with each other; must "
                    "remove or rewrite one of these paths; path one: "
                    f"[{', '.join(map(str, first))}], path two: [{', '.join(map(str, second))}]"
                )


def _apply(item: av.Item, keyword: str, path: Path, value: Any) -> None:
    members = _members(item, path, create=keyword != "REMOVE")
    if members is None:
        return
    last = path[-1]
    if isinstance(last, int):
        present = members[last] if last < len(members) else None
    else:
        present = members.get(last)
    if keyword == "SET":
        _put(members, last, value)
    elif keyword == "REMOVE":
        if present is not None:
            del members[last]
    elif keyword == "ADD":
        _put(members, last, _add(present, value))
    else:  # DELETE
        remaining = _delete(present, value)
        if remaining is None:
            if present is not None:
                del members[last]
        else:
            _put(members, last, remaining)


def _put(members: Any, last: str | int, value: av.AttributeValue) -> None:
    if isinstance(last, int):
        if last < len(members):
            members[last] = value
        else:
            members.append(value)  # past the end: DynamoDB appends
    else:
        members[last] = value


def _members(item: av.Item, path: Path, create: bool) -> Any:
    """The map or list holding the path's last step: the item itself for a top-level name."""
    if len(path) == 1:
        return item
    parent = lookup(item, path[:-1])
    wanted = "L" if isinstance(path[-1], int) else "M"
    if parent is None or wanted not in parent:
        if not create:
            return None
        raise validation("The document path provided in the update expression is invalid for update")
    return parent[wanted]


def _add(present: av.AttributeValue | None, value: av.AttributeValue) -> av.AttributeValue:
    (kind,) = value
    if kind == "N" and (present is None or "N" in present):
        base = av.number(present["N"]) if present else Decimal(0)
        return {"N": av.number_text(base + av.number(value["N"]))}
    if kind in av.SET_TYPES and (present is None or kind in present):
        return {kind: av.set_union(kind, present[kind] if present else [], value[kind])}
    raise validation(
        "An operand in the update expression has an incorrect data type"
    )


def _delete(present: av.AttributeValue | None, value: av.AttributeValue) -> av.AttributeValue | None:
    (kind,) = value
    if kind not in av.SET_TYPES or (present is not None and kind not in present):
        raise validation("An operand in the update expression has an incorrect data type")
    if present is None:
        return None
    remaining = av.set_difference(kind, present[kind], value[kind])
    return {kind: remaining} if remaining else None
