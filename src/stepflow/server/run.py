"""Run the server with uvicorn and say, in one line on stdout, when it is ready."""
from __future__ import annotations

import sys
from typing import Any, Callable

import uvicorn


class _Server(uvicorn.Server):
    """uvicorn's server, printing ``listening on http://HOST:PORT`` once its socket accepts."""

    on_ready: Callable[[int], None] = staticmethod(lambda port: None)

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self.on_ready(port)
            shown = f"[{host}]" if ":" in host else host
            print(f"listening on http://{shown}:{port}", flush=True)


def serve(app: Any, host: str, port: int, on_ready: Callable[[int], None] = lambda port: None) -> None:
    """Serve ``app`` until interrupted (Ctrl-C or SIGTERM end it cleanly); ``on_ready`` gets the
    port actually bound (``--port 0`` picks a free one) before the ready line is printed."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
        timeout_graceful_shutdown=2,
    )
    server = _Server(config)
    server.on_ready = on_ready  # type: ignore[method-assign]
    server.run()
    if not server.started:
        sys.exit(f"stepflow serve: could not listen on {host}:{port}")
