"""`connect-backend` commands as real subprocesses on loopback, for end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

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


@contextmanager
def running_service(args: list[str], env: Mapping[str, str], workdir: Path) -> Iterator[str]:
    """Start `connect-backend <args>` and yield its base URL once /healthz answers; stop it after.

    `env` must hold the PORT it listens on.
    """
    base_url = f"http://127.0.0.1:{env['PORT']}"
    log_path = workdir / f"{args[0]}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [str(CONSOLE_SCRIPT), *args],
            cwd=workdir,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    """Poll /healthz until it answers 200, the process dies, or START_TIMEOUT_S passes."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"connect-backend exited ({process.returncode}):\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"connect-backend not healthy after {START_TIMEOUT_S} s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
