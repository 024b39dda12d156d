"""Running the local EventBridge's targets: each pending delivery starts its state machine once.

A delivery's execution name is derived from the delivery itself, so a delivery tried twice (a
crash between starting the execution and marking the delivery done, two deliverers racing) finds
the execution already there: StartExecution answers ExecutionAlreadyExists, and that counts as
delivered. Exactly one execution per delivery, whoever delivers and however often.

One deliverer per data root at a time: ``stepflow serve`` holds the data root's delivery lock for
its lifetime; without a server, ``stepflow bucket put`` takes it for the time it delivers.
"""
from __future__ import annotations

import fcntl
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

from stepflow.api.errors import ClientError, ExecutionAlreadyExists
from stepflow.asl.errors import StepflowError
from stepflow.runtime.arns import execution_arn
from stepflow.services.buckets import Buckets
from stepflow.services.events import Delivery, EventBus
from stepflow.store import state_machine_name

LOCK_FILE = "deliveries.lock"
# The watcher announces a dropped file once it has not changed for this long (a copy in progress
# would otherwise be announced half-written, then again).
SETTLE_SECONDS = 1.0


def deliver(bus: EventBus, client: Any, delivery: Delivery) -> str:
    """Start the delivery's state machine (Step Functions targets only); the execution ARN."""
    if ":states:" not in delivery.arn or ":stateMachine:" not in delivery.arn:
        bus.finish(delivery, "FAILED", f"unsupported target {delivery.arn} (stepflow's bus starts state machines)")
        return ""
    try:
        started = client.start_execution(stateMachineArn=delivery.arn, name=delivery.execution_name, input=delivery.input)
        execution = started["executionArn"]
    except ExecutionAlreadyExists:  # an earlier try started it
        execution = execution_arn(state_machine_name(delivery.arn), delivery.execution_name)
    except (ClientError, StepflowError) as refused:
        bus.finish(delivery, "FAILED", str(refused))
        print(f"stepflow: event target {delivery.arn} refused the event: {refused}", file=sys.stderr)
        return ""
    bus.finish(delivery, "DELIVERED", execution)
    return execution


def deliver_pending(bus: EventBus, client: Any) -> list[str]:
    """Deliver every pending delivery; the executions started."""
    return [arn for delivery in bus.pending() if (arn := deliver(bus, client, delivery))]


class DeliveryLock:
    """The data root's one-deliverer lock (an OS file lock: released when its process dies)."""

    def __init__(self, root: Path, holder: str) -> None:
        self.path = Path(root) / LOCK_FILE
        self.holder = holder
        self._handle: Any = None

    def acquire(self, wait: bool) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{self.holder} {os.getpid()}\n")
        handle.flush()
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            self._handle.truncate(0)
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def held_by_server(self) -> bool:
        """Whether a running ``stepflow serve`` holds the lock (it then delivers)."""
        try:
            holder = self.path.read_text().split()
        except OSError:
            return False
        if not holder or holder[0] != "serve":
            return False
        if self.acquire(wait=False):  # the server that wrote this is gone
            self.release()
            return False
        return True


class TargetRunner:
    """The server's deliverer: a thread that delivers pending events every ``interval`` seconds,
    and with ``watch`` announces files dropped into notifying buckets' folders."""

    def __init__(self, root: Path, client: Any, *, watch: bool = False, interval: float = 0.2) -> None:
        self.bus, self.buckets, self.client = EventBus(root), Buckets(root), client
        self.watch, self.interval = watch, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="stepflow-event-targets", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._guarded(self.tick)
            self._stop.wait(self.interval)

    def tick(self) -> None:
        if not self.bus.path.exists():  # no rule was ever put: nothing to announce or deliver
            return
        if self.watch:
            self.scan()
        deliver_pending(self.bus, self.client)

    def scan(self) -> None:
        """Announce the settled objects of every notifying bucket not announced yet."""
        settled_before = time.time_ns() - int(SETTLE_SECONDS * 1e9)
        for bucket in self.bus.notifying_buckets():
            if not self.buckets.exists(bucket):
                continue
            for key, _size, mtime_ns in self.buckets.objects(bucket):
                if mtime_ns <= settled_before:
                    self.buckets.announce(bucket, key)

    @staticmethod
    def _guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except Exception as error:  # one bad tick must not end the deliverer
            print(f"stepflow serve: event delivery: {type(error).__name__}: {error}", file=sys.stderr)
