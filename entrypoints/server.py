"""granian as `dev`, `serve` and `emulator` run it: bounded, graceful, logging through ours."""

from __future__ import annotations

import logging
from typing import Any

from granian import Granian
from granian.constants import HTTPModes, Interfaces, Loops
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.common import AbstractServer

# The HTTP/1 read buffer: a request head that does not fit is refused (431) and the connection
# closed.
MAX_HEADER_BYTES = 16 * 1024
# Connections per worker; more wait in the kernel's listen backlog until one closes.
MAX_CONCURRENCY = 1000
# An idle keep-alive connection, or a request head still arriving, is closed after this long.
KEEP_ALIVE_S = 5
# Requests in flight at SIGTERM get this long to finish before their worker is killed.
GRACEFUL_SHUTDOWN_S = 30
# granian's own lines (workers started and stopped, crashes) go to our handler on the root logger.
GRANIAN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {},
    "handlers": {},
    "loggers": {
        name: {"handlers": [], "propagate": True} for name in ("_granian", "granian.access")
    },
}


def server(target: str, host: str, port: int, *, workers: int = 1) -> AbstractServer[Any]:
    """granian as `dev`, `serve` and `emulator` run it: bounded, graceful, logging through ours.

    `target` is the import path of an app factory, which every worker process calls.
    """
    return Granian(
        target,
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        respawn_failed_workers=True,
        loop=Loops.uvloop,
        # HTTP/1 only, as before: h2c would bring HTTP/2's own, far larger header limit.
        http=HTTPModes.http1,
        websockets=False,
        http1_settings=HTTP1Settings(
            header_read_timeout=KEEP_ALIVE_S * 1000, max_buffer_size=MAX_HEADER_BYTES
        ),
        backpressure=MAX_CONCURRENCY,
        workers_kill_timeout=GRACEFUL_SHUTDOWN_S,
        log_level=LogLevels.info,
        log_dictconfig=GRANIAN_LOGGING,
        # One access line per request comes from our middleware, with the request id on it.
        log_access=False,
    )


def run(granian: AbstractServer[Any]) -> int:
    """Serve until SIGTERM or SIGINT; 1 when the server fails (it logs why)."""
    try:
        granian.serve()
    except RuntimeError:
        # granian's way of saying it cannot listen (address in use, no permission).
        logging.getLogger("connect_backend.server").exception("the server failed")
        return 1
    return 0
