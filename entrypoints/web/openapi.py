"""The OpenAPI document: what the controllers declare (error responses with examples, request
bodies, security), the document's description, tags and security schemes, the rules that state
in it what Litestar 2 cannot declare (`finish`), and the interactive docs at `/schema`.

The docs page and its assets come from files in installed packages (no CDN, no inline script):
Swagger UI's from the pinned `swagger-ui-py` wheel, its start-up script from
`entrypoints/web/static/docs/`. Its HTML answers carry `PAGE_CSP`, which allows this origin and
nothing else; every other answer keeps the API's `default-src 'none'` (`app.py`).
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import msgspec
from litestar import HttpMethod, Request, route
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Example, OpenAPI, SecurityScheme, Tag
from litestar.params import BodyKwarg, FromPath
from litestar.response import File

from domain.errors import StoreUnavailable
from entrypoints.web.errors import (
    DOMAIN_ERRORS,
    HTTP_CODES,
    ORIGIN_NOT_ALLOWED,
    REQUEST_TIMED_OUT,
    UNSUPPORTED_MEDIA_TYPE,
    UPSTREAM_BUSY,
    UPSTREAM_FAILED,
)
from entrypoints.web.framework_repairs import operations, repair_document
from entrypoints.web.policies import REFRESH_COOKIE, SESSION_TRANSPORT
from entrypoints.web.wire import ErrorResponse, PasskeyErrorResponse, Wire

API_VERSION = "0.1.0"

API_DESCRIPTION = """\
Passkey login for web and mobile apps through **Corbado Connect**, with our own sessions.

**Flow.** A user registers (`register`) and logs in with a password (`login`); the frontend's
Corbado Connect components ask `createConnectToken` for a single-use connect token whenever they
need one (append a passkey, list or delete passkeys). On the login page, the Connect login
component hands the frontend `signedPasskeyData`, which `completeLogin` turns into a session.

**Tokens.** Every session answer carries an ES256 JWT access token (send it as
`Authorization: Bearer`; lifetime in `expiresIn`) and an opaque refresh token that `refresh`
trades, once, for a new pair. `logout` ends the session at once. Public keys: `jwks`.

**Two transports.** Native apps and servers get the refresh token in the JSON body and send it
back in the body. A browser frontend on the same site as this service sends
`Session-Transport: cookie` (and `credentials: "include"`) with `register`, `login`,
`completeLogin`, `refresh` and `logout`: the refresh token then lives in the `HttpOnly` cookie
`__Host-connect_refresh`, which scripts cannot read, and never in a body; such requests must
come from an allowed `Origin`. The access token is always in the body: keep it in memory.

**Errors.** Every 4xx and 5xx body is JSON with a machine-readable `error` code and a `message`
(`completeLogin` errors also say `"success": false`); each response below lists its codes.
Request bodies are JSON: one sent without `Content-Type: application/json` is 415.
401 means refresh, or log in again; 429 carries `Retry-After`, and so does a 503 from a busy
dependency; 502, 503 and 504 are never the client's fault.
"""

TAGS = [
    Tag(name="sessions", description="Password registration and login, refresh, logout, profile."),
    Tag(name="passkeys", description="Corbado Connect: connect tokens and passkey login."),
    Tag(name="account", description="The caller's sessions, deleted passkeys, account deletion."),
    Tag(name="email", description="Proving an address, and recovering an account, by mail."),
    Tag(name="discovery", description="Public keys for verifying our access tokens elsewhere."),
    Tag(name="health", description="Liveness and readiness probes for orchestrators."),
]

BEARER: list[dict[str, list[str]]] = [{"BearerAuth": []}]
# The 403 of the operations that take `Session-Transport: cookie`.
ORIGIN_REFUSED = (ORIGIN_NOT_ALLOWED.code,)
FEED_SECRET: list[dict[str, list[str]]] = [{"RevocationFeedSecret": []}]


def errors(
    *statuses: int,
    passkey: bool = False,
    codes: Mapping[int, Sequence[str]] | None = None,
) -> dict[int, ResponseSpec]:
    """Error responses with our error body for `statuses`, each naming the `error` codes it carries.

    `codes` overrides `DEFAULT_CODES` per status; every code must be one that `web.errors` answers
    with, so a renamed code fails at import rather than in a client. Every operation may also
    answer 503 `service_unavailable` (the database is down or too busy) and
    `request_timeout` (a handler cancelled at `REQUEST_TIMEOUT_S`), so those are added.
    """
    body = PasskeyErrorResponse if passkey else ErrorResponse
    chosen = {**DEFAULT_CODES, **(codes or {})}
    chosen[503] = (*(chosen[503] if 503 in statuses else ()), *ALWAYS_503)
    return {
        status: ResponseSpec(
            body,
            description=_describe(status, chosen[status]),
            generate_examples=False,
            examples=[_example(code, passkey=passkey, status=status) for code in chosen[status]],
        )
        for status in sorted({*statuses, 503})
    }


DESCRIPTIONS = {
    400: "The request body is malformed, has an unknown member, or breaks a rule.",
    401: "Not authenticated.",
    403: "Refused: not allowed on this deployment, or not from this origin.",
    404: "No such resource belongs to the caller.",
    409: "The resource already exists.",
    413: "The request body is larger than the service accepts (16 KiB).",
    429: "Too many requests from this client; wait for `Retry-After` seconds, then retry.",
    502: "The passkey service failed or rejected our request.",
    503: "Unavailable for now; retry after `Retry-After` seconds.",
    504: "The passkey service did not answer in time.",
}

# The codes a status carries where an operation names none of its own.
DEFAULT_CODES: dict[int, tuple[str, ...]] = {
    400: ("invalid_request",),
    401: ("invalid_token",),
    403: ("forbidden",),
    404: ("not_found",),
    413: ("request_too_large",),
    429: ("rate_limited",),
    502: ("upstream_failed", "upstream_rejected"),
    503: ("upstream_unavailable",),
    504: ("upstream_timeout",),
}

# Every code the error table answers with, and its message.
MESSAGES: dict[str, str] = {
    **{code: HTTPStatus(status).phrase for status, code in HTTP_CODES.items()},
    HTTP_CODES[400]: "The request body is not valid.",
    **{
        spec.code: spec.message
        for spec in (*DOMAIN_ERRORS.values(), UPSTREAM_FAILED, UPSTREAM_BUSY)
    },
    **{spec.code: spec.message for spec in (REQUEST_TIMED_OUT, ORIGIN_NOT_ALLOWED)},
}

# Where one code means different things at different statuses (`invalid_token`: a bad access
# token is 401, a bad mailed link 400), the message and advice of each.
MESSAGES_AT: dict[tuple[int, str], str] = {
    (spec.status, spec.code): spec.message
    for spec in DOMAIN_ERRORS.values()
    if len({other.status for other in DOMAIN_ERRORS.values() if other.code == spec.code}) > 1
}
ADVICE_AT: dict[tuple[int, str], str] = {
    (
        400,
        "invalid_token",
    ): "the mailed link's token is unknown, used or expired: ask for a new one",
}

# What any operation may answer with 503, besides its own codes.
ALWAYS_503 = (DOMAIN_ERRORS[StoreUnavailable].code, REQUEST_TIMED_OUT.code)

# What a client should do on seeing a code, where the code alone does not say it.
ADVICE: dict[str, str] = {
    "service_unavailable": "a store the service needs (its database) is down or too busy",
    "invalid_request": "`details` names each offending field",
    "invalid_token": "answered with `WWW-Authenticate: Bearer`; refresh, or log in again",
    "invalid_refresh_token": "log in again",
    "refresh_token_reused": "the session has ended; log in again",
    "upstream_unavailable": "the passkey service is down",
    "request_timeout": "the request took longer than the service allows",
    "reauthentication_required": "log in again, then retry",
    "email_not_configured": "this deployment has no `SMTP_URL`",
    "origin_not_allowed": "`Session-Transport: cookie` from an origin this service does not serve",
}


def _describe(status: int, codes: Sequence[str]) -> str:
    listed = "; ".join(_listed(status, code) for code in codes)
    return f"{DESCRIPTIONS[status]} `error`: {listed}."


def _listed(status: int, code: str) -> str:
    advice = ADVICE_AT.get((status, code), ADVICE.get(code))
    return f"`{code}` ({advice})" if advice else f"`{code}`"


def _example(code: str, *, passkey: bool, status: int = 0) -> Example:
    message = MESSAGES_AT.get((status, code), MESSAGES[code])
    value: dict[str, object] = {"error": code, "message": message}
    if passkey:
        value["success"] = False
    if code == HTTP_CODES[400]:
        value["details"] = [{"field": "email", "message": "Expected `str`, got `int`"}]
    return Example(summary=code, value=value)


def json_body(struct: type[Wire], *examples: Mapping[str, Any]) -> BodyKwarg:
    """The body marker of a request struct: JSON, documented with its docstring and `examples`.

    Each example must decode into `struct`, so the document never shows a body we refuse. That
    the struct refuses unknown members is stated by `framework_repairs.repair_document`.
    """
    for example in examples:
        msgspec.json.decode(msgspec.json.encode(example), type=struct)
    extra: dict[str, Any] = {"examples": [dict(example) for example in examples]}
    if struct.__doc__:
        extra["description"] = struct.__doc__
    return BodyKwarg(media_type=RequestEncodingType.JSON, schema_extra=extra)


def openapi_config() -> OpenAPIConfig:
    """The document at `/schema/openapi.json` (and of `connect-backend openapi`), and the docs."""
    return FinishedOpenAPIConfig(
        title="connect-backend",
        version=API_VERSION,
        summary="Passkey login through Corbado Connect, with ES256 sessions.",
        description=API_DESCRIPTION,
        tags=TAGS,
        use_handler_docstrings=True,
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="An access token from `login`, `completeLogin` or `refresh`.",
                ),
                "RevocationFeedSecret": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="The shared REVOCATION_FEED_SECRET, for the app's own APIs.",
                ),
            }
        ),
        # The first render plugin is also served at /schema; its assets from our own origin.
        render_plugins=[OfflineSwaggerUI()],
        path="/schema",
    )


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
    """The document Litestar renders, repaired (`framework_repairs.repair_document`), and what
    our declarations cannot say, stated from what the code does.

    - The 401 of an operation with a security requirement carries `WWW-Authenticate`; a 429
      carries `Retry-After`, a 503 may.
    - A refused refresh token (401) in the browser transport clears the cookie: `Set-Cookie`.
    - An operation with a request body answers 415 to a body that is not declared JSON (the
      check `policies.json_bodies_only`), in the error schema of its 400.
    """
    repair_document(document, Wire)
    for operation in operations(document):
        if "401" in _responses(operation) and _refuses_refresh_tokens(operation):
            _add_header(operation["responses"]["401"], "Set-Cookie", CLEARED_COOKIE_HEADER)
        if operation.get("requestBody") is not None:
            operation["responses"] = _with_unsupported_media_type(_responses(operation))
        responses = operation.get("responses", {})
        if operation.get("security") and "401" in responses:
            _add_header(responses["401"], "WWW-Authenticate", CHALLENGE_HEADER)
        for status, required in RETRY_AFTER_REQUIRED.items():
            if status in responses:
                header = {**RETRY_AFTER_HEADER, "required": required}
                _add_header(responses[status], "Retry-After", header)
    return document


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


def _add_header(response: dict[str, Any], name: str, header: dict[str, Any]) -> None:
    response.setdefault("headers", {}).setdefault(name, dict(header))


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
