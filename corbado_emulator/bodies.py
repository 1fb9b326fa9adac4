"""Reading request bodies: JSON only, a JSON object, then its members, every problem named by
field."""

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from corbado_emulator.envelope import ApiError, validation_error

MISSING = object()
E = TypeVar("E", bound=enum.StrEnum)
Problems = list[tuple[str, str]]


async def json_bodies_only(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """The guard: 415 for a body whose `Content-Type` is not `application/json` (parameters
    allowed), before any handler reads it. Corbado's SDKs and `@corbado/web-core` send JSON;
    a page elsewhere could send `text/plain` to the Frontend API without a CORS preflight."""
    if not isinstance(connection, Request):
        return
    media_type = (connection.headers.get("content-type") or "").partition(";")[0]
    if media_type.strip().lower() != "application/json" and await connection.body():
        raise ApiError(
            415,
            "validation_error",
            "Unsupported media type",
            [("Content-Type", "must be application/json")],
        )


async def json_object(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The body as a JSON object; 400 `invalid_json` or `validation_error` otherwise."""
    try:
        body = msgspec.json.decode(await request.body())
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError(400, "invalid_json", "Request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise validation_error([("body", "must be an object")])
    return body


def text(
    fields: Mapping[str, Any],
    name: str,
    problems: Problems,
    *,
    field: str | None = None,
    blank_ok: bool = False,
) -> str:
    """The string `fields[name]`, or "" after recording why it is unusable."""
    value = fields.get(name, MISSING)
    if value is MISSING:
        problems.append((field or name, "is required"))
    elif not isinstance(value, str):
        problems.append((field or name, "must be a string"))
    elif not blank_ok and not value.strip():
        problems.append((field or name, "cannot be blank"))
    else:
        return value
    return ""


def optional_text(fields: Mapping[str, Any], name: str, problems: Problems) -> str | None:
    """The string `fields[name]` if given (blank allowed), else None."""
    if fields.get(name, MISSING) is MISSING:
        return None
    return text(fields, name, problems, blank_ok=True)


def choice(fields: Mapping[str, Any], name: str, kind: type[E], problems: Problems) -> E | None:
    """The member of `kind` that `fields[name]` names, or None after recording why not."""
    value = text(fields, name, problems)
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        problems.append((name, f"must be one of {', '.join(m.value for m in kind)}"))
        return None


def raise_problems(problems: Problems) -> None:
    """400 `validation_error` naming every problem, if there is one."""
    if problems:
        raise validation_error(problems)
