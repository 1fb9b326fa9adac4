"""A repair for Litestar 2's default OPTIONS answer on paths served by several handlers."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar, Response
from litestar.enums import MediaType
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT
from litestar.types import Scope


def complete_options_allow(app: Litestar) -> Litestar:
    """Make each default OPTIONS handler list every method of its path in `Allow`.

    Litestar 2 creates it with the path's first handler and keeps it when more handlers join
    the path, so `OPTIONS /auth/me` said `GET, OPTIONS` without `DELETE` (litestar#4169, fixed
    only in Litestar 3). The 405 answer's `Allow` is computed elsewhere and was already right.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler = route.route_handler_map["OPTIONS"][0]
        if handler.fn.__qualname__ == "HTTPRoute.create_options_handler.<locals>.options_handler":
            # Synchronous like the one it replaces, which Litestar already calls as such.
            handler._fn = _options_handler(", ".join(sorted(route.methods)))  # type: ignore[assignment]
    return app


def _options_handler(allow: str) -> Callable[[Scope], Response[None]]:
    def options_handler(scope: Scope) -> Response[None]:
        return Response(
            content=None,
            status_code=HTTP_204_NO_CONTENT,
            headers={"Allow": allow},
            media_type=MediaType.TEXT,
        )

    return options_handler
