"""Map in DISTRIBUTED mode: a Map Run whose iterations are child executions of their own.

The items come from ItemsPath / Items, or from an ItemReader over the local buckets; ItemSelector
shapes each one; ItemBatcher may group them; each child execution (its own id, history and
``$$.Execution``) runs the ItemProcessor on the Map Run's executor (threads, a process pool or a
Dask cluster: ``engine/maprun/executors.py``), at most MaxConcurrency at once. The parent's history
records the Map Run, not the children, as AWS does (LocalStack's AWS-validated
``test_base_scenarios`` snapshots, e.g. test_map_state_config_distributed_item_selector):

    MapStateEntered, MapStateStarted {length}, MapRunStarted {mapRunArn},
    MapRunSucceeded, MapStateSucceeded, MapStateExited        (both link to MapRunSucceeded)
    ... MapRunFailed {error, cause}, MapStateFailed           (a failure, then ExecutionFailed)

``length`` is the item count for ItemsPath and 0 with an ItemReader. More failed children than
ToleratedFailureCount / ToleratedFailurePercentage allow (0 of each by default) fail the Map Run
with States.ExceedToleratedFailureThreshold; the children still running are stopped and those not
started are counted as pending. Items stream from the reader: only MaxConcurrency children's
inputs, and the results (or, with ResultWriter, none of them) are in memory at a time.
"""
from __future__ import annotations

import math
import queue
import uuid
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Iterator

from stepflow.asl.errors import EXCEED_TOLERATED_FAILURE_THRESHOLD, ASLError
from stepflow.engine.context import map_item_context
from stepflow.engine.history import EventType
from stepflow.engine.maprun.batcher import batches, check_batch_limits
from stepflow.engine.maprun.child import ChildJob, ChildResult, check_shippable, definition_digest, run_child
from stepflow.engine.maprun.definition import BatcherSpec, ReaderSpec, WriterSpec
from stepflow.engine.maprun.executors import MapExecutor, thread_executor
from stepflow.engine.maprun.readers import ReaderConfig, read_items
from stepflow.engine.maprun.record import MapRun
from stepflow.engine.maprun.settings import MapRunSettings
from stepflow.engine.maprun.writer import ResultExport, check_writer_config
from stepflow.engine.states.base import Lane, error_output
from stepflow.engine.states.map_ import MapState
from stepflow.engine.trace import StepRecord
from stepflow.runtime.clock import VirtualClock
from stepflow.runtime.signals import ExecutionTimedOut, Stopped
from stepflow.services.buckets import Buckets
from stepflow.settings import data_root

# AWS: a Distributed Map runs up to 10,000 child executions at once (MaxConcurrency 0).
DISTRIBUTED_CONCURRENCY_LIMIT = 10_000
_POLL_SECONDS = 0.05  # how soon a stop or timeout is noticed while children run


class DistributedMapState(MapState):
    def __init__(
        self,
        *args: Any,
        processor_definition: dict[str, Any],
        label: str | None = None,
        reader: ReaderSpec | None = None,
        batcher: BatcherSpec | None = None,
        writer: WriterSpec | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.processor_definition = processor_definition
        self.digest = definition_digest(processor_definition)
        self.label = label or args[0]
        self.reader = reader
        self.batcher = batcher
        self.writer = writer

    def work(self, data: Any, context: dict, record: StepRecord, lane: Lane) -> Any:
        run = lane.run
        history = run.history
        items = self._items(data, context) if self.reader is None else None
        concurrency = self._number(self.max_concurrency, data, context, "MaxConcurrencyPath")
        count_limit = (
            None if self.tolerated_count is None
            else self._number(self.tolerated_count, data, context, "ToleratedFailureCountPath")
        )
        percentage = self._percentage(data, context)
        started = lane.follow(history.container_event(
            "Map", "started", lane.last_event_id, length=0 if items is None else len(items)
        ))
        machine_name = run.base_context["StateMachine"]["Name"]
        arn_prefix = run.base_context["StateMachine"]["Id"].rsplit(":stateMachine:", 1)[0]
        map_run = MapRun(
            map_run_arn=f"{arn_prefix}:mapRun:{machine_name}/{self.label}:{uuid.uuid4()}",
            execution_arn=run.base_context["Execution"]["Id"],
            state_machine_arn=f"{arn_prefix}:stateMachine:{machine_name}/{self.label}",
            start_date=run.clock.now(),
            max_concurrency=concurrency,
            tolerated_failure_count=count_limit if count_limit is not None else 0,
            tolerated_failure_percentage=float(percentage) if percentage is not None else 0.0,
        )
        run.map_run_records.append(map_run)
        settings = run.map_run_settings
        if settings is not None and settings.on_map_run is not None:
            settings.on_map_run(map_run)
        run_started = lane.follow(history.append(EventType.MapRunStarted, {"mapRunArn": map_run.map_run_arn}, started))
        try:
            output = _MapRunDriver(self, map_run, data, context, lane, items).run()
        except ASLError as error:
            map_run.finish("FAILED", run.clock.now())
            lane.last_event_id = history.append(
                EventType.MapRunFailed, _error_details(error), run_started
            )
            lane.branch_failed = True  # run_state records MapStateFailed after MapRunFailed
            raise
        except Stopped:
            map_run.finish("ABORTED", run.clock.now())
            lane.last_event_id = history.append(EventType.MapRunAborted, None, run_started)
            raise
        except ExecutionTimedOut:
            map_run.finish("ABORTED", run.clock.now())
            raise
        map_run.finish("SUCCEEDED", run.clock.now())
        succeeded = history.append(EventType.MapRunSucceeded, None, run_started)
        lane.last_event_id = succeeded
        history.container_event("Map", "succeeded", succeeded)
        return output


class _MapRunDriver:
    """One Map Run: reads the items, dispatches children, gathers results, writes them."""

    def __init__(self, state: DistributedMapState, map_run: MapRun, data: Any, context: dict,
                 lane: Lane, items: list[Any] | None) -> None:
        self.state, self.map_run, self.data, self.context, self.lane = state, map_run, data, context, lane
        self.items = items
        self.settings: MapRunSettings = lane.run.map_run_settings or MapRunSettings()
        self.root = self.settings.data_root or str(data_root())  # where the buckets are
        self.count_limit = state.tolerated_count is not None
        self.percentage_limit = state.tolerated_percentage is not None
        self.failures = 0
        self.latest_stop: datetime | None = None

    def run(self) -> Any:
        inputs = self._inputs()
        export, transformation = self._writer()
        outputs: dict[int, Any] = {}
        executor = self.settings.executor
        own = executor is None
        executor = executor or thread_executor()
        try:
            total = self._dispatch(executor, inputs, outputs, export)
        except BaseException:
            if export is not None:
                export.discard()
            raise
        finally:
            if own:
                executor.close()
        if self.latest_stop is not None:  # on virtual time, the parent's clock moves past its children
            self.lane.run.clock.wait_until(self.latest_stop)
        failed = self._threshold_exceeded(total)
        if export is not None:
            result = export.finish()
        if failed:
            raise ASLError(EXCEED_TOLERATED_FAILURE_THRESHOLD, "The specified tolerated failure threshold was exceeded")
        if export is not None:
            return result
        ordered = [outputs[i] for i in range(total)]
        if transformation == "FLATTEN":
            return [entry for output in ordered for entry in (output if isinstance(output, list) else [output])]
        return ordered

    # --- items -------------------------------------------------------------------------------

    def _inputs(self) -> Iterator[Any]:
        """The children's inputs, lazily: items, each through ItemSelector, then batched."""
        state, data, context = self.state, self.data, self.context
        if state.reader is not None:
            reader = state.reader
            parameters = reader.parameters.render(data, context) if reader.parameters is not None else {}
            fields = dict(reader.config)
            if reader.max_items is not None:
                fields["MaxItems"] = _value(reader.max_items, data, context)
            config = ReaderConfig.from_fields(fields)
            items: Iterator[Any] = read_items(Buckets(self.root), reader.resource, parameters, config)
        else:
            items = iter(self.items or [])
        selector = state.item_selector
        if selector is not None:
            items = (selector.render(data, map_item_context(context, i, item)) for i, item in enumerate(items))
        if state.batcher is not None:
            batcher = state.batcher
            max_items, max_bytes = check_batch_limits(
                _value(batcher.max_items, data, context), _value(batcher.max_bytes, data, context)
            )
            batch_input = batcher.batch_input.render(data, context) if batcher.batch_input is not None else None
            items = batches(items, max_items, max_bytes, batch_input)
        return items

    def _writer(self) -> tuple[ResultExport | None, str]:
        writer = self.state.writer
        if writer is None:
            return None, "COMPACT"
        exporting = writer.resource is not None
        transformation, output_type = check_writer_config(writer.config, exporting)
        if not exporting:
            return None, transformation
        parameters = writer.parameters.render(self.data, self.context) if writer.parameters is not None else {}
        parameters = parameters if isinstance(parameters, dict) else {}
        export = ResultExport(
            Buckets(self.root), parameters.get("Bucket"), parameters.get("Prefix", ""),
            self.map_run.map_run_arn, transformation, output_type, self.map_run.state_machine_arn,
        )
        return export, transformation

    # --- children ----------------------------------------------------------------------------

    def _dispatch(self, executor: MapExecutor, inputs: Iterator[Any], outputs: dict[int, Any],
                  export: ResultExport | None) -> int:
        """Run every input as a child; return how many there were."""
        from stepflow.engine.compile import CompiledMachine  # (compile imports this module)
        from stepflow.engine.execution import StopRequest

        run, lane, map_run = self.lane.run, self.lane, self.map_run
        settings = self.settings
        handlers_key = check_shippable(settings.handlers or {}) if executor.ships else ""
        in_process = CompiledMachine(self.state.processor, None)
        children_stop = StopRequest()
        finished: queue.SimpleQueue[Future] = queue.SimpleQueue()
        in_flight: dict[Future, tuple[int, Any]] = {}
        machine_name = f"{run.base_context['StateMachine']['Name']}/{self.state.label}"
        execution_prefix = map_run.state_machine_arn.replace(":stateMachine:", ":execution:", 1)
        real_time = not isinstance(run.clock, VirtualClock)
        count = 0
        exhausted = failing = False
        source = enumerate(inputs)
        try:
            while True:
                window = map_run.max_concurrency or DISTRIBUTED_CONCURRENCY_LIMIT  # UpdateMapRun may change it
                while not exhausted and not failing and len(in_flight) < window:
                    entry = next(source, None)
                    if entry is None:
                        exhausted = True
                        break
                    index, item = entry
                    count += 1
                    name = str(uuid.uuid4())
                    job = ChildJob(
                        definition=self.state.processor_definition,
                        digest=self.state.digest,
                        item=item,
                        index=index,
                        name=name,
                        execution_arn=f"{execution_prefix}:{name}",
                        state_machine_arn=map_run.state_machine_arn,
                        state_machine_name=machine_name,
                        start=None if real_time else run.clock.now(),
                        deadline_seconds=(
                            (run.deadline - run.clock.now()).total_seconds() if run.deadline is not None else None
                        ),
                        keep_history=settings.keep_child_history,
                    )
                    if executor.ships:
                        job.handlers, job.handlers_key = settings.handlers, handlers_key
                        job.data_root = self.root
                    else:
                        job.compiled, job.resources, job.stop = in_process, run.resources, children_stop
                    future = executor.submit(run_child, job)
                    in_flight[future] = (index, item)
                    map_run.started()
                    future.add_done_callback(finished.put)
                if not in_flight:
                    return count
                try:
                    future = finished.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    lane.check()  # a stop or the execution's deadline ends the Map Run
                    continue
                index, item = in_flight.pop(future)
                result: ChildResult = future.result()
                self._record(result, outputs, export)
                if result.status == "TIMED_OUT" and run.deadline is not None and result.stop_date is not None \
                        and result.stop_date >= run.deadline:  # the parent's TimeoutSeconds, not the child's
                    run.clock.wait_until(run.deadline)
                    lane.check()
                known = self.items is not None or exhausted
                total = len(self.items) if self.items is not None else count
                if not failing and result.status != "SUCCEEDED" and self._threshold_exceeded(total, known):
                    failing = True
                    children_stop.stop()
                    self._cancel(in_flight, export)
        except BaseException:
            children_stop.stop()
            self._cancel(in_flight, export)
            for future in list(in_flight):  # running children end at their next state
                try:
                    self._record(future.result(), outputs, export)
                except Exception:  # noqa: BLE001 - already failing; the first problem is re-raised
                    pass
            raise

    def _record(self, result: ChildResult, outputs: dict[int, Any], export: ResultExport | None) -> None:
        self.map_run.ended(result.summary(), self.settings.keep_children)
        if result.status != "SUCCEEDED":
            self.failures += 1
        if self.latest_stop is None or (result.stop_date is not None and result.stop_date > self.latest_stop):
            self.latest_stop = result.stop_date
        if self.settings.on_child is not None:
            self.settings.on_child(result)
        self.map_run.counts["resultsWritten"] += 1  # AWS counts every gathered result (test_sfn_api_map_run)
        if export is not None:
            export.add(result)
        elif result.status == "SUCCEEDED":
            outputs[result.index] = result.output
        else:  # a tolerated failure: its error output, as an inline Map's
            outputs[result.index] = error_output(ASLError(result.error or result.status, result.cause))

    def _cancel(self, in_flight: dict[Future, tuple[int, Any]], export: ResultExport | None) -> None:
        """Children not started yet never will be: pending (and PENDING in the exported results)."""
        cancelled = [future for future in in_flight if future.cancel()]
        for future in cancelled:
            _, item = in_flight.pop(future)
            if export is not None:
                export.add(None, item=item)
        self.map_run.never_started(len(cancelled))

    def _threshold_exceeded(self, total: int, known: bool = True) -> bool:
        """More failures than tolerated; a percentage is judged once the total is known."""
        map_run = self.map_run
        if not self.count_limit and not self.percentage_limit:
            return self.failures > 0
        exceeded = False
        if self.count_limit:
            exceeded = self.failures > map_run.tolerated_failure_count
        if self.percentage_limit and known:
            exceeded = exceeded or self.failures > math.floor(total * map_run.tolerated_failure_percentage / 100)
        return exceeded


def _value(value: Any, data: Any, context: dict) -> Any:
    """A number as written, or read from its path or expression."""
    return value if value is None or isinstance(value, (int, float)) else value.find(data, context)


def _error_details(error: ASLError) -> dict[str, Any]:
    details = {"error": error.error}
    if error.cause is not None:
        details["cause"] = error.cause
    return details

