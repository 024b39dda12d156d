"""Table definitions: key schema, attribute types and secondary indexes, as CreateTable takes them."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from stepflow.services.arns import arn
from stepflow.services.dynamodb import values as av
from stepflow.services.dynamodb.errors import validation

_NAME_RULE = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


@dataclass(frozen=True)
class KeySchema:
    """A partition key and an optional sort key, each with its declared type (S, N or B)."""

    hash_name: str
    hash_type: str
    range_name: str | None = None
    range_type: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)

    def check_item(self, item: av.Item) -> None:
        """PutItem's checks: every key attribute present, of its declared type, not empty."""
        for name, kind in self._pairs():
            if name not in item:
                raise validation(
                    f"One or more parameter values were invalid: Missing the key {name} in the item"
                )
            self._check_value(name, kind, item[name])

    def check_key(self, key: Any) -> av.Item:
        """A Key parameter: exactly the key attributes, of their types."""
        if not isinstance(key, dict) or set(key) != set(self.names):
            raise validation("The provided key element does not match the schema")
        key = av.canonical_item(key)
        for name, kind in self._pairs():
            self._check_value(name, kind, key[name])
        return key

    def key_of(self, item: av.Item) -> av.Item:
        return {name: item[name] for name in self.names}

    def _pairs(self) -> list[tuple[str, str]]:
        pairs = [(self.hash_name, self.hash_type)]
        if self.range_name is not None and self.range_type is not None:
            pairs.append((self.range_name, self.range_type))
        return pairs

    @staticmethod
    def _check_value(name: str, kind: str, value: av.AttributeValue) -> None:
        if kind not in value:
            raise validation(
                "One or more parameter values were invalid: Type mismatch for key "
                f"{name} expected: {kind} actual: {av.type_of(value)}"
            )
        if value[kind] == "":
            raise validation(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} "
                f"value. Key: {name}"
            )


@dataclass(frozen=True)
class Index:
    name: str
    keys: KeySchema
    projection: dict[str, Any]

    def project(self, item: av.Item, table_keys: KeySchema) -> av.Item:
        kind = self.projection.get("ProjectionType", "ALL")
        if kind == "ALL":
            return item
        wanted = set(table_keys.names) | set(self.keys.names)
        if kind == "INCLUDE":
            wanted |= set(self.projection.get("NonKeyAttributes", []))
        return {name: value for name, value in item.items() if name in wanted}


@dataclass(frozen=True)
class Table:
    """One table's definition, kept as CreateTable's request (plus when it was created)."""

    name: str
    keys: KeySchema
    indexes: dict[str, Index] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)
    created: float = 0.0

    @classmethod
    def from_request(cls, request: dict[str, Any], created: float | None = None) -> Table:
        name = request.get("TableName")
        if not isinstance(name, str) or not 3 <= len(name) <= 255:
            raise validation(
                f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy "
                "constraint: Member must have length between 3 and 255"
            )
        types = {
            d.get("AttributeName"): d.get("AttributeType")
            for d in request.get("AttributeDefinitions") or []
        }
        keys = _key_schema(request.get("KeySchema"), types)
        indexes = {}
        for spec in (request.get("GlobalSecondaryIndexes") or []) + (
            request.get("LocalSecondaryIndexes") or []
        ):
            index_keys = _key_schema(spec.get("KeySchema"), types)
            indexes[spec["IndexName"]] = Index(
                spec["IndexName"], index_keys, spec.get("Projection") or {"ProjectionType": "ALL"}
            )
        used = {n for schema in [keys, *(i.keys for i in indexes.values())] for n in schema.names}
        if set(types) != used:
            raise validation(
                "One or more parameter values were invalid: Number of attributes in KeySchema does "
                "not exactly match number of attributes defined in AttributeDefinitions"
            )
        return cls(name, keys, indexes, request, time.time() if created is None else created)

    @property
    def arn(self) -> str:
        return arn("dynamodb", f"table/{self.name}")

    def description(self, item_count: int, size: int) -> dict[str, Any]:
        """DescribeTable's ``Table`` (and CreateTable's ``TableDescription``)."""
        description: dict[str, Any] = {
            "AttributeDefinitions": self.request.get("AttributeDefinitions", []),
            "TableName": self.name,
            "KeySchema": self.request.get("KeySchema", []),
            "TableStatus": "ACTIVE",
            "CreationDateTime": self.created,
            "TableSizeBytes": size,
            "ItemCount": item_count,
            "TableArn": self.arn,
        }
        billing = self.request.get("BillingMode", "PROVISIONED")
        if billing == "PAY_PER_REQUEST":
            description["BillingModeSummary"] = {"BillingMode": "PAY_PER_REQUEST"}
        description["ProvisionedThroughput"] = {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": (self.request.get("ProvisionedThroughput") or {}).get(
                "ReadCapacityUnits", 0
            ),
            "WriteCapacityUnits": (self.request.get("ProvisionedThroughput") or {}).get(
                "WriteCapacityUnits", 0
            ),
        }
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if self.request.get(kind):
                description[kind] = [
                    {
                        "IndexName": spec["IndexName"],
                        "KeySchema": spec["KeySchema"],
                        "Projection": spec.get("Projection") or {"ProjectionType": "ALL"},
                        "IndexStatus": "ACTIVE",
                        "IndexArn": f"{self.arn}/index/{spec['IndexName']}",
                    }
                    for spec in self.request[kind]
                ]
        return description

    def index(self, name: str | None) -> tuple[KeySchema, Index | None]:
        if name is None:
            return self.keys, None
        if name not in self.indexes:
            raise validation(
                "The table does not have the specified index: " + name
            )
        return self.indexes[name].keys, self.indexes[name]


def _key_schema(schema: Any, types: dict[str, str]) -> KeySchema:
    if not isinstance(schema, list) or not 1 <= len(schema) <= 2:
        raise validation(
            "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: "
            "Member must have length between 1 and 2"
        )
    roles = {entry.get("KeyType"): entry.get("AttributeName") for entry in schema}
    hash_name, range_name = roles.get("HASH"), roles.get("RANGE")
    if hash_name is None:
        raise validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    for name in filter(None, (hash_name, range_name)):
        if types.get(name) not in av.KEY_TYPES:
            raise validation(
                "One or more parameter values were invalid: Some index key attributes are not "
                "defined in AttributeDefinitions. Keys: [" + name + "], AttributeDefinitions: ["
                + ", ".join(types) + "]"
            )
    return KeySchema(
        hash_name, types[hash_name], range_name, types.get(range_name) if range_name else None
    )
