"""The OpenAPI document: what the route modules declare (error responses, security), and the
document's description and tags. `openapi_finish` states what Litestar 2 cannot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from http import HTTPStatus

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import Example, Tag

from domain.errors import StoreUnavailable
from entrypoints.web.errors import (
    DOMAIN_ERRORS,
    HTTP_CODES,
    ORIGIN_NOT_ALLOWED,
    RATE_LIMITED,
    REQUEST_TIMED_OUT,
    UPSTREAM_BUSY,
    UPSTREAM_FAILED,
)
from entrypoints.web.schemas import ErrorResponse, PasskeyErrorResponse

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
    **{spec.code: spec.message for spec in (RATE_LIMITED, REQUEST_TIMED_OUT, ORIGIN_NOT_ALLOWED)},
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
