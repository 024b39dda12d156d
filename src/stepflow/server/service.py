"""One running ``stepflow serve``: its client, its application, its door and its upload trigger."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepflow import settings
from stepflow.api.client import Client
from stepflow.engine.clock import RealClock
from stepflow.server.app import create_app
from stepflow.server.guard import Guard
from stepflow.server.run import serve
from stepflow.store import ExecutionStore


@dataclass
class Service:
    client: Client
    guard: Guard
    host: str
    port: int

    def run(self) -> None:
        def ready(port: int) -> None:
            self.guard.port = port

        try:
            serve(self.guard, self.host, self.port, on_ready=ready)
        finally:
            self.client.close()


def build_service(
    *,
    resources: dict[str, Any],
    substitutions: dict[str, str],
    mock_config: str | None,
    host: str,
    port: int,
    token: str | None,
    stack: str | None = None,
    watch: bool = False,
) -> Service:
    """The server over the data root (``STEPFLOW_HOME``): its state machines, executions and stack."""
    root = settings.data_root()
    client = Client(
        resources=resources, substitutions=substitutions, clock=RealClock(), mock_config=mock_config,
        store=ExecutionStore(root), durable=True,
    )
    app = create_app(client)
    return Service(client, Guard(app, host=host, port=port, token=token), host, port)
