"""The grammar of DynamoDB's expressions, parsed by lark into small tuples.

One LALR grammar with three entry points: conditions (ConditionExpression, FilterExpression,
KeyConditionExpression), update expressions and projection expressions, as the developer guide
writes them ("Condition expressions", "Update expressions": syntax and precedence NOT > AND > OR).
Keywords are case-insensitive; names may be written plainly or as ``#placeholders``. The parse is
cached per text, so a Task state that sends the same expression every time parses it once; lark
and the parsers are loaded on the first parse, so importing stepflow stays quick.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any


from stepflow.services.dynamodb.errors import validation

_GRAMMAR = r"""
condition: _or
_or: or_ | _and
or_: _or OR _and
_and: and_ | _not
and_: _and AND _not
_not: not_ | _predicate
not_: NOT _not
_predicate: compare | between | in_ | call | "(" _or ")"
compare: operand COMPARATOR operand
between: operand BETWEEN operand AND operand
in_: operand IN "(" operand ("," operand)* ")"
call: NAME "(" operand ("," operand)* ")"
?operand: path | VALUE | size
size: SIZE "(" path ")"

update: _clause+
_clause: set_clause | remove_clause | add_clause | delete_clause
set_clause: SET set_action ("," set_action)*
set_action: path "=" _set_value
_set_value: _set_operand | plus | minus
plus: _set_operand "+" _set_operand
minus: _set_operand "-" _set_operand
_set_operand: path | VALUE | set_call
set_call: NAME "(" _set_operand ("," _set_operand)* ")"
remove_clause: REMOVE path ("," path)*
add_clause: ADD path VALUE ("," path VALUE)*
delete_clause: DELETE path VALUE ("," path VALUE)*

projection: path ("," path)*

path: _name ("." _name | "[" INDEX "]")*
_name: NAME | PLACEHOLDER

COMPARATOR: "<>" | "<=" | ">=" | "=" | "<" | ">"
OR: /or\b/i
AND: /and\b/i
NOT: /not\b/i
BETWEEN: /between\b/i
IN: /in\b/i
SIZE: /size\b/i
SET: /set\b/i
REMOVE: /remove\b/i
ADD: /add\b/i
DELETE: /delete\b/i
NAME.-1: /[A-Za-z_][A-Za-z0-9_]*/
PLACEHOLDER: /#[A-Za-z0-9_]+/
VALUE: /:[A-Za-z0-9_]+/
INDEX: /[0-9]+/
%ignore /\s+/
"""

# Parsed nodes are tuples: ("path", (segment, ...)) where a segment is a str (a name or a
# #placeholder) or an int (a list index); ("value", ":v"); ("size", path); ("compare", op, l, r);
# ("between", x, lo, hi); ("in", x, (y, ...)); ("call", name, (arg, ...)); ("and"|"or", l, r);
# ("not", c); update clauses ("SET", ((path, value), ...)), ("REMOVE", (path, ...)),
# ("ADD"|"DELETE", ((path, ":v"), ...)), with SET values ("+"|"-", l, r) and ("call", ...).
Node = tuple[Any, ...]


@lru_cache(maxsize=None)
def _parser(start: str) -> Any:
    """The LALR parser of one entry point. One each: in a shared table the states after a
    #placeholder would merge, and the contextual lexer would then read a condition's "=" as the
    update's assignment."""
    from lark import Lark

    return Lark(_GRAMMAR, parser="lalr", start=start)


@lru_cache(maxsize=None)
def _to_tuples() -> Any:
    """The transformer from lark's tree to the tuples above."""
    from lark import Token, Transformer, v_args

    @v_args(inline=True)
    class _ToTuples(Transformer):
        def condition(self, node: Node) -> Node:
            return node

        def or_(self, left: Node, _: Token, right: Node) -> Node:
            return ("or", left, right)

        def and_(self, left: Node, _: Token, right: Node) -> Node:
            return ("and", left, right)

        def not_(self, _: Token, node: Node) -> Node:
            return ("not", node)

        def compare(self, left: Node, op: Token, right: Node) -> Node:
            return ("compare", str(op), left, right)

        def between(self, subject: Node, _b: Token, low: Node, _a: Token, high: Node) -> Node:
            return ("between", subject, low, high)

        def in_(self, subject: Node, _: Token, *options: Node) -> Node:
            return ("in", subject, options)

        def call(self, name: Token, *args: Node) -> Node:
            return ("call", str(name), args)

        set_call = call

        def size(self, _: Token, path: Node) -> Node:
            return ("size", path)

        def VALUE(self, token: Token) -> Node:
            return ("value", str(token))

        def path(self, *segments: Token) -> Node:
            return ("path", tuple(int(s) if s.type == "INDEX" else str(s) for s in segments))

        def update(self, *clauses: Node) -> tuple[Node, ...]:
            return clauses

        def set_clause(self, _: Token, *actions: Node) -> Node:
            return ("SET", actions)

        def set_action(self, path: Node, value: Node) -> Node:
            return (path, value)

        def plus(self, left: Node, right: Node) -> Node:
            return ("+", left, right)

        def minus(self, left: Node, right: Node) -> Node:
            return ("-", left, right)

        def remove_clause(self, _: Token, *paths: Node) -> Node:
            return ("REMOVE", paths)

        def add_clause(self, keyword: Token, *pairs: Node) -> Node:
            return (keyword.upper(), tuple(zip(pairs[::2], pairs[1::2])))

        delete_clause = add_clause

        def projection(self, *paths: Node) -> tuple[Node, ...]:
            return paths

    return _ToTuples()


@lru_cache(maxsize=1024)
def parse(text: str, start: str, field: str) -> Any:
    """The parsed expression; ValidationException shaped like DynamoDB's syntax errors."""
    if not isinstance(text, str) or not text.strip():
        raise validation(f"Invalid {field}: The expression can not be empty;")
    from lark.exceptions import UnexpectedInput

    try:
        return _to_tuples().transform(_parser(start).parse(text))
    except UnexpectedInput as problem:
        raise validation(
            f'Invalid {field}: Syntax error; token: "{_token(problem, text)}", '
            f'near: "{_near(problem, text)}"'
        ) from None


def _token(problem: Any, text: str) -> str:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(problem, UnexpectedToken):
        return "<EOF>" if problem.token.type == "$END" else str(problem.token)
    if isinstance(problem, UnexpectedCharacters):
        return text[problem.pos_in_stream]
    return "<EOF>"


def _near(problem: Any, text: str) -> str:
    position = getattr(problem, "pos_in_stream", None)
    if position is None:
        position = len(text)
    return text[max(0, position - 10) : position + 10].strip()
