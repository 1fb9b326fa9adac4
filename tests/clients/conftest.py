"""`connect-backend dev` as a subprocess on a free port, for clients generated from the document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.servers import free_port
from tests.support.services import base_environment, running_service

REPO = Path(__file__).resolve().parents[2]
DOCUMENT = REPO / "docs" / "openapi.json"
# The emulator stands in for the browser's passkey ceremony under this path of the dev service.
PASSKEY_LOGIN = "/_emulator/corbado/v2/_emulator/passkeyLogin"
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class DevService:
    """A running `connect-backend dev`: where it answers and the directory it was started in."""

    base_url: str
    workdir: Path


@pytest.fixture(scope="session")
def dev_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevService]:
    """`connect-backend dev` on a free port, started in an empty working directory."""
    workdir = tmp_path_factory.mktemp("dev-service")
    env = base_environment(PORT=str(free_port()))
    with running_service(["dev"], env, workdir) as base_url:
        yield DevService(base_url=base_url, workdir=workdir)
