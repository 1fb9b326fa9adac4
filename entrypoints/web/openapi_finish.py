"""`finish`: the rules that state in the OpenAPI document what Litestar 2 cannot declare."""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import OpenAPI

from entrypoints.web.errors import UNSUPPORTED_MEDIA_TYPE
from entrypoints.web.session_transport import REFRESH_COOKIE, SESSION_TRANSPORT
from entrypoints.web.wire import Wire


class FinishedOpenAPIConfig(OpenAPIConfig):
    """Litestar's OpenAPI config, whose document passes through `finish` whenever it is rendered
    (at /schema/openapi.json and by `connect-backend openapi`)."""

    def to_openapi_schema(self) -> OpenAPI:
        document = super().to_openapi_schema()
        fields = {
            field.name: getattr(document, field.name) for field in dataclasses.fields(document)
        }
        return _FinishedOpenAPI(**fields)


@dataclasses.dataclass
class _FinishedOpenAPI(OpenAPI):
    def to_schema(self) -> dict[str, Any]:
        return finish(super().to_schema())


CHALLENGE_HEADER = {
    "description": (
        "`Bearer`; for `reauthentication_required`, "
        '`Bearer error="insufficient_user_authentication"`.'
    ),
    "required": True,
    "schema": {"type": "string"},
}
RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before retrying.",
    "required": False,
    "schema": {"type": "integer", "minimum": 0},
}
# Every 429 says when to come back; a 503 does unless it comes from /readyz.
RETRY_AFTER_REQUIRED = {"429": True, "503": False}
CLEARED_COOKIE_HEADER = {
    "description": (
        f"Only with `{SESSION_TRANSPORT}: cookie`: the `{REFRESH_COOKIE}` cookie cleared "
        "(`Max-Age=0`), as its session is over."
    ),
    "required": False,
    "schema": {"type": "string"},
}
# The codes of a refused refresh token; in the browser transport their answer clears the cookie.
REFRESH_REFUSALS = frozenset({"invalid_refresh_token", "refresh_token_reused"})


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """What Litestar 2 cannot declare, stated from what the code does.

    - A body a handler takes as `X | None` is optional: `required: false`, schema `X` (the
      handler refuses `null` through `schemas.decode_optional_body`); what Litestar put beside
      the `oneOf` (description, examples) moves to `X`.
    - A request struct that refuses unknown members (msgspec `forbid_unknown_fields`) says
      `additionalProperties: false`.
    - The 401 of an operation with a security requirement carries `WWW-Authenticate`; a 429
      carries `Retry-After`, a 503 may.
    - An optional header parameter is absent or a value, never `null`; a `oneOf` of one schema
      (a field left out rather than `null`, msgspec's `UNSET`) is that schema.
    - A refused refresh token (401) in the browser transport clears the cookie: `Set-Cookie`.
    - A 204 has no content (a handler that returns a `Response[None]` to set a cookie is
      documented by Litestar with a `null` body).
    - An operation with a request body answers 415 to a body that is not declared JSON (the
      check `policies.json_bodies_only`), in the error schema of its 400.
    """
    components = document.get("components", {}).get("schemas", {})
    for component in components.values():
        for name, schema in component.get("properties", {}).items():
            component["properties"][name] = _single_branch(schema)
    for operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "header" and not parameter.get("required"):
                parameter["schema"] = _not_null(parameter["schema"])
            if parameter.get("schema", {}).get("description") == parameter.get("description"):
                parameter["schema"].pop("description", None)
        if "204" in _responses(operation):
            operation["responses"]["204"].pop("content", None)
        if "401" in _responses(operation) and _refuses_refresh_tokens(operation):
            _add_header(operation["responses"]["401"], "Set-Cookie", CLEARED_COOKIE_HEADER)
        body = operation.get("requestBody")
        if body is not None:
            media = body["content"]["application/json"]
            media["schema"] = _optional(body, media["schema"], components)
            _close(media["schema"], components)
            operation["responses"] = _with_unsupported_media_type(_responses(operation))
        responses = operation.get("responses", {})
        if operation.get("security") and "401" in responses:
            _add_header(responses["401"], "WWW-Authenticate", CHALLENGE_HEADER)
        for status, required in RETRY_AFTER_REQUIRED.items():
            if status in responses:
                header = {**RETRY_AFTER_HEADER, "required": required}
                _add_header(responses[status], "Retry-After", header)
    return document


_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        item[method]
        for item in document.get("paths", {}).values()
        for method in _METHODS
        if method in item
    ]


def _responses(operation: dict[str, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = operation.get("responses", {})
    return responses


def _refuses_refresh_tokens(operation: dict[str, Any]) -> bool:
    takes_transport = any(
        parameter.get("name") == SESSION_TRANSPORT for parameter in operation.get("parameters", [])
    )
    content = _responses(operation)["401"].get("content", {}).get("application/json", {})
    codes = {example.get("summary") for example in content.get("examples", {}).values()}
    return takes_transport and bool(codes & REFRESH_REFUSALS)


def _with_unsupported_media_type(responses: dict[str, Any]) -> dict[str, Any]:
    error_schema = responses["400"]["content"]["application/json"]["schema"]
    spec = UNSUPPORTED_MEDIA_TYPE
    value: dict[str, object] = {"error": spec.code, "message": spec.message}
    if error_schema.get("$ref", "").endswith("/PasskeyErrorResponse"):
        value["success"] = False
    unsupported = {
        "description": (
            "The request body is not sent as `Content-Type: application/json` (parameters "
            f"such as `charset=utf-8` allowed); nothing in it is acted on. `error`: `{spec.code}`."
        ),
        "content": {
            "application/json": {
                "schema": dict(error_schema),
                "examples": {spec.code: {"summary": spec.code, "value": value}},
            }
        },
    }
    return dict(sorted({**responses, str(spec.status): unsupported}.items()))


def _single_branch(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("oneOf")
    if not isinstance(branches, list) or len(branches) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "oneOf"}
    return {**branches[0], **rest}


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("oneOf", [])
    rest = [branch for branch in branches if branch != {"type": "null"}]
    if len(branches) != 2 or len(rest) != 1:
        return schema
    return {**{key: value for key, value in schema.items() if key != "oneOf"}, **rest[0]}


def _optional(
    body: dict[str, Any], schema: dict[str, Any], components: dict[str, Any]
) -> dict[str, Any]:
    branches = schema.get("oneOf", [])
    rest = [branch for branch in branches if branch != {"type": "null"}]
    if len(branches) != 2 or len(rest) != 1:
        return schema
    body["required"] = False
    target = _component(rest[0], components)
    for key, value in schema.items():
        if key != "oneOf" and target is not None:
            target.setdefault(key, value)
    return dict(rest[0])


def _close(schema: dict[str, Any], components: dict[str, Any]) -> None:
    target = _component(schema, components)
    struct = _wire_types().get(target.get("title", "")) if target is not None else None
    if target is not None and struct is not None and struct.__struct_config__.forbid_unknown_fields:
        target["additionalProperties"] = False


def _component(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    reference = schema.get("$ref", "")
    prefix = "#/components/schemas/"
    found = components.get(reference[len(prefix) :]) if reference.startswith(prefix) else None
    return found if isinstance(found, dict) else None


def _wire_types() -> dict[str, type[Wire]]:
    found: dict[str, type[Wire]] = {}
    pending: list[type[Wire]] = [Wire]
    while pending:
        struct = pending.pop()
        found[struct.__name__] = struct
        pending.extend(struct.__subclasses__())
    return found


def _add_header(response: dict[str, Any], name: str, header: dict[str, Any]) -> None:
    response.setdefault("headers", {}).setdefault(name, dict(header))
