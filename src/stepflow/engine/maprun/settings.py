"""What an execution's Distributed Map states need from the machine that runs them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from stepflow.engine.maprun.child import ChildResult
from stepflow.engine.maprun.executors import MapExecutor
from stepflow.engine.maprun.record import MapRun


@dataclass
class MapRunSettings:
    """``executor``: where children run (None: a thread pool per Map Run). ``handlers``: the task
    handlers by ARN, which a job sent to another process carries (a worker binds the processor's
    Tasks to them; children in threads share the parent's compiled processor). ``data_root``:
    the data root whose buckets ItemReader and ResultWriter use and children's workers see (default:
``STEPFLOW_HOME``; a shared filesystem for a cluster). ``on_child`` sees
    every finished child, its history included when ``keep_child_history`` (an execution store
    saves them so); the Map Run itself keeps only summaries, and none when ``keep_children`` is
    False (a million-item run then holds no per-child record at all; its counts stay exact). ``on_map_run`` sees each Map Run as
    it starts (the API's DescribeMapRun / UpdateMapRun reach it while it runs)."""

    executor: MapExecutor | None = None
    handlers: Mapping[str, Callable[..., Any]] | None = None
    data_root: str | None = None
    keep_child_history: bool = False
    keep_children: bool = True
    on_child: Callable[[ChildResult], None] | None = None
    on_map_run: Callable[[MapRun], None] | None = None
