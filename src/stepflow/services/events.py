"""Local EventBridge: event buses, rules with event patterns, targets with input transformers.

Everything is in ``<data root>/events.sqlite3``. ``put_events`` is PutEvents: each entry becomes
an event in AWS's envelope (``version``, ``id``, ``detail-type``, ``source``, ``account``,
``time``, ``region``, ``resources``, ``detail``), is matched against the bus's enabled rules, and
every (event, rule, target) match is written, in the same transaction, as a *delivery* with the
target's input already transformed. Deliveries are an outbox: whoever runs the targets (``stepflow
serve``, or ``stepflow bucket put`` when no server runs) takes the pending ones, starts each
target, and marks it done; a delivery is done once, whoever crashes in between (see
``services.triggers``).

S3's "Object Created" events come from ``object_created``, called for each object written into a
bucket with EventBridge notifications on. An object is announced once per (bucket, key, size,
modification time): the watcher and the writer may both see it, only the first announces it.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

from stepflow.asl.errors import StepflowError
from stepflow.services import event_patterns
from stepflow.services.sqlite import transaction

FILE_NAME = "events.sqlite3"
DEFAULT_BUS = "default"
ACCOUNT, REGION = "123456789012", "us-east-1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
    bus TEXT NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, state TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '', PRIMARY KEY (bus, name)
);
CREATE TABLE IF NOT EXISTS targets (
    bus TEXT NOT NULL, rule TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (bus, rule, id)
);
CREATE TABLE IF NOT EXISTS deliveries (
    event_id TEXT NOT NULL, rule TEXT NOT NULL, target_id TEXT NOT NULL, arn TEXT NOT NULL,
    input TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'PENDING', result TEXT,
    PRIMARY KEY (event_id, rule, target_id)
);
CREATE TABLE IF NOT EXISTS s3_notifications (bucket TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS s3_announced (
    bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, size, mtime_ns)
)
"""


class ResourceNotFoundException(StepflowError):
    """EventBridge's ResourceNotFoundException: no such rule on the bus."""


@dataclass(frozen=True)
class Delivery:
    """One event for one target: ``input`` is what the target receives."""

    event_id: str
    rule: str
    target_id: str
    arn: str
    input: str

    @property
    def execution_name(self) -> str:
        """A name that is the same every time this delivery is tried, so starting it twice finds the
        execution the first try started (ExecutionAlreadyExists) instead of starting another."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.event_id}/{self.rule}/{self.target_id}"))


class EventBus:
    """The buses, rules, targets and deliveries of one data root."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    # --- rules and targets (PutRule, PutTargets, ...) ---------------------------------------------

    def put_rule(
        self, name: str, event_pattern: str | Mapping[str, Any], *, bus: str = DEFAULT_BUS,
        state: str = "ENABLED", description: str = "",
    ) -> dict[str, str]:
        pattern = json.loads(event_pattern) if isinstance(event_pattern, str) else dict(event_pattern)
        event_patterns.check_pattern(pattern)
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute(
                "INSERT OR REPLACE INTO rules (bus, name, pattern, state, description) VALUES (?, ?, ?, ?, ?)",
                (bus, name, json.dumps(pattern), state, description),
            )
        return {"RuleArn": rule_arn(name, bus)}

    def put_targets(self, rule: str, targets: Iterable[Mapping[str, Any]], *, bus: str = DEFAULT_BUS) -> dict[str, Any]:
        with transaction(self.path, _SCHEMA, write=True) as db:
            if db.execute("SELECT 1 FROM rules WHERE bus = ? AND name = ?", (bus, rule)).fetchone() is None:
                raise ResourceNotFoundException(f"Rule {rule} does not exist on EventBus {bus}.")
            for target in targets:
                db.execute(
                    "INSERT OR REPLACE INTO targets (bus, rule, id, body) VALUES (?, ?, ?, ?)",
                    (bus, rule, target["Id"], json.dumps(dict(target))),
                )
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def delete_rule(self, name: str, *, bus: str = DEFAULT_BUS) -> None:
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute("DELETE FROM targets WHERE bus = ? AND rule = ?", (bus, name))
            db.execute("DELETE FROM rules WHERE bus = ? AND name = ?", (bus, name))

    def list_rules(self, *, bus: str = DEFAULT_BUS) -> list[dict[str, Any]]:
        with transaction(self.path, _SCHEMA) as db:
            rows = db.execute("SELECT name, pattern, state, description FROM rules WHERE bus = ? ORDER BY name", (bus,))
            return [
                {"Name": n, "Arn": rule_arn(n, bus), "EventPattern": p, "State": s, "Description": d, "EventBusName": bus}
                for n, p, s, d in rows.fetchall()
            ]

    def list_targets_by_rule(self, rule: str, *, bus: str = DEFAULT_BUS) -> list[dict[str, Any]]:
        with transaction(self.path, _SCHEMA) as db:
            rows = db.execute("SELECT body FROM targets WHERE bus = ? AND rule = ? ORDER BY id", (bus, rule))
            return [json.loads(body) for (body,) in rows.fetchall()]

    # --- events (PutEvents) -----------------------------------------------------------------------

    def put_events(self, entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
        """PutEvents: each entry (``Source``, ``DetailType``, ``Detail`` as JSON text, optional
        ``EventBusName``, ``Resources``, ``Time``) is enveloped, matched and its deliveries written."""
        results, failed = [], 0
        with transaction(self.path, _SCHEMA, write=True) as db:
            for entry in entries:
                try:
                    event = envelope(entry)
                except (ValueError, KeyError, TypeError) as bad:
                    failed += 1
                    results.append({"ErrorCode": "MalformedDetail", "ErrorMessage": f"Detail is malformed: {bad}"})
                    continue
                self._route(db, entry.get("EventBusName") or DEFAULT_BUS, event)
                results.append({"EventId": event["id"]})
        return {"FailedEntryCount": failed, "Entries": results}

    def _route(self, db: sqlite3.Connection, bus: str, event: dict[str, Any]) -> None:
        rules = db.execute("SELECT name, pattern FROM rules WHERE bus = ? AND state = 'ENABLED'", (bus,)).fetchall()
        for name, pattern in rules:
            if not event_patterns.matches(json.loads(pattern), event):
                continue
            for (body,) in db.execute("SELECT body FROM targets WHERE bus = ? AND rule = ?", (bus, name)).fetchall():
                target = json.loads(body)
                db.execute(
                    "INSERT OR IGNORE INTO deliveries (event_id, rule, target_id, arn, input) VALUES (?, ?, ?, ?, ?)",
                    (event["id"], name, target["Id"], target["Arn"], target_input(target, event, name)),
                )

    # --- deliveries -------------------------------------------------------------------------------

    def pending(self) -> list[Delivery]:
        """Deliveries not done yet, oldest first."""
        with transaction(self.path, _SCHEMA) as db:
            rows = db.execute(
                "SELECT event_id, rule, target_id, arn, input FROM deliveries WHERE state = 'PENDING' ORDER BY rowid"
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def finish(self, delivery: Delivery, state: str, result: str) -> None:
        """Mark a delivery DELIVERED (``result``: what it started) or FAILED (``result``: why)."""
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute(
                "UPDATE deliveries SET state = ?, result = ? WHERE event_id = ? AND rule = ? AND target_id = ?",
                (state, result, delivery.event_id, delivery.rule, delivery.target_id),
            )

    def deliveries(self) -> list[dict[str, Any]]:
        """Every delivery with its state and result (for tests and the console)."""
        with transaction(self.path, _SCHEMA) as db:
            rows = db.execute(
                "SELECT event_id, rule, target_id, arn, input, state, result FROM deliveries ORDER BY rowid"
            ).fetchall()
        keys = ("eventId", "rule", "targetId", "arn", "input", "state", "result")
        return [dict(zip(keys, row)) for row in rows]

    # --- S3's EventBridge notifications -----------------------------------------------------------

    def enable_bucket_notifications(self, bucket: str, existing: Iterable[tuple[str, int, int]] = ()) -> None:
        """Send the bucket's "Object Created" events to the default bus from now on; ``existing``
        objects (key, size, mtime_ns) were there before and are never announced."""
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute("INSERT OR IGNORE INTO s3_notifications (bucket) VALUES (?)", (bucket,))
            db.executemany(
                "INSERT OR IGNORE INTO s3_announced (bucket, key, size, mtime_ns) VALUES (?, ?, ?, ?)",
                [(bucket, *item) for item in existing],
            )

    def disable_bucket_notifications(self, bucket: str) -> None:
        with transaction(self.path, _SCHEMA, write=True) as db:
            db.execute("DELETE FROM s3_notifications WHERE bucket = ?", (bucket,))

    def notifying_buckets(self) -> list[str]:
        if not self.path.exists():
            return []
        with transaction(self.path, _SCHEMA) as db:
            return [b for (b,) in db.execute("SELECT bucket FROM s3_notifications ORDER BY bucket").fetchall()]

    def object_created(self, bucket: str, key: str, size: int, mtime_ns: int, reason: str = "PutObject") -> str | None:
        """Announce an object written into ``bucket``: the event's id, or None when the bucket does
        not notify or this very object (same size and modification time) was announced already."""
        if not self.path.exists():
            return None
        with transaction(self.path, _SCHEMA, write=True) as db:
            if db.execute("SELECT 1 FROM s3_notifications WHERE bucket = ?", (bucket,)).fetchone() is None:
                return None
            announced = db.execute(
                "INSERT OR IGNORE INTO s3_announced (bucket, key, size, mtime_ns) VALUES (?, ?, ?, ?)",
                (bucket, key, size, mtime_ns),
            ).rowcount
            if not announced:
                return None
            event = envelope({
                "Source": "aws.s3",
                "DetailType": "Object Created",
                "Resources": [f"arn:aws:s3:::{bucket}"],
                "Detail": json.dumps(object_created_detail(bucket, key, size, mtime_ns, reason)),
            })
            self._route(db, DEFAULT_BUS, event)
        return str(event["id"])


def rule_arn(name: str, bus: str = DEFAULT_BUS) -> str:
    path = name if bus == DEFAULT_BUS else f"{bus}/{name}"
    return f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{path}"


def envelope(entry: Mapping[str, Any]) -> dict[str, Any]:
    """A PutEvents entry in the envelope rules and targets see (EventBridge user guide, "Amazon
    EventBridge events")."""
    detail = json.loads(entry.get("Detail") or "{}")
    if not isinstance(detail, dict):
        raise ValueError("Detail must be a JSON object")
    moment = entry.get("Time") or datetime.now(timezone.utc)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": str(entry["DetailType"]),
        "source": str(entry["Source"]),
        "account": ACCOUNT,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ") if isinstance(moment, datetime) else str(moment),
        "region": REGION,
        "resources": list(entry.get("Resources") or []),
        "detail": detail,
    }


def object_created_detail(bucket: str, key: str, size: int, mtime_ns: int, reason: str) -> dict[str, Any]:
    """The ``detail`` of S3's "Object Created" event (Amazon S3 user guide, "EventBridge event
    message structure"): bucket, object (key, size, etag, sequencer), request and reason."""
    return {
        "version": "0",
        "bucket": {"name": bucket},
        "object": {
            "key": key,
            "size": size,
            "etag": uuid.uuid5(uuid.NAMESPACE_URL, f"{bucket}/{key}/{size}/{mtime_ns}").hex,
            "sequencer": f"{mtime_ns:018X}",
        },
        "request-id": uuid.uuid4().hex[:16].upper(),
        "requester": ACCOUNT,
        "source-ip-address": "127.0.0.1",
        "reason": reason,
    }


def target_input(target: Mapping[str, Any], event: Mapping[str, Any], rule: str) -> str:
    """What a target receives: ``Input`` as given, the ``InputPath`` part of the event, the
    ``InputTransformer``'s output, or else the whole event (PutTargets' four choices)."""
    if "Input" in target:
        return str(target["Input"])
    if "InputPath" in target:
        from jsonpath_ng.ext import parse

        found = [m.value for m in parse(target["InputPath"]).find(event)]
        return json.dumps(found[0] if found else None)
    if "InputTransformer" in target:
        return event_patterns.transform(target["InputTransformer"], event, rule)
    return json.dumps(event)
