"""Corbado's own frontend code against `connect-backend dev`, from another origin: the pinned
`@corbado/web-core`'s ConnectService, bundled by esbuild (`js/journey.js`), in Chromium with a
virtual authenticator, on a page served from `http://localhost:<port of its own>` as a frontend
developer's dev server serves it, calling `dev` at `http://localhost:<dev port>`.

The journey: register and log in with a password, append a passkey (appendInit, startAppend,
completeAppend), log in with it (loginStart, loginContinue, then completeLogin: amr `hwk`),
list and delete it (manageList, manageDelete, then passkeys/deleted), and a last loginStart that
falls back. Every Frontend API answer is checked against web-core's own generated types
(`dist/api/v2/api.d.ts`, read by the TypeScript compiler): what they declare, no more, and every
optional member at least once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Response, sync_playwright

from entrypoints.configuration.settings import DEV_PROJECT_ID
from tests.browser.conftest import chromium_path
from tests.browser.demo import AUTHENTICATOR
from tests.frontend.conftest import JS, run, unavailable
from tests.frontend.declared import Conformance, Declarations
from tests.support.servers import LOOPBACK, free_port
from tests.support.services import base_environment, running_service

WEB_CORE_TYPES = JS / "node_modules" / "@corbado" / "web-core" / "dist" / "api" / "v2" / "api.d.ts"
FRONTEND_API = "/_emulator/corbado/frontendapi"
EMAIL = "web.core@example.com"
PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><title>web-core journey</title></head>
<body><script src="/journey.js"></script></body></html>
"""


@pytest.fixture(scope="module")
def page_folder(node: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page and web-core's journey, bundled for the browser."""
    folder = tmp_path_factory.mktemp("web-core-page")
    esbuild = str(JS / "node_modules" / ".bin" / "esbuild")
    run(
        [
            esbuild,
            "journey.js",
            "--bundle",
            "--format=iife",
            "--platform=browser",
            "--target=es2020",
            "--log-level=warning",
            f"--outfile={folder / 'journey.js'}",
        ]
    )
    (folder / "index.html").write_bytes(PAGE)
    return folder


@pytest.fixture(scope="module")
def page_origin(page_folder: Path) -> Iterator[str]:
    """A static server for the page: the frontend developer's dev server, on its own port."""
    handler = partial(_QuietHandler, directory=str(page_folder))
    server = ThreadingHTTPServer((LOOPBACK, free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def dev_origin(page_origin: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`dev` with the page's origin listed for its own API, as the integration guide says."""
    port = free_port()
    env = base_environment(PORT=str(port), CORS_ALLOW_ORIGINS=page_origin)
    with running_service(["dev"], env, tmp_path_factory.mktemp("dev")):
        yield f"http://localhost:{port}"


@pytest.fixture(scope="module")
def browser(node: str) -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        unavailable("Chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), headless=True)
        yield launched
        launched.close()


@dataclass(frozen=True)
class Answer:
    """A Frontend API answer as the page received it."""

    operation: str  # the path under /v2/connect/
    status: int
    origin: str | None  # the request's Origin
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Journey:
    """What the page's journey reported, and every Frontend API answer it received."""

    seen: dict[str, Any]
    answers: list[Answer]


@pytest.fixture(scope="module")
def journey(browser: Browser, page_origin: str, dev_origin: str) -> Journey:
    """The journey, run once on the page with a virtual authenticator."""
    context = browser.new_context()
    received: list[Response] = []
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})
        page.on("response", lambda r: received.append(r) if FRONTEND_API in r.url else None)
        page.goto(page_origin + "/index.html")
        seen: dict[str, Any] = page.evaluate(
            "config => window.runJourney(config)",
            {
                "api": dev_origin,
                "frontendApi": dev_origin + FRONTEND_API,
                "projectId": DEV_PROJECT_ID,
                "email": EMAIL,
            },
        )
        answers = [
            Answer(
                operation=re.sub(r"^.*/v2/connect/", "", r.url),
                status=r.status,
                origin=r.request.header_value("origin"),
                headers=r.all_headers(),
                body=r.json() if r.body() else None,
            )
            for r in received
        ]
    finally:
        context.close()
    return Journey(seen, answers)


def test_web_core_runs_the_whole_journey_from_another_origin(
    journey: Journey, page_origin: str, dev_origin: str
) -> None:
    seen = journey.seen

    assert page_origin != dev_origin
    assert seen["amr"] == ["hwk", "user"]
    assert seen["sameData"] is True
    assert seen["appended"]["operationType"] == "append"
    assert seen["loginFallback"] == {"initFallback": False}
    assert (seen["listed"], seen["deleted"], seen["endedSessions"]) == (1, True, 1)
    assert seen["refusal"] == {
        "assertionOptions": "",
        "initFallback": True,
        "identifier": EMAIL,
        "error": {"code": "no_passkey_available", "message": seen["refusal"]["error"]["message"]},
    }
    assert [answer.operation for answer in journey.answers] == [
        "append/init",
        "append/start",
        "append/finish",
        "login/init",
        "login/start",
        "login/finish",
        "manage/init",
        "manage/list",
        "manage/delete",
        "login/init",  # manage/init's process replaced the login's, so web-core inits again
        "login/start",
    ]
    for answer in journey.answers:
        assert answer.status == 200
        # A cross-origin call with credentials, let through by the emulator's CORS answer.
        assert answer.origin == page_origin
        assert answer.headers["access-control-allow-origin"] == page_origin
        assert answer.headers["access-control-allow-credentials"] == "true"


def test_every_frontend_api_answer_is_what_web_core_declares(
    node: str, journey: Journey, dev_origin: str
) -> None:
    declarations = Declarations.read(node, WEB_CORE_TYPES, "CorbadoConnectApi")
    conformance = Conformance(declarations, strict=True)

    for answer in journey.answers:
        operation = _operation(answer.operation, declarations)
        conformance.check(answer.body, declarations.operations[operation], operation)
        if operation.endswith("Init"):
            assert answer.body["frontendApiUrl"] == dev_origin + FRONTEND_API

    assert conformance.problems == []
    assert conformance.never_sent() == []


def _operation(path: str, declarations: Declarations) -> str:
    """The API method web-core calls for `path` (under /v2/connect/): `append/init` is
    `connectAppendInit` (the generator's naming)."""
    name = "connect" + "".join(part[:1].upper() + part[1:] for part in path.split("/"))
    assert name in declarations.operations, f"{path}: web-core declares no {name}"
    return name


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass
