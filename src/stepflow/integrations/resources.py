"""What a machine's Task states can reach: local handlers, task tokens, the account it runs in.

A definition that runs here deploys to AWS unchanged: handlers have Lambda's signature,
``handler(event, context)``, and are registered under a function name, a function ARN, or an
exact Resource string (``arn:aws:states:::sns:publish``), which then answers that Resource
directly, whatever integration would otherwise serve it.

``Resources`` is handed to every ``TaskCall``. A stand-in for one run (mocked responses, the
``explain`` command's given result) subclasses it and answers ``override``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from stepflow import settings
from stepflow.integrations.callbacks import CallbackHub
from stepflow.integrations.lambda_runtime import Handler
from stepflow.runtime.arns import DEFAULT_ACCOUNT, DEFAULT_REGION

# arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER], or the partial ACCOUNT:function:NAME
FUNCTION_ARN = re.compile(
    r"^(?:arn:(?P<partition>[\w-]+):lambda:(?P<region>[\w-]+):)?(?P<account>\d{12}):function:"
    r"(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$"
)
FUNCTION_NAME = re.compile(r"^(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]+))?$")


@dataclass(frozen=True)
class Function:
    """A Lambda function as a task names it: its name, full ARN, qualifier and local handler
    (None when no handler is registered under any of its names)."""

    name: str
    arn: str
    qualifier: str | None
    handler: Handler | None

    @property
    def version(self) -> str:
        """What Lambda reports as the executed version: the numeric qualifier, else $LATEST."""
        return self.qualifier if (self.qualifier or "").isdigit() else "$LATEST"


class Resources:
    """Local handlers by function name, function ARN or exact Resource string, and task tokens."""

    def __init__(
        self,
        handlers: Mapping[str, Handler] | None = None,
        *,
        region: str = DEFAULT_REGION,
        account: str = DEFAULT_ACCOUNT,
        callbacks: CallbackHub | None = None,
        data_root: Path | None = None,
        state_machines: dict[str, Any] | None = None,
    ) -> None:
        self.region = region
        self.account = account
        self.callbacks = callbacks or CallbackHub()
        self._data_root = data_root
        # State machines a ``states:startExecution`` task may start, by ARN (shared, like callbacks).
        self.state_machines: dict[str, Any] = {} if state_machines is None else state_machines
        self._handlers: dict[str, Handler] = {}
        self._functions: dict[str, Function] = {}  # lookups made, forgotten when a handler is added
        for key, handler in (handlers or {}).items():
            self.register(key, handler)

    def register(self, key: str, handler: Handler) -> None:
        """Serve ``key`` (a function name, a function ARN, or any exact Resource) with ``handler``."""
        if not callable(handler):
            raise TypeError(f"the handler for {key!r} is not callable")
        self._handlers[key] = handler
        self._functions.clear()

    @property
    def data_root(self) -> Path:
        """Where the local services keep their data: the given folder, else ``STEPFLOW_HOME``
        read at call time (as a Lambda function reads its environment)."""
        return self._data_root or settings.data_root()

    def handler(self, key: str) -> Handler | None:
        """The handler registered for exactly ``key``."""
        return self._handlers.get(key)

    def names(self) -> list[str]:
        """Every key a handler is registered under, for messages that list what exists."""
        return sorted(self._handlers)

    def function(self, function: str) -> Function:
        """Find a function given as a name, a name:qualifier, a partial or a full ARN."""
        found = self._functions.get(function)
        if found is None:
            found = self._functions[function] = self._find_function(function)
        return found

    def _find_function(self, function: str) -> Function:
        match = FUNCTION_ARN.match(function) or FUNCTION_NAME.match(function)
        if match is None:
            return Function(function, function, None, self._handlers.get(function))
        parts = match.groupdict()
        name, qualifier = parts["name"], parts["qualifier"]
        region = parts.get("region") or self.region
        account = parts.get("account") or self.account
        arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
        qualified = f"{arn}:{qualifier}" if qualifier else arn
        candidates = (function, qualified, arn, name)
        handler = next((self._handlers[c] for c in candidates if c in self._handlers), None)
        return Function(name, qualified, qualifier, handler)

    def override(self, state_name: str) -> Callable[[Any], Any] | None:
        """An answer that replaces the task's integration for this state, or None (the default):
        called with the task's effective input, it returns the result or raises ASLError."""
        return None
