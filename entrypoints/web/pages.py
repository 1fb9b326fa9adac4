"""The browser page besides the API, from files in installed packages (no CDN, no inline
script): the interactive docs at `/schema` (Swagger UI's assets from the pinned `swagger-ui-py`
wheel). `dev` adds the demo frontend at `/` (`corbado_emulator.dev.demo`).

Their HTML answers carry `PAGE_CSP`, which allows this origin and nothing else; every other answer
keeps the API's `default-src 'none'` (`web.browser`).
"""

from __future__ import annotations

import html
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from litestar import HttpMethod, Request, route
from litestar.exceptions import NotFoundException
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.params import FromPath
from litestar.response import File

STATIC = Path(__file__).parent / "static"


def _swagger_ui_dist() -> Path:
    # Found, not imported: the package's own code (a Flask/Tornado/... integration) is not used.
    spec = find_spec("swagger_ui")
    assert spec is not None, "swagger-ui-py is a dependency"
    assert spec.submodule_search_locations is not None
    return Path(spec.submodule_search_locations[0]) / "static"


SWAGGER_UI_DIST = _swagger_ui_dist()
DOCS_ASSETS = "/static/docs"
# Scripts, styles, fetches and images from this origin only; Swagger UI's styles use data: images.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


class OfflineSwaggerUI(SwaggerRenderPlugin):
    """Swagger UI from our own origin, started by `static/docs/start.js` (no inline script)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """The page: the pinned assets, our start-up script and where the document is."""
        title = html.escape(str(openapi_schema["info"]["title"]))
        spec_url = html.escape(f"{request.scope.get('root_path', '')}/schema/openapi.json")
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{DOCS_ASSETS}/swagger-ui.css">
<script src="{DOCS_ASSETS}/swagger-ui-bundle.js" defer></script>
<script src="{DOCS_ASSETS}/swagger-ui-standalone-preset.js" defer></script>
<script src="{DOCS_ASSETS}/start.js" defer></script>
</head><body><div id="swagger-ui" data-spec-url="{spec_url}"></div></body></html>
""".encode()


# What the docs page loads, and nothing else of the wheel's directory (Swagger Editor,
# source maps, an `oauth2-redirect.html` with an inline script).
_DOCS_FILES = {
    name: SWAGGER_UI_DIST / name
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js")
} | {"start.js": STATIC / "docs" / "start.js"}


@route(
    f"{DOCS_ASSETS}/{{name:str}}",
    http_method=[HttpMethod.GET, HttpMethod.HEAD],
    include_in_schema=False,
    sync_to_thread=False,
)
def docs_asset(name: FromPath[str]) -> File:
    """One of the files the docs page loads, at `DOCS_ASSETS`."""
    path = _DOCS_FILES.get(name)
    if path is None:
        raise NotFoundException()
    return File(path, filename=name, content_disposition_type="inline")
