"""The one way local services open SQLite: WAL, waiting on locks, explicit transactions.

A transaction either commits whole or rolls back, so a crash in the middle of a task never leaves
half a table item or half an indexed face. ``write=True`` takes the write lock at BEGIN
(``BEGIN IMMEDIATE``), which makes read-check-write sequences atomic across threads and processes.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_LOCK_WAIT_SECONDS = 30


def connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        path, timeout=_LOCK_WAIT_SECONDS, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts and never loses a commit when a process dies; only a
    # power cut may lose the last commits. It saves an fsync per transaction.
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


@contextmanager
def transaction(path: Path, schema: str, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection inside one transaction on ``path``, with ``schema`` created if missing."""
    connection = connect(path)
    try:
        connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        for statement in filter(str.strip, schema.split(";")):
            connection.execute(statement)
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()
