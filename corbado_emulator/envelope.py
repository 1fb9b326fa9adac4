"""Corbado's `genericRsp` and `errorRsp` envelopes: every error the emulator answers is an
`errorRsp`, and operations without a body of their own (the deletes) answer a `genericRsp`.

`requestData.link` is Corbado's link to the request in its developer panel; the emulator has no
panel, so it is empty (present, as the official SDKs' types require it).
"""

from time import perf_counter
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from corbado_emulator.ids import random_id

STARTED = "emulator_started"


class ApiError(Exception):
    """An error answer: HTTP status, Corbado `error.type`, message and per-field problems."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        validation: list[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.validation = validation
        self.headers = headers


def validation_error(problems: list[tuple[str, str]]) -> ApiError:
    """400 `validation_error` listing `(field, message)` pairs."""
    return ApiError(400, "validation_error", "Request data is invalid", problems)


def generic_rsp(
    request: Request[Any, Any, Any], status: int = 200, message: str = "OK"
) -> dict[str, object]:
    """The spec's `genericRsp` body: status, message, a fresh request id and the runtime."""
    started = request.state.get(STARTED)
    return {
        "httpStatusCode": status,
        "message": message,
        "requestData": {"requestID": random_id("req"), "link": ""},
        "runtime": perf_counter() - started if isinstance(started, float) else 0.0,
    }


def api_error_response(request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    """The `errorRsp` body for `exc`."""
    error: dict[str, object] = {"type": exc.error_type}
    if exc.validation is not None:
        error["validation"] = [{"field": f, "message": m} for f, m in exc.validation]
    body = {**generic_rsp(request, exc.status, exc.message), "error": error}
    return Response(body, status_code=exc.status, headers=exc.headers)


def http_exception_response(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors (routing, body size) in Corbado's envelope."""
    status = exc.status_code
    if status == 404:
        error = ApiError(404, "not_found", "Resource not found")
    elif status == 405:
        error = ApiError(405, "method_not_allowed", "Method not allowed", headers=exc.headers)
    elif status == 413:
        error = ApiError(413, "validation_error", "Request body too large", [("body", "too large")])
    elif status < 500:
        error = ApiError(status, "validation_error", "Malformed request", [("body", "malformed")])
    else:
        error = ApiError(500, "internal_error", "Internal error")
    return api_error_response(request, error)


def internal_error_response(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    """Any other failure: a bug in the emulator, still in the envelope."""
    return api_error_response(request, ApiError(500, "internal_error", "Internal error"))
