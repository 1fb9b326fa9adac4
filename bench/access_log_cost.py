"""CPU time one access line costs the request that logs it, written directly or queued.

    .venv/bin/python -m bench.access_log_cost

In-process, no server: the middleware's exact call (`_log.info` with the access fields) under
the request's bound context, N times. `thread_time` is the logging thread's CPU only (what the
request pays); `process_time` includes the listener thread's rendering and writing.
"""

from __future__ import annotations

import logging
import os
import time

import structlog

from adapters.observability.logs import configure_logging

LINES = 20_000
_log = logging.getLogger("connect_backend.access")


def _cost(*, queued: bool) -> tuple[float, float]:
    with open(os.devnull, "w") as sink:
        handler = configure_logging(json=True, stream=sink, queued=queued)
        started_thread, started_process = time.thread_time(), time.process_time()
        with structlog.contextvars.bound_contextvars(
            request_id="5f0c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f", client_ip="192.0.2.10"
        ):
            for _ in range(LINES):
                _log.info(
                    "%s %s %d",
                    "GET",
                    "/auth/me",
                    200,
                    extra={"method": "GET", "route": "/auth/me", "status": 200, "duration_ms": 0.4},
                )
        in_request = time.thread_time() - started_thread
        handler.close()  # queued: waits for the listener to write everything
        in_process = time.process_time() - started_process
        logging.getLogger().removeHandler(handler)
    return in_request / LINES * 1e6, in_process / LINES * 1e6


def main() -> None:
    for queued in (False, True, False, True):
        request_us, process_us = _cost(queued=queued)
        mode = "queued" if queued else "direct"
        print(f"{mode}: {request_us:.1f} us on the request's thread, {process_us:.1f} us in all")


if __name__ == "__main__":
    main()
