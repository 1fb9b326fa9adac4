"""The one exception table: every domain and HTTP error becomes a JSON body with an `error` code."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain import errors
from entrypoints.web.observability import RequestTimedOut
from entrypoints.web.policies import (
    OriginNotAllowed,
    RefreshCookieRefused,
    UnsupportedMediaType,
    without_refresh_cookie,
)
from entrypoints.web.wire import ErrorDetail, ErrorResponse, PasskeyErrorResponse

logger = logging.getLogger("connect_backend.http")

BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
# Handlers whose error bodies also say `"success": false` set this in their `opt`.
PASSKEY_ERRORS_OPT = "passkey_errors"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """How one kind of failure looks on the wire."""

    status: int
    code: str
    message: str
    headers: dict[str, str] | None = None


DOMAIN_ERRORS: dict[type[errors.DomainError], ErrorSpec] = {
    errors.InvalidEmail: ErrorSpec(400, "invalid_email", "Not a valid email address."),
    errors.InvalidPassword: ErrorSpec(
        400, "invalid_password", "The password must be 8 to 128 characters."
    ),
    errors.InvalidDisplayName: ErrorSpec(
        400, "invalid_display_name", "The display name must be 1 to 100 characters."
    ),
    errors.InvalidCredentials: ErrorSpec(
        401, "invalid_credentials", "The email or password is incorrect."
    ),
    errors.InvalidAccessToken: ErrorSpec(
        401, "invalid_token", "The access token is missing, invalid or expired.", BEARER_CHALLENGE
    ),
    errors.InvalidRefreshToken: ErrorSpec(
        401, "invalid_refresh_token", "The refresh token is invalid or its session has ended."
    ),
    errors.RefreshTokenReused: ErrorSpec(
        401, "refresh_token_reused", "The refresh token was already used; log in again."
    ),
    errors.PasskeyLoginFailed: ErrorSpec(
        401, "passkey_login_failed", "The passkey login could not be verified."
    ),
    errors.ReauthenticationRequired: ErrorSpec(
        401,
        "reauthentication_required",
        "This action needs a recent login; log in again.",
        {"WWW-Authenticate": 'Bearer error="insufficient_user_authentication"'},
    ),
    errors.FeedAccessDenied: ErrorSpec(
        401, "invalid_feed_secret", "The revocation feed needs its secret.", BEARER_CHALLENGE
    ),
    errors.AccountClosed: ErrorSpec(
        401,
        "account_closed",
        "The account is being deleted or no longer exists.",
        BEARER_CHALLENGE,
    ),
    errors.SessionNotFound: ErrorSpec(404, "session_not_found", "No such session."),
    errors.AccountNotFound: ErrorSpec(404, "account_not_found", "No account has this email."),
    errors.RegistrationClosed: ErrorSpec(
        403, "registration_closed", "Registration is closed on this service."
    ),
    errors.EmailAlreadyRegistered: ErrorSpec(
        409, "email_taken", "An account with this email already exists."
    ),
    errors.StoreUnavailable: ErrorSpec(
        503,
        "service_unavailable",
        "A store we need is unavailable; retry later.",
        {"Retry-After": "5"},
    ),
    errors.CorbadoRejected: ErrorSpec(
        502, "upstream_rejected", "The passkey service rejected our request."
    ),
    errors.CorbadoTimeout: ErrorSpec(
        504, "upstream_timeout", "The passkey service did not answer in time."
    ),
    errors.InvalidEmailToken: ErrorSpec(
        400, "invalid_token", "The link is unknown, used or expired; ask for a new one."
    ),
    errors.EmailNotConfigured: ErrorSpec(
        503, "email_not_configured", "This service sends no mail, so it cannot do this."
    ),
    errors.MailUnavailable: ErrorSpec(
        503,
        "mail_unavailable",
        "The mail server is unavailable; retry later.",
        {"Retry-After": "60"},
    ),
    # Its Retry-After is the error's own: `error_to_response` sets it.
    errors.RateLimited: ErrorSpec(
        429, "rate_limited", "Too many requests; retry after the seconds in Retry-After."
    ),
}
UPSTREAM_FAILED = ErrorSpec(502, "upstream_failed", "The passkey service failed.")
UPSTREAM_BUSY = ErrorSpec(
    503,
    "upstream_unavailable",
    "The passkey service is unavailable; retry later.",
    {"Retry-After": "5"},
)
HTTP_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
INTERNAL = ErrorSpec(500, "internal_error", "Something went wrong on our side.")
ORIGIN_NOT_ALLOWED = ErrorSpec(
    403,
    "origin_not_allowed",
    "The browser transport needs an allowed Origin (or Referer).",
)
UNSUPPORTED_MEDIA_TYPE = ErrorSpec(
    415, HTTP_CODES[415], "A request body must be JSON, sent as Content-Type: application/json."
)
# A CORS preflight Litestar's middleware refused: it answers in text, `framework_repairs`' hook
# rewrites the body to this.
CORS_REJECTED = ErrorSpec(400, "cors_rejected", "This origin, method or header is not allowed.")
HOST_NOT_ALLOWED = ErrorSpec(  # dev, against DNS rebinding: `AllowedHostsOnly` answers it
    400, "host_not_allowed", "This server answers only for localhost, 127.0.0.1 and [::1]."
)
REQUEST_TIMED_OUT = ErrorSpec(
    503,
    "request_timeout",
    "The request took too long and was cancelled; retry later.",
    {"Retry-After": "1"},
)


# The errors raised outside the domain that answer as a known error, not as a 500.
OTHER_ERRORS: dict[type[Exception], ErrorSpec] = {
    OriginNotAllowed: ORIGIN_NOT_ALLOWED,  # CSRF: a browser transport from elsewhere
    RequestTimedOut: REQUEST_TIMED_OUT,  # the middleware logged it
    UnsupportedMediaType: UNSUPPORTED_MEDIA_TYPE,  # a cross-site form or text/plain body
    # msgspec raises UnicodeDecodeError, not a validation error, for bytes that are not UTF-8.
    UnicodeDecodeError: ErrorSpec(400, HTTP_CODES[400], "The request body is not UTF-8."),
}


def error_to_response(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Every exception a handler or the route policies raise, through the tables, most specific
    class first; anything unforeseen is logged with its traceback and answered without detail."""
    if isinstance(exc, HTTPException):
        return _http_error_to_response(request, exc)
    if isinstance(exc, RefreshCookieRefused):
        # The refusal a browser-transport refresh met, with the refresh cookie cleared.
        return without_refresh_cookie(error_response(request, _spec_for(exc.error)))
    spec = _spec_for(exc)
    if isinstance(exc, errors.RateLimited):
        spec = dataclasses.replace(spec, headers={"Retry-After": str(max(1, exc.retry_after_s))})
    elif spec is INTERNAL and not isinstance(exc, errors.DomainError):
        logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, spec)


def _http_error_to_response(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors (bad JSON, 404, 405, 413, ...) in our shape, headers kept."""
    status = exc.status_code
    spec = ErrorSpec(
        status,
        HTTP_CODES.get(status, f"http_{status}"),
        _http_message(exc),
        dict(exc.headers or {}),
    )
    details = _validation_details(exc) if isinstance(exc, ValidationException) else []
    if status >= 500:
        logger.error("HTTP %d on %s %s", status, request.method, request.url.path, exc_info=exc)
    return error_response(request, spec, details)


def _spec_for(exc: Exception) -> ErrorSpec:
    if isinstance(exc, errors.CorbadoUnavailable):
        return UPSTREAM_BUSY if exc.retry_later else UPSTREAM_FAILED
    for kind in type(exc).__mro__:
        spec = DOMAIN_ERRORS.get(kind) or OTHER_ERRORS.get(kind)
        if spec is not None:
            return spec
    if isinstance(exc, errors.DomainError):
        logger.error("domain error without an HTTP mapping: %s", type(exc).__name__)
    return INTERNAL


def _http_message(exc: HTTPException) -> str:
    if exc.status_code == 400:
        return "The request body is not valid."
    if exc.status_code >= 500:
        return INTERNAL.message
    return str(exc.detail)


def _validation_details(exc: ValidationException) -> list[ErrorDetail]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    return [
        ErrorDetail(field=str(item.get("key", "")), message=str(item.get("message", "")))
        for item in extra
        if isinstance(item, dict)
    ]


def error_response(
    request: Request[Any, Any, Any], spec: ErrorSpec, details: list[ErrorDetail] | None = None
) -> Response[Any]:
    """The answer for `spec`, in the shape of the request's operation (`"success": false` for
    the passkey ones); for refusals that are answered, not raised (a middleware's)."""
    body: ErrorResponse | PasskeyErrorResponse
    if _wants_passkey_errors(request):
        body = PasskeyErrorResponse(error=spec.code, message=spec.message, details=details or [])
    else:
        body = ErrorResponse(error=spec.code, message=spec.message, details=details or [])
    headers = {"Cache-Control": "no-store", **(spec.headers or {})}
    return Response(content=body, status_code=spec.status, headers=headers)


def _wants_passkey_errors(request: Request[Any, Any, Any]) -> bool:
    handler = request.scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(PASSKEY_ERRORS_OPT))


# One handler: Litestar picks a handler by the exception's class, and the tables do that here.
EXCEPTION_HANDLERS = {Exception: error_to_response}
