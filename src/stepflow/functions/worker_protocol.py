"""The line protocol between stepflow and a function's worker process, over two private pipes.

One JSON object per line. The worker first answers ``{"ready": true}`` or ``{"init_error": ...}``;
then each request ``{"event", "context"}`` gets ``{"result"}`` or ``{"error": {"errorType",
"errorMessage", "stackTrace" | "trace"}}``. The handler's own stdout and stderr are its logs: they
go to stepflow's stderr and never mix with the result.
"""
from __future__ import annotations

import json
import os
from typing import Any


def send(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        written = os.write(fd, data)
        data = data[written:]
