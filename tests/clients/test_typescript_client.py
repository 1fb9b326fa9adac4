"""A TypeScript client generated from docs/openapi.json drives the whole flow against `dev`.

clients/typescript pins openapi-typescript (types from the document), openapi-fetch (the fetch
client) and TypeScript in its package-lock.json. The test installs them (`npm ci`, skipped while
node_modules matches the lock file), generates the client, type-checks and compiles the flow
script against it, and runs it with node. Outside CI a machine without node and npm skips it;
in CI (`CI=true`) that is a failure.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.clients.conftest import REPO, DevService

PROJECT = REPO / "clients" / "typescript"
LOCK = PROJECT / "package-lock.json"
STAMP = PROJECT / "node_modules" / ".connect-backend-lock.sha256"
INSTALL_TIMEOUT_S = 600
STEP_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def npm() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        reason = "node and npm (Node 20+) are needed to check the generated TypeScript client"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return npm


def run(command: list[str], timeout_s: int, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - npm and node with fixed arguments
        command,
        cwd=PROJECT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return result.stdout


@pytest.fixture(scope="module")
def built_client(npm: str) -> Path:
    """node_modules as locked, the generated client, and the flow compiled against it."""
    lock_hash = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != lock_hash:
        run([npm, "ci", "--no-audit", "--no-fund"], INSTALL_TIMEOUT_S)
        STAMP.write_text(lock_hash + "\n")
    run([npm, "run", "generate"], STEP_TIMEOUT_S)
    generated = PROJECT / "src" / "generated" / "api.d.ts"
    assert "operations" in generated.read_text(), "openapi-typescript wrote the client's types"
    run([npm, "run", "build"], STEP_TIMEOUT_S)  # tsc: the flow type-checks against them
    return PROJECT / "dist" / "flow.js"


def test_the_generated_typescript_client_logs_a_user_in_with_a_passkey(
    npm: str, built_client: Path, dev_service: DevService
) -> None:
    node = shutil.which("node")
    assert node is not None
    stdout = run(
        [node, str(built_client)], STEP_TIMEOUT_S, {"CONNECT_BACKEND_URL": dev_service.base_url}
    )
    report = json.loads(stdout.strip().splitlines()[-1])
    assert report["ok"] is True
    assert report["seen"] == {
        "register": 201,
        "login": 200,
        "createConnectToken": 200,
        "emulatorPasskeyLogin": 200,
        "completeLogin": 200,
        "completeLoginReplayed": 401,
        "refresh": 200,
        "me": 200,
        "logout": 204,
        "meAfterLogout": 401,
    }
