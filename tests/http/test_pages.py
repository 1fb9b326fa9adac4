"""The two pages besides the API: the demo at `/` (only where the emulator runs) and the
interactive docs at `/schema`, each loading files from this origin only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from entrypoints.web.app import STRICT_CSP
from entrypoints.web.openapi import PAGE_CSP
from tests.http.conftest import Api, dev_settings, running_app

ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)=["']([^"']+)["']""")


def assets_of(html: str) -> list[str]:
    return [url for url in ASSET.findall(html) if not url.startswith("data:")]


def assert_no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"an inline script: {tag}"


@pytest.mark.parametrize(
    ("path", "first_asset"),
    [("/", "/static/demo/demo.css"), ("/schema", "/static/docs/swagger-ui.css")],
)
def test_a_page_loads_only_files_of_this_origin_under_a_self_only_policy(
    api: Api, path: str, first_asset: str
) -> None:
    page = api.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["Content-Security-Policy"] == PAGE_CSP
    assert "'unsafe-inline'" not in PAGE_CSP
    assert page.headers["X-Frame-Options"] == "DENY"
    assert_no_inline_script(page.text)
    assets = assets_of(page.text)
    assert assets[0] == first_asset
    for url in assets:
        assert url.startswith("/static/"), f"{url} is not on this origin"
        asset = api.client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(("text/javascript", "text/css")), url


def test_the_demo_scripts_are_modules_of_the_package(api: Api) -> None:
    page = api.client.get("/").text
    assert '<script type="module" src="/static/demo/app.js">' in page
    for module in ("app.js", "api.js", "passkeys.js"):
        script = api.client.get(f"/static/demo/{module}")
        assert script.status_code == 200
        assert "localStorage" not in script.text, "tokens are never stored"


def test_without_the_emulator_there_is_no_demo(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, use_emulator=False)
    with running_app(settings, fake_corbado=True) as running:
        for path in ("/", "/static/demo/app.js"):
            response = running.client.get(path)
            assert response.status_code == 404
            assert response.headers["Content-Security-Policy"] == STRICT_CSP
        assert running.client.get("/schema").status_code == 200
        assert running.client.get("/static/docs/start.js").status_code == 200


def test_the_docs_start_from_the_document_of_this_service(api: Api) -> None:
    page = api.client.get("/schema").text
    assert 'data-spec-url="/schema/openapi.json"' in page
    assert api.client.get("/schema/openapi.json").status_code == 200


@pytest.mark.parametrize(
    "name", ["oauth2-redirect.html", "swagger-editor.js", "swagger-ui.js.map", "index.css", "x"]
)
def test_the_docs_serve_only_the_files_their_page_loads(api: Api, name: str) -> None:
    assert api.client.get(f"/static/docs/{name}").status_code == 404


def test_a_docs_asset_answers_head_as_a_static_file_does(api: Api) -> None:
    head = api.client.head("/static/docs/start.js")
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/javascript")
    assert head.content == b""
