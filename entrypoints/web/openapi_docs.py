"""Response specs shared by the route modules' OpenAPI declarations."""

from __future__ import annotations

from litestar.openapi import ResponseSpec

from entrypoints.web.schemas import ErrorResponse, PasskeyErrorResponse

BEARER: list[dict[str, list[str]]] = [{"BearerAuth": []}]


def errors(*statuses: int, passkey: bool = False) -> dict[int, ResponseSpec]:
    """Error responses with our error body, for the given statuses."""
    body = PasskeyErrorResponse if passkey else ErrorResponse
    return {
        status: ResponseSpec(body, description=DESCRIPTIONS[status], generate_examples=False)
        for status in statuses
    }


DESCRIPTIONS = {
    400: "The request body is malformed or breaks a rule.",
    401: "Not authenticated (see `error` for the reason).",
    403: "Not allowed on this deployment.",
    409: "The resource already exists.",
    413: "The request body is too large.",
    502: "The passkey service failed or rejected our request.",
    503: "The passkey service or a dependency is unavailable; retry later.",
    504: "The passkey service did not answer in time.",
}
