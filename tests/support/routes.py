"""Operations read off a Litestar app, so that a test covers every route, new ones included."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.routes import HTTPRoute

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def body_operations(
    app: Litestar, *, mount: str = "", by_method: bool = False
) -> list[tuple[str, str]]:
    """(method, path) of every operation of `app` that takes a body, its path parameters filled
    in and its path under `mount`: each handler with a `data` parameter, or with `by_method`
    (an app whose handlers read their bodies themselves: the emulator) each POST, PUT, PATCH."""
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            takes_data = "data" in handler.parsed_fn_signature.parameters
            for method in sorted(handler.http_methods):
                if takes_data or (by_method and method in BODY_METHODS):
                    found.append((method, mount + re.sub(r"{[^}]*}", "x", route.path)))
    return found


def nested_json(shape: str, depth: int) -> bytes:
    """Well-formed JSON nested `depth` levels deep: `arrays`, or `objects` of one member."""
    if shape == "arrays":
        return b"[" * depth + b"]" * depth
    return b'{"":' * depth + b"1" + b"}" * depth
