"""The demo frontend at `/`, from `static/demo/` (no CDN, no inline script): it logs in with
passwords and passkeys, the passkey ceremonies through the emulator's mounted Frontend API.

Its page carries the docs page's `PAGE_CSP` (this origin and nothing else).
"""

from __future__ import annotations

from pathlib import Path

from litestar import get
from litestar.response import File
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from entrypoints.web.openapi import PAGE_CSP

DEMO = Path(__file__).parent / "static" / "demo"
DEMO_ASSETS = "/static/demo"
_PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}


@get("/", include_in_schema=False, sync_to_thread=False)
def demo_page() -> File:
    """The demo frontend's only page; its scripts and styles are at `DEMO_ASSETS`."""
    return File(
        DEMO / "index.html",
        filename="index.html",
        content_disposition_type="inline",
        media_type="text/html",
        headers=_PAGE_HEADERS,
    )


def demo_handlers() -> list[ControllerRouterHandler]:
    """The demo frontend: `/` and its assets."""
    assets = create_static_files_router(DEMO_ASSETS, directories=[DEMO], name="demo_assets")
    return [demo_page, assets]
