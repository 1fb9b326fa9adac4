"""A `connect-backend` server command as a real process, with the handles a test needs.

Unlike `tests.support.services.running_service`, the test gets the process itself (to signal
it) and its log, and says when the server counts as ready. The command runs in a session of
its own, so that granian's worker processes go with it whatever happens to the test.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.services import CONSOLE_SCRIPT, START_TIMEOUT_S, STOP_TIMEOUT_S

LOOPBACK = "127.0.0.1"
BOUND_S = 15.0
_POLL_S = 0.05


def wait_until(condition: Callable[[], bool], what: str, bound_s: float = BOUND_S) -> None:
    """Poll `condition` until it holds; fail the test naming `what` after `bound_s`."""
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(_POLL_S)


def refuses_connections(port: int) -> bool:
    """Whether nothing accepts TCP connections on `port` of loopback."""
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return True
    return False


def answers_healthz(base_url: str) -> bool:
    """Whether `GET /healthz` answers 200: the service is up."""
    try:
        return httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@dataclass(frozen=True)
class Server:
    """A started server command."""

    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        """Where it answers."""
        return f"http://{LOOPBACK}:{self.port}"

    def log(self) -> str:
        """Everything it wrote to stdout and stderr so far."""
        return self.log_path.read_text(errors="replace")

    def json_lines(self) -> list[dict[str, Any]]:
        """Its log lines that are JSON objects (log records), in order."""
        return [json.loads(line) for line in self.log().splitlines() if line.startswith("{")]


@contextmanager
def started(
    args: list[str],
    env: Mapping[str, str],
    workdir: Path,
    ready: Callable[[str], bool] = answers_healthz,
) -> Iterator[Server]:
    """Start `connect-backend <args>` on `env["PORT"]`; yield it once `ready(base_url)` holds.

    On leaving, SIGTERM if it still runs, then SIGKILL for its whole session if it hangs.
    """
    log_path = workdir / f"{args[0]}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [str(CONSOLE_SCRIPT), *args],
            cwd=workdir,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, int(env["PORT"]), log_path)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready(server.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"connect-backend {args[0]} did not start:\n{server.log()[-4000:]}")
            time.sleep(_POLL_S)
        yield server
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # Workers that outlived their parent (it was killed, or lost them) go too.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
