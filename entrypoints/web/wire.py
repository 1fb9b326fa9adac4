"""The wire format's base: camelCase msgspec structs that refuse unknown members, and how
handlers take them (`json_body`, `decode_optional_body`, `JsonRequest`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.params import BodyKwarg

# msgspec follows nesting under the interpreter's recursion limit: JSON nested about a thousand
# levels deep (2 KB of brackets) raises RecursionError, not a DecodeError.
TOO_DEEP = "JSON nested too deeply"


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Base of every request and response body."""


W = TypeVar("W", bound=Wire)


def json_body(struct: type[Wire], *examples: Mapping[str, Any]) -> BodyKwarg:
    """The body marker of a request struct: JSON, documented with its docstring and `examples`.

    Each example must decode into `struct`, so the document never shows a body we refuse. That
    the struct refuses unknown members is stated by `openapi_docs.finish`.
    """
    for example in examples:
        msgspec.json.decode(msgspec.json.encode(example), type=struct)
    extra: dict[str, Any] = {"examples": [dict(example) for example in examples]}
    if struct.__doc__:
        extra["description"] = struct.__doc__
    return BodyKwarg(media_type=RequestEncodingType.JSON, schema_extra=extra)


def decode_optional_body(raw: bytes, struct: type[W]) -> W | None:
    """An optional body: None when there is none, else `struct` decoded in msgspec's strict mode.

    Litestar decodes bodies in lax mode, where `1` or `"true"` pass for `true`, and takes `null`
    for an absent optional body; the document promises neither, so a handler with an optional
    body decodes the raw body again with this and refuses both (400).
    """
    if not raw:
        return None
    try:
        return msgspec.json.decode(raw, type=struct)
    except RecursionError as exc:
        raise ValidationException(extra=[{"key": "data", "message": TOO_DEEP}]) from exc
    except msgspec.DecodeError as exc:  # ValidationError is one
        message, _, where = str(exc).partition(" - at `$")
        field = where.strip("`.") or "data"
        raise ValidationException(extra=[{"key": field, "message": message}]) from exc


class JsonRequest(Request[Any, Any, Any]):
    """The app's request class: a JSON body that cannot be decoded, nesting too deep for the
    decoder included, is a 400 like any malformed JSON, never an uncaught RecursionError."""

    async def json(self) -> Any:
        try:
            return await super().json()
        except RecursionError as exc:
            raise ClientException(TOO_DEEP) from exc


def user_agent(request: Request[Any, Any, Any]) -> str | None:
    """The caller's `User-Agent`, recorded on new sessions so users recognise their devices."""
    for name, value in request.scope["headers"]:
        if name.lower() == b"user-agent":
            return value.decode("latin-1")
    return None
