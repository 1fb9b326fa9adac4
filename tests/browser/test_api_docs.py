"""The interactive API docs at /schema, rendered from our own origin only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.demo import artifacts_folder

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_docs_render_every_operation_without_leaving_the_origin(
    browser: Browser, demo_url: str, request: pytest.FixtureRequest
) -> None:
    operations = [
        operation["operationId"]
        for path in json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].values()
        for operation in path.values()
    ]
    context = browser.new_context(base_url=demo_url)
    page = context.new_page()
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(demo_url) else elsewhere.append(request.url),
    )
    refused: list[str] = []
    page.on("console", lambda line: refused.append(line.text) if line.type == "error" else None)
    try:
        page.goto("/schema")
        for operation in ("register", "login", "completeLogin", "listSessions"):
            assert operation in operations
        expect(page.locator(".opblock")).to_have_count(len(operations))
        expect(page.locator(".opblock-summary-path").first).to_be_visible()
        expect(page.get_by_role("heading", name="connect-backend")).to_be_visible()
        page.screenshot(path=artifacts_folder(request.node.name) / "01-schema.png")
    finally:
        context.close()
    assert elsewhere == [], "every asset comes from this origin"
    assert refused == [], "no script or style was refused (Content-Security-Policy)"
