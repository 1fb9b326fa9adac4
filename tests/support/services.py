"""`connect-backend` commands as real subprocesses on loopback, for end-to-end tests.

A server command runs in a session of its own, so that granian's worker processes go with it
whatever happens to the test.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

LOOPBACK = "127.0.0.1"
POLL_S = 0.05
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
# Only what a process needs to run: no DATABASE_URL, REDIS_URL or tunable leaks in from outside.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
CONSOLE_SCRIPT = Path(sys.executable).with_name("connect-backend")


def base_environment(**settings: str) -> dict[str, str]:
    """The parent's bare essentials plus `settings`."""
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env.update(settings)
    return env


def run_command(args: list[str], env: Mapping[str, str], workdir: Path) -> str:
    """Run a short `connect-backend` command to completion; its stdout, or fail the test."""
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(CONSOLE_SCRIPT), *args], cwd=workdir, env=dict(env), capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"connect-backend {' '.join(args)} exited {done.returncode}:\n{done.stderr}")
    return done.stdout


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
            time.sleep(POLL_S)
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


@contextmanager
def running_service(args: list[str], env: Mapping[str, str], workdir: Path) -> Iterator[str]:
    """Start `connect-backend <args>` and yield its base URL once /healthz answers; stop it after.

    `env` must hold the PORT it listens on.
    """
    with started(args, env, workdir) as server:
        yield server.base_url
