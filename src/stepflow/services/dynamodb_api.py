"""The DynamoDB API operations over the local tables, request and response as DynamoDB's JSON.

One implementation for every door in: a function's boto3 calls (``functions/aws_hooks.py``) and a
state machine's ``arn:aws:states:::dynamodb:*`` tasks. Errors carry DynamoDB's error codes and
messages. Expressions cover what key lookups need: ``KeyConditionExpression`` with ``=`` on the
hash key and ``=, <, <=, >, >=, BETWEEN, begins_with`` on the range key, and ``UpdateExpression``
``SET a = :v, b = :w REMOVE c``; anything else is refused by name, never ignored.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from stepflow.asl.errors import StepflowError
from stepflow.services.attribute_values import AttributeValueError, key_text, to_plain
from stepflow.services.tables import KeySchema, ResourceNotFound, Tables, ValidationError


class ServiceError(StepflowError):
    """A DynamoDB error response: its code (``ResourceNotFoundException``...) and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


_UNSUPPORTED = ("ConditionExpression", "FilterExpression", "ProjectionExpression", "ExclusiveStartKey",
                "IndexName", "Expected", "ScanFilter", "KeyConditions", "AttributeUpdates")


def call(tables: Tables, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run one DynamoDB operation (``"PutItem"``...) and return its response body."""
    handler = _OPERATIONS.get(operation)
    if handler is None:
        raise ServiceError("UnknownOperationException", f"stepflow does not emulate DynamoDB {operation}")
    present = sorted(name for name in _UNSUPPORTED if name in params)
    if present:
        raise ServiceError(
            "ValidationException", f"stepflow's local DynamoDB does not support {', '.join(present)} in {operation}"
        )
    try:
        return handler(tables, params)
    except ResourceNotFound:
        raise ServiceError("ResourceNotFoundException", "Requested resource not found") from None
    except (ValidationError, AttributeValueError) as invalid:
        raise ServiceError("ValidationException", str(invalid)) from None
    except KeyError as missing:
        raise ServiceError("ValidationException", f"{operation} needs the parameter {missing.args[0]}") from None


def _returned(params: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    if params.get("ReturnValues", "NONE") == "ALL_OLD" and old is not None:
        return {"Attributes": old}
    return {}


def _put_item(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    return _returned(params, tables.put(params["TableName"], params["Item"]))


def _get_item(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    item = tables.get(params["TableName"], params["Key"])
    return {} if item is None else {"Item": item}


def _delete_item(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    return _returned(params, tables.remove(params["TableName"], params["Key"]))


_SET = re.compile(r"\s*([#\w.]+)\s*=\s*(:\w+)\s*")


def _update_item(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    table, key = params["TableName"], params["Key"]
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    old = tables.get(table, key)
    item = dict(old or key)
    for clause, body in re.findall(r"(SET|REMOVE)\s+(.*?)(?=\s+(?:SET|REMOVE)\s|$)", params.get("UpdateExpression", ""), re.I | re.S):
        for part in filter(str.strip, body.split(",")):
            if clause.upper() == "REMOVE":
                item.pop(names.get(part.strip(), part.strip()), None)
                continue
            match = _SET.fullmatch(part)
            if match is None or match.group(2) not in values:
                raise ServiceError("ValidationException", f"stepflow's local DynamoDB cannot evaluate SET {part.strip()!r}")
            item[names.get(match.group(1), match.group(1))] = values[match.group(2)]
    tables.put(table, item)
    mode = params.get("ReturnValues", "NONE")
    if mode == "ALL_NEW":
        return {"Attributes": item}
    return _returned(params, old)


_CONDITION = re.compile(
    r"\s*(?:begins_with\s*\(\s*([#\w]+)\s*,\s*(:\w+)\s*\)|([#\w]+)\s*(=|<=|>=|<|>|BETWEEN)\s*(:\w+)(?:\s+AND\s+(:\w+))?)\s*",
    re.I,
)


def _query(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    table = params["TableName"]
    schema = tables.schema(table)
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    conditions: dict[str, Callable[[Any], bool]] = {}
    hash_text = None
    for match in _conditions(params["KeyConditionExpression"]):
        prefix_name, prefix_value, name, operator, first, second = match.groups()
        attribute = names.get(prefix_name or name, prefix_name or name)
        if attribute == schema.hash_key and operator == "=":
            hash_text = key_text(values[first], schema.hash_type, attribute)
        elif attribute == schema.range_key:
            conditions[attribute] = _range_test(schema, operator, values, first, second, prefix_value)
        else:
            raise ServiceError("ValidationException", "Query condition missed key schema element")
    if hash_text is None:
        raise ServiceError("ValidationException", f"Query condition missed key schema element: {schema.hash_key}")
    items = [
        item for item in tables.items(table, hash_text)
        if all(test(to_plain(item[name])) for name, test in conditions.items())
    ]
    if params.get("ScanIndexForward") is False:
        items.reverse()
    if "Limit" in params:
        items = items[: int(params["Limit"])]
    return {"Items": items, "Count": len(items), "ScannedCount": len(items)}


def _conditions(expression: str) -> list[re.Match[str]]:
    """The ``A AND B`` parts of a key condition (a BETWEEN's own AND stays in its part)."""
    found, position = [], 0
    while True:
        match = _CONDITION.match(expression, position)
        if match is None:
            raise ServiceError("ValidationException", f"stepflow's local DynamoDB cannot evaluate {expression[position:].strip()!r}")
        found.append(match)
        position = match.end()
        if position == len(expression):
            return found
        joined = re.compile(r"AND\s+", re.I).match(expression, position)
        if joined is None:
            raise ServiceError("ValidationException", f"stepflow's local DynamoDB cannot evaluate {expression[position:].strip()!r}")
        position = joined.end()


def _range_test(schema: KeySchema, operator: str | None, values: dict, first: str | None,
                second: str | None, prefix: str | None) -> Callable[[Any], bool]:
    if prefix is not None:
        start = to_plain(values[prefix])
        return lambda value: isinstance(value, str) and value.startswith(start)
    low = to_plain(values[first])
    if (operator or "").upper() == "BETWEEN":
        high = to_plain(values[second])
        return lambda value: low <= value <= high
    return {
        "=": lambda value: value == low, "<": lambda value: value < low, "<=": lambda value: value <= low,
        ">": lambda value: value > low, ">=": lambda value: value >= low,
    }[operator or "="]


def _scan(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    items = tables.items(params["TableName"])
    if "Limit" in params:
        items = items[: int(params["Limit"])]
    return {"Items": items, "Count": len(items), "ScannedCount": len(items)}


def describe_table(tables: Tables, params: dict[str, Any], region: str, account: str) -> dict[str, Any]:
    table = params["TableName"]
    schema = tables.schema(table)
    keys = [(schema.hash_key, schema.hash_type, "HASH")]
    if schema.range_key:
        keys.append((schema.range_key, schema.range_type or "S", "RANGE"))
    return {"Table": {
        "TableName": table,
        "TableStatus": "ACTIVE",
        "KeySchema": [{"AttributeName": name, "KeyType": role} for name, _, role in keys],
        "AttributeDefinitions": [{"AttributeName": name, "AttributeType": kind} for name, kind, _ in keys],
        "ItemCount": tables.count(table),
        "TableArn": f"arn:aws:dynamodb:{region}:{account}:table/{table}",
    }}


def _list_tables(tables: Tables, params: dict[str, Any]) -> dict[str, Any]:
    return {"TableNames": tables.names()}


_OPERATIONS: dict[str, Callable[[Tables, dict[str, Any]], dict[str, Any]]] = {
    "PutItem": _put_item,
    "GetItem": _get_item,
    "DeleteItem": _delete_item,
    "UpdateItem": _update_item,
    "Query": _query,
    "Scan": _scan,
    "ListTables": _list_tables,
    "DescribeTable": lambda tables, params: describe_table(tables, params, "us-east-1", "123456789012"),
}
