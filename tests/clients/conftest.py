"""`connect-backend dev` as a subprocess on a free port, for clients generated from the document."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "docs" / "openapi.json"
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
# The emulator stands in for the browser's passkey ceremony under this path of the dev service.
PASSKEY_LOGIN = "/_emulator/corbado/v2/_emulator/passkeyLogin"
PASSWORD = "correct horse battery"
# Only what a process needs to run: no DATABASE_URL, REDIS_URL or tunable leaks in from outside.
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


@dataclass(frozen=True)
class DevService:
    """A running `connect-backend dev`: where it answers and the directory it was started in."""

    base_url: str
    workdir: Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def dev_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevService]:
    """`connect-backend dev` on a free port, started in an empty working directory."""
    workdir = tmp_path_factory.mktemp("dev-service")
    port = free_port()
    env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
    env["PORT"] = str(port)
    command = Path(sys.executable).with_name("connect-backend")
    log_path = workdir / "dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [str(command), "dev"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(base_url, process, log_path)
            yield DevService(base_url=base_url, workdir=workdir)
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
            pytest.fail(f"connect-backend dev exited ({process.returncode}):\n{_tail(log_path)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"connect-backend dev not healthy after {START_TIMEOUT_S} s:\n{_tail(log_path)}")


def _tail(log_path: Path) -> str:
    return "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])
