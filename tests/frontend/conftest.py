"""Corbado's own JavaScript SDKs against the emulator: `js/` pins `@corbado/web-core`,
`@corbado/node-sdk`, esbuild and TypeScript in its package-lock.json, and `npm ci` installs
exactly those (skipped while node_modules matches the lock file).

Outside CI a machine without node and npm skips these tests; in CI (`CI=true`) that is a
failure, as for the browser tests. The web-core journey also needs Chromium (marker `browser`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

JS = Path(__file__).parent / "js"
LOCK = JS / "package-lock.json"
STAMP = JS / "node_modules" / ".connect-backend-lock.sha256"
INSTALL_TIMEOUT_S = 600
STEP_TIMEOUT_S = 180


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail under CI=true: CI must run these tests."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"the Corbado SDK tests must run in CI: {reason}")
    pytest.skip(reason)


def run(command: list[str], timeout_s: int = STEP_TIMEOUT_S) -> str:
    """Run `command` in `js/`; its stdout, or fail the test with everything it printed."""
    done = subprocess.run(  # noqa: S603 - npm, node and esbuild with fixed arguments
        command, cwd=JS, capture_output=True, text=True, timeout=timeout_s, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="session")
def node() -> str:
    """node, with `js/node_modules` installed as locked."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("node and npm (Node 20+) are needed to run Corbado's JavaScript SDKs")
    lock_hash = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != lock_hash:
        run([npm, "ci", "--no-audit", "--no-fund"], INSTALL_TIMEOUT_S)
        STAMP.write_text(lock_hash + "\n")
    return node


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the web-core journey `browser`: it drives Chromium."""
    journey = Path(__file__).parent / "test_web_core_journey.py"
    for item in items:
        if item.path == journey:
            item.add_marker(pytest.mark.browser)
