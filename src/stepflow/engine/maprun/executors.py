"""Where a Map Run's child executions run: threads (the default), a process pool, or a Dask
cluster. Each is a ``concurrent.futures`` executor underneath; ``ships`` says whether a child
leaves this process (then its job is pickled: see ``child.py``).

``map_executor(spec)`` accepts what users pass to ``StateMachine(map_executor=...)`` or
``stepflow run --dask``: None or ``"threads"``, ``"processes"`` / ``"processes:N"``, a
``distributed.Client``, a scheduler address (``tcp://host:8786``), ``"local:N"`` for a
LocalCluster of N single-threaded worker processes, or a ready MapExecutor.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Callable

from stepflow.asl.errors import StepflowError

DEFAULT_THREADS = 32


class MapExecutorError(StepflowError):
    """A map executor that cannot be set up (Dask not installed, a scheduler not reachable)."""


class MapExecutor:
    """An executor for child executions: ``submit(fn, job)`` returns a concurrent.futures Future."""

    def __init__(self, executor: Executor, *, ships: bool, workers: int, name: str,
                 closers: tuple[Callable[[], Any], ...] = ()) -> None:
        self.executor = executor
        self.ships = ships
        self.workers = workers
        self.name = name
        self._closers = closers

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        return self.executor.submit(fn, *args)

    def close(self) -> None:
        """Release what this executor started (threads, processes, a LocalCluster); a Client or
        cluster the caller brought is left running."""
        for close in self._closers:
            close()
        self._closers = ()

    def __enter__(self) -> MapExecutor:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def thread_executor(workers: int = DEFAULT_THREADS) -> MapExecutor:
    pool = ThreadPoolExecutor(workers, thread_name_prefix="stepflow-map")
    return MapExecutor(pool, ships=False, workers=workers, name=f"threads:{workers}", closers=(pool.shutdown,))


def process_executor(workers: int | None = None) -> MapExecutor:
    """A pool of worker processes, started with ``spawn`` (safe beside the parent's threads)."""
    workers = workers or os.cpu_count() or 1
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    return MapExecutor(pool, ships=True, workers=workers, name=f"processes:{workers}", closers=(pool.shutdown,))


def dask_executor(target: Any) -> MapExecutor:
    """A Dask cluster: a ``distributed.Client``, a scheduler address, or ``local:N``."""
    try:
        import distributed
    except ImportError:
        raise MapExecutorError("running children on Dask needs the dask extra: pip install 'stepflow[dask]'") from None
    closers: list[Callable[[], Any]] = []
    if isinstance(target, distributed.Client):
        client = target
    elif isinstance(target, str) and target.startswith("local:"):
        count = _count(target.removeprefix("local:"), target)
        cluster = distributed.LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = distributed.Client(cluster)
        closers = [client.close, cluster.close]
    elif isinstance(target, str):
        try:
            client = distributed.Client(target, timeout=10)
        except ValueError as problem:  # not an address distributed can parse
            raise MapExecutorError(
                f"{target!r} is not threads[:N], processes[:N], local:N or a Dask scheduler address ({problem})"
            ) from None
        except (OSError, TimeoutError) as problem:
            raise MapExecutorError(f"cannot reach the Dask scheduler at {target}: {problem}") from None
        closers = [client.close]
    else:
        raise MapExecutorError(f"not a Dask client or scheduler address: {target!r}")
    workers = max(1, sum(client.nthreads().values()))
    return MapExecutor(
        client.get_executor(pure=False), ships=True, workers=workers,
        name=f"dask:{client.scheduler.address}", closers=tuple(closers),
    )


def map_executor(spec: Any = None) -> MapExecutor:
    if isinstance(spec, MapExecutor):
        return spec
    if spec is None or spec == "threads":
        return thread_executor()
    if isinstance(spec, str) and spec.startswith("threads:"):
        return thread_executor(_count(spec.removeprefix("threads:"), spec))
    if spec == "processes":
        return process_executor()
    if isinstance(spec, str) and spec.startswith("processes:"):
        return process_executor(_count(spec.removeprefix("processes:"), spec))
    return dask_executor(spec)


def _count(text: str, spec: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise MapExecutorError(f"{spec!r}: the number of workers must be a positive integer")
    return int(text)
