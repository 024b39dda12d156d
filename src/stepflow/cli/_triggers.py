"""Upload events delivered from the command line when no ``stepflow serve`` runs to deliver them."""
from __future__ import annotations

import importlib
from typing import Any

from stepflow.settings import data_root

# Named local stacks: the module whose ``bindings()`` gives (resources, substitutions).
STACKS = {"riderphoto": "stepflow.riderphoto.stack"}


def stack_bindings(names: list[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The resources and substitutions of the named stacks, merged."""
    resources: dict[str, Any] = {}
    substitutions: dict[str, str] = {}
    for name in names:
        stack_resources, stack_substitutions = importlib.import_module(STACKS[name]).bindings()
        resources.update(stack_resources)
        substitutions.update(stack_substitutions)
    return resources, substitutions


def stacks_up() -> list[str]:
    """The named stacks that are up in the data root."""
    return [name for name, module in STACKS.items() if importlib.import_module(module).Stack.current().is_up()]


def durable_client(**kwargs: Any) -> Any:
    """The data root's API client (state machines kept between processes), bound to the stacks up."""
    from stepflow.api.client import Client
    from stepflow.runtime.clock import RealClock
    from stepflow.store import data_root_store

    resources, substitutions = stack_bindings(stacks_up())
    return Client(resources=resources, substitutions=substitutions, clock=RealClock(),
                  store=data_root_store(), durable=True, **kwargs)


def deliver_uploads() -> None:
    """Start what the events of the objects just written trigger, and wait for those executions;
    when a server runs over this data root it delivers them instead."""
    from stepflow.api.event_targets import DeliveryLock, deliver_pending
    from stepflow.services.events import EventBus

    root = data_root()
    bus = EventBus(root)
    if not bus.path.exists() or not bus.pending():
        return
    lock = DeliveryLock(root, "cli")
    if lock.held_by_server():
        print("event: the running stepflow serve starts the triggered executions")
        return
    lock.acquire(wait=True)
    client = durable_client()
    try:
        for arn in deliver_pending(bus, client):
            print(f"event: started {arn}")
            described = client.wait_for_execution(arn, timeout=3600)
            print(f"event: {arn} {described['status']}")
    finally:
        client.close()
        lock.release()
