"""The demo in a real browser: Debian's Chromium driven by Playwright, with a virtual WebAuthn
authenticator on every page, against `connect-backend dev` on a free port at
`http://localhost:<port>` (an IP address is no relying party id).

Every test here is marked `browser`; under CI=true a missing Chromium or Playwright fails the
tests instead of skipping them. Screenshots go to `.artifacts/browser/<test>/`.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.browser.demo import Demo, artifacts_folder
from tests.support.servers import free_port
from tests.support.services import base_environment, running_service

# Debian's `chromium` is a wrapper script (it prints a harmless shell warning); the binary it runs.
CHROMIUM_BINARY = Path("/usr/lib/chromium/chromium")


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run in CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> Path | None:
    """The system Chromium, if installed."""
    if CHROMIUM_BINARY.exists():
        return CHROMIUM_BINARY
    found = shutil.which("chromium")
    return Path(found) if found else None


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system's packages (never a downloaded build)."""
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`connect-backend dev` in an empty directory, as the browser must name it: localhost."""
    port = free_port()
    workdir = tmp_path_factory.mktemp("demo")
    with running_service(["dev"], base_environment(PORT=str(port)), workdir):
        yield f"http://localhost:{port}"


@pytest.fixture
def demo(browser: Browser, demo_url: str, request: pytest.FixtureRequest) -> Iterator[Demo]:
    """A fresh browser context on the demo, with an authenticator and a screenshot folder."""
    folder = artifacts_folder(request.node.name)
    context = browser.new_context(base_url=demo_url, viewport={"width": 900, "height": 1000})
    try:
        yield Demo.open(context, folder)
    finally:
        context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here `browser`, so that `-m browser` (or `-m "not browser"`) selects them."""
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.browser)
