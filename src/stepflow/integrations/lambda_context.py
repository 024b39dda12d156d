"""The context object a Lambda handler receives, so handlers written for AWS run unchanged."""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone
from functools import cached_property

# Lambda's own maximum run time: the remaining time a handler sees when its task has no
# TimeoutSeconds (Step Functions' default task timeout, 99999999 s, never binds before it).
LAMBDA_MAX_TIMEOUT_SECONDS = 900


class LambdaContext:
    """The attributes and methods of AWS Lambda's Python context object.

    ``heartbeat()`` is stepflow's stand-in for SendTaskHeartbeat: a long handler under a task
    with HeartbeatSeconds calls it to show it is alive.
    """

    def __init__(
        self,
        function_name: str,
        invoked_function_arn: str,
        timeout_seconds: float | None,
        function_version: str = "$LATEST",
        memory_limit_in_mb: int = 128,
    ) -> None:
        self.function_name = function_name
        self.function_version = function_version
        self.invoked_function_arn = invoked_function_arn
        self.memory_limit_in_mb = memory_limit_in_mb
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.identity = None
        self.client_context = None
        budget = LAMBDA_MAX_TIMEOUT_SECONDS if timeout_seconds is None else timeout_seconds
        self._deadline = time.monotonic() + budget
        self._last_heartbeat = time.monotonic()
        self._lock = threading.Lock()

    # Made on first use: most handlers never read them, and each costs a random UUID.
    @cached_property
    def aws_request_id(self) -> str:
        return str(uuid.uuid4())

    @cached_property
    def log_stream_name(self) -> str:
        today = datetime.now(timezone.utc).strftime("%Y/%m/%d")
        return f"{today}/[{self.function_version}]{uuid.uuid4().hex}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the task's TimeoutSeconds (or Lambda's 900 s cap) ends the run."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def heartbeat(self) -> None:
        """Report progress, restarting the HeartbeatSeconds countdown."""
        with self._lock:
            self._last_heartbeat = time.monotonic()

    @property
    def last_heartbeat(self) -> float:
        """``time.monotonic()`` of the start or the latest heartbeat."""
        with self._lock:
            return self._last_heartbeat
