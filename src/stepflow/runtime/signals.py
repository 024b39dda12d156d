"""How a running lane is told to stop, and the runtime outcomes that are not ASL errors.

A Parallel branch or Map iteration that fails stops its siblings; StopExecution stops every lane;
a top-level TimeoutSeconds ends the execution. A task's worker thread, a callback's wait and a
real-time sleep all watch the same ``StopSignal``, so a stop is seen at once wherever a lane waits.
"""
from __future__ import annotations

import threading
import weakref

from stepflow.asl.errors import TIMEOUT, ASLError


class Stopped(Exception):
    """A lane was told to stop (a sibling branch or iteration failed, or the execution ended)."""


class ExecutionTimedOut(Exception):
    """The execution ran past its top-level TimeoutSeconds; no Catch can handle this."""


class HeartbeatTimedOut(ASLError):
    """A task that missed its HeartbeatSeconds: named ``States.Timeout``, as AWS records it, and
    still matched by ``States.HeartbeatTimeout`` in ErrorEquals."""

    def __init__(self, cause: str | None = None) -> None:
        super().__init__(TIMEOUT, cause)


class StopSignal:
    """A stop flag that is also set when any enclosing signal is (nested Parallel/Map), and that
    can be waited on, so a lane blocked on a handler or a real-time sleep stops at once."""

    __slots__ = ("_event", "_children", "__weakref__")

    def __init__(self, parent: StopSignal | None = None) -> None:
        self._event = threading.Event()
        self._children: weakref.WeakSet[StopSignal] = weakref.WeakSet()
        if parent is not None:
            with _SIGNALS:
                parent._children.add(self)
                inherited = parent._event.is_set()
            if inherited:
                self._event.set()

    def set(self) -> None:
        self._event.set()
        with _SIGNALS:
            children = list(self._children)
        for child in children:
            child.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until set or ``timeout`` seconds pass; True when set."""
        return self._event.wait(timeout)


class StopRequest(StopSignal):
    """A stop asked from outside the run (StopExecution): the error and cause ExecutionAborted records."""

    def __init__(self) -> None:
        super().__init__()
        self.error: str | None = None
        self.cause: str | None = None

    def stop(self, error: str | None = None, cause: str | None = None) -> None:
        """Abort the run at its lanes' next state boundary (or a callback task's wait)."""
        self.error, self.cause = error, cause
        self.set()


_SIGNALS = threading.Lock()  # guards every StopSignal's children
