"""The execution store: every execution the CLI runs, kept in SQLite in the data root.

It keeps what AWS keeps for ``describe-execution`` and ``get-execution-history`` (plus the
definition and the per-state data-flow records), so graphs, reports and traces can be made later,
from another process. WAL mode and a busy timeout let several processes save at once.
"""
from __future__ import annotations

import dataclasses
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stepflow import settings
from stepflow.asl.errors import StepflowError
from stepflow.engine.history import history_json
from stepflow.engine.trace import StepRecord

FILE_NAME = "executions.sqlite3"
_BUSY_TIMEOUT_SECONDS = 30.0
_COLUMNS = (
    "execution_arn", "name", "state_machine_arn", "definition", "input", "output", "status",
    "error", "cause", "start_date", "stop_date", "history", "steps",
)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS executions (
    execution_arn TEXT PRIMARY KEY, name TEXT NOT NULL, state_machine_arn TEXT NOT NULL,
    definition TEXT NOT NULL, input TEXT, output TEXT, status TEXT NOT NULL, error TEXT,
    cause TEXT, start_date TEXT NOT NULL, stop_date TEXT, history TEXT NOT NULL, steps TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (state_machine_arn, start_date);
CREATE TABLE IF NOT EXISTS map_runs (
    map_run_arn TEXT PRIMARY KEY, execution_arn TEXT NOT NULL, described TEXT NOT NULL, children TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS map_runs_by_execution ON map_runs (execution_arn);
"""


class ExecutionNotFound(StepflowError):
    """No stored execution has the ARN or name asked for (AWS: ExecutionDoesNotExist)."""


@dataclass
class StoredExecution:
    """An execution read back from the store: the same attributes as ``stepflow.Execution``."""

    execution_arn: str
    name: str
    state_machine_arn: str
    status: str
    input: Any
    output: Any
    error: str | None
    cause: str | None
    start_date: datetime
    stop_date: datetime | None
    definition: dict[str, Any]
    history: list[dict[str, Any]] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)


def state_machine_name(state_machine_arn: str) -> str:
    """``arn:aws:states:region:account:stateMachine:NAME`` -> ``NAME``."""
    return state_machine_arn.split(":")[6] if state_machine_arn.count(":") >= 6 else state_machine_arn


class ExecutionStore:
    """Saves and finds executions in ``<root>/executions.sqlite3``."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE_NAME

    def save(self, execution: Any, *, only_new: bool = False) -> None:
        """Insert or update an execution (anything with ``stepflow.Execution``'s attributes);
        ``only_new`` leaves a record already there as it is (a RUNNING snapshot never overwrites
        the ended execution that a fast run saved first)."""
        row = (
            execution.execution_arn, execution.name, execution.state_machine_arn,
            _dumps(execution.definition), _dumps(execution.input),
            None if execution.output is None else _dumps(execution.output),
            execution.status, execution.error, execution.cause,
            execution.start_date.isoformat(),
            execution.stop_date.isoformat() if execution.stop_date else None,
            _dumps(history_json(execution.history)["events"]), _dumps([_step_dict(s) for s in execution.steps]),
        )
        placeholders = ", ".join("?" for _ in _COLUMNS)
        map_runs = [
            (run.map_run_arn, run.execution_arn, _dumps(run.describe() | {"label": run.state_machine_arn.rsplit("/", 1)[-1]}),
             _dumps([dataclasses.asdict(child) for child in run.children]))
            for run in getattr(execution, "map_runs", ())
        ]
        with self._connect() as connection:
            connection.execute(
                f"INSERT OR {'IGNORE' if only_new else 'REPLACE'} INTO executions ({', '.join(_COLUMNS)}) VALUES ({placeholders})", row
            )
            connection.executemany("INSERT OR REPLACE INTO map_runs VALUES (?, ?, ?, ?)", map_runs)

    def map_runs(self, execution_arn: str) -> list[dict[str, Any]]:
        """An execution's Map Runs: DescribeMapRun's fields (dates as ISO text) plus ``label`` and
        ``children``, the child executions' summaries (ListExecutions' fields)."""
        with self._connect() as connection:
            rows = connection.execute(
                "SELECT described, children FROM map_runs WHERE execution_arn = ? ORDER BY rowid", (execution_arn,)
            ).fetchall()
        return [json.loads(described) | {"children": json.loads(children)} for described, children in rows]

    def get(self, reference: str) -> StoredExecution:
        """The execution whose ARN, or else whose name, is ``reference``."""
        with self._connect() as connection:
            rows = connection.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM executions WHERE execution_arn = ?", (reference,)
            ).fetchall() or connection.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM executions WHERE name = ? ORDER BY start_date DESC",
                (reference,),
            ).fetchall()
        if not rows:
            raise ExecutionNotFound(f"no execution {reference!r} in the execution store {self.path}")
        if len(rows) > 1:
            arns = "\n  ".join(r[0] for r in rows)
            raise StepflowError(f"{len(rows)} executions are named {reference!r}; give the ARN:\n  {arns}")
        return _execution(rows[0])

    def list(self, state_machine: str | None = None, status: str | None = None) -> list[StoredExecution]:
        """Executions newest first (as ListExecutions orders them; the last saved first when two
        started at the same instant, as virtual-clock runs do), filtered by state machine
        (ARN or name) and status."""
        query = f"SELECT {', '.join(_COLUMNS)} FROM executions"
        parameters = (status.upper(),) if status else ()
        if status:
            query += " WHERE status = ?"
        with self._connect() as connection:
            rows = connection.execute(query + " ORDER BY start_date DESC, rowid DESC", parameters).fetchall()
        found = [_execution(row) for row in rows]
        if state_machine:
            found = [e for e in found if state_machine in (e.state_machine_arn, state_machine_name(e.state_machine_arn))]
        return found

    def _connect(self) -> _Transaction:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.executescript(_SCHEMA)
        return _Transaction(connection)


def data_root_store() -> ExecutionStore:
    """The store in ``settings.data_root()``: the one every ``stepflow`` command saves to and reads."""
    return ExecutionStore(settings.data_root())


class _Transaction:
    """``with``: one IMMEDIATE transaction (writers queue on the lock), committed or rolled back."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        self.connection.execute("BEGIN IMMEDIATE")
        return self.connection

    def __exit__(self, kind: Any, *_: Any) -> None:
        with closing(self.connection):
            self.connection.execute("ROLLBACK" if kind else "COMMIT")


def _dumps(value: Any) -> str:
    return json.dumps(value, default=iso_datetimes, separators=(",", ":"))


def iso_datetimes(value: Any) -> Any:
    """``json.dumps``' default: datetimes (history timestamps) as ISO 8601, as AWS CLI v2 prints them."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _step_dict(step: StepRecord) -> dict[str, Any]:
    return {f.name: getattr(step, f.name) for f in dataclasses.fields(step)}


def _step(data: dict[str, Any]) -> StepRecord:
    known = {f.name for f in dataclasses.fields(StepRecord)}
    fields = {k: v for k, v in data.items() if k in known}
    fields["scope"] = tuple(fields.get("scope", ()))
    return StepRecord(**fields)


def _execution(row: tuple[Any, ...]) -> StoredExecution:
    values = dict(zip(_COLUMNS, row))
    return StoredExecution(
        execution_arn=values["execution_arn"], name=values["name"],
        state_machine_arn=values["state_machine_arn"], status=values["status"],
        input=json.loads(values["input"]) if values["input"] is not None else None,
        output=json.loads(values["output"]) if values["output"] is not None else None,
        error=values["error"], cause=values["cause"],
        start_date=datetime.fromisoformat(values["start_date"]),
        stop_date=datetime.fromisoformat(values["stop_date"]) if values["stop_date"] else None,
        definition=json.loads(values["definition"]), history=json.loads(values["history"]),
        steps=[_step(s) for s in json.loads(values["steps"])],
    )
