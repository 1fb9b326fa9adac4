"""Running the image from a test: containers removed afterwards, waits that fail loudly."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli.processes import wait_until
from tests.image.engine import ROOT, Docker

APP_UID = 10001
MAKE_SECRETS = ROOT / "deploy" / "make-secrets"
START_BOUND_S = 60.0


@contextmanager
def container(docker: Docker, *run: str) -> Iterator[str]:
    """`docker run --detach <run>`; its name. Removed on leaving, whatever happened."""
    name = f"cb-test-{uuid.uuid4().hex[:12]}"
    docker.check("run", "--detach", f"--name={name}", *run)
    try:
        yield name
    finally:
        docker.run("rm", "--force", name)


def inspect(docker: Docker, name: str) -> dict[str, Any]:
    """`docker inspect` of one container or image."""
    found: list[dict[str, Any]] = json.loads(docker.check("inspect", name))
    return found[0]


def wait_for(docker: Docker, name: str, ready: Callable[[], bool], what: str) -> None:
    """Poll until `ready()` holds; fail with the container's logs if it stops first."""

    def condition() -> bool:
        if not inspect(docker, name)["State"]["Running"]:
            logs = docker.run("logs", name)
            pytest.fail(f"{name} stopped:\n{logs.stdout[-3000:]}{logs.stderr[-3000:]}")
        return ready()

    wait_until(condition, what, START_BOUND_S)


def answers(url: str, status: int | None = None) -> Callable[[], bool]:
    """Whether `GET url` gets an answer (with `status`, when given)."""

    def check() -> bool:
        try:
            answer = httpx.get(url, timeout=2)
        except httpx.TransportError:
            return False
        return status is None or answer.status_code == status

    return check


def make_secrets(directory: Path, image: str, stdin: str) -> subprocess.CompletedProcess[str]:
    """The README's step: `deploy/make-secrets DIR < the Corbado API secret`."""
    return subprocess.run(  # noqa: S603 - our own script
        [str(MAKE_SECRETS), str(directory)],
        input=stdin,
        env={**os.environ, "IMAGE": image},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def owner_and_mode(path: Path) -> tuple[int, int, int]:
    """Its owner, group and permission bits."""
    status = path.stat()
    return status.st_uid, status.st_gid, status.st_mode & 0o777
