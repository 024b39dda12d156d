"""One running ``stepflow serve``: its client, its application, its door and its upload trigger."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stepflow import settings
from stepflow.api.client import Client
from stepflow.api.event_targets import DeliveryLock, TargetRunner
from stepflow.asl.errors import StepflowError
from stepflow.runtime.clock import RealClock
from stepflow.server.app import create_app
from stepflow.server.console import console_routes
from stepflow.server.guard import Guard
from stepflow.server.run import serve
from stepflow.store import ExecutionStore


@dataclass
class Service:
    client: Client
    guard: Guard
    host: str
    port: int
    targets: TargetRunner
    lock: DeliveryLock

    def run(self) -> None:
        def ready(port: int) -> None:
            self.guard.port = port

        self.targets.start()
        try:
            serve(self.guard, self.host, self.port, on_ready=ready)
        finally:
            self.targets.stop()
            self.client.close()
            self.lock.release()


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
    lock = DeliveryLock(root, "serve")
    if not lock.acquire(wait=False):
        raise StepflowError(f"another stepflow serve (or an upload being delivered) holds the data root {root}; "
                            "serve one data root from one server")
    client = Client(
        resources=resources, substitutions=substitutions, clock=RealClock(), mock_config=mock_config,
        store=ExecutionStore(root), durable=True, recover=True,
    )
    app = create_app(client, routes=console_routes(client, root))
    targets = TargetRunner(root, client, watch=watch)
    return Service(client, Guard(app, host=host, port=port, token=token), host, port, targets, lock)
