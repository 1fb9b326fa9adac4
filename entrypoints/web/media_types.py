"""Request bodies are JSON: a body under any other media type is refused (415) by the route
policies' first step, before anything reads it or acts on it.

A page on any site can make its visitors' browsers send `text/plain`, form and multipart bodies
without a CORS preflight; Litestar decodes a handler's body as JSON whatever its `Content-Type`
says, so such a body would log in, register or refresh.
"""

from __future__ import annotations

from typing import Any

from litestar import Request

JSON = "application/json"


class UnsupportedMediaType(Exception):
    """A request carries a body whose `Content-Type` is not `application/json`, or none."""


def is_json(content_type: str | None) -> bool:
    """Whether a `Content-Type` value is `application/json`, in any case, parameters allowed."""
    return content_type is not None and content_type.partition(";")[0].strip().lower() == JSON


async def json_bodies_only(connection: Request[Any, Any, Any]) -> None:
    """415 for a body that is not declared JSON; a request without a body passes.

    A mounted ASGI app (the emulator) has no route policies, and judges its bodies itself.
    """
    # The raw head, not `connection.headers`: building those costs ~12 us, on every request.
    content_type: bytes | None = None
    length: bytes | None = None
    chunked = False
    for name, value in connection.scope["headers"]:
        if name == b"content-type":
            content_type = value
        elif name == b"content-length":
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    if content_type is not None and is_json(content_type.decode("latin-1")):
        return
    if await carries_body(connection, length, chunked=chunked):
        raise UnsupportedMediaType


async def carries_body(
    request: Request[Any, Any, Any], length: bytes | None, *, chunked: bool
) -> bool:
    """Whether `request` has a body, from its `Content-Length` (`length`) and whether it has a
    `Transfer-Encoding`; read only when those cannot tell (a chunked body, HTTP/2), within the
    body size limit."""
    if length is not None:
        return not length.strip().isdigit() or int(length) > 0
    # RFC 9112 6.3: an HTTP/1 request without Content-Length or Transfer-Encoding has no body.
    if request.scope["http_version"] in ("1.0", "1.1") and not chunked:
        return False
    return bool(await request.body())
