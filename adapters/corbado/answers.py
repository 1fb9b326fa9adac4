"""What Corbado answers, read safely: a body decoded into its exact type, or a domain error.

Error answers map onto the domain's errors (`raise_for_status`): a refusal of our credentials or
of a request we built is `CorbadoRejected`, anything else `CorbadoUnavailable`, which the HTTP
error table answers 502/503/504. Neither exceptions nor log lines carry Corbado's bodies: only
the status, `requestID` and `error.type`, shortened.
"""

import logging
from typing import Annotated, TypeVar

import httpx
import msgspec

from domain.errors import CorbadoRejected, CorbadoUnavailable
from domain.model import MAX_CORBADO_ID_LENGTH

_log = logging.getLogger("connect_backend.corbado")

CorbadoId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_CORBADO_ID_LENGTH)]


class _RequestData(msgspec.Struct):
    request_id: str | None = msgspec.field(default=None, name="requestID")


class _ValidationProblem(msgspec.Struct):
    field: str | None = None
    message: str | None = None


class _ErrorDetail(msgspec.Struct):
    type: str | None = None
    validation: list[_ValidationProblem] | None = None


class _ErrorRsp(msgspec.Struct):
    request_data: _RequestData | None = msgspec.field(default=None, name="requestData")
    error: _ErrorDetail | None = None


_Body = TypeVar("_Body", bound=msgspec.Struct)
# msgspec reports bad UTF-8 and over-deep nesting outside its own DecodeError.
_UNDECODABLE = (msgspec.DecodeError, UnicodeDecodeError, RecursionError)


class Failure:
    """What an error answer says about itself, reduced to values that are safe to log."""

    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            envelope = msgspec.json.decode(response.content, type=_ErrorRsp)
        except _UNDECODABLE:
            envelope = _ErrorRsp()
        request_data = envelope.request_data or _RequestData()
        self.request_id = _printable(request_data.request_id)
        self.error_type = _printable(envelope.error.type if envelope.error else None)
        problems = (envelope.error.validation if envelope.error else None) or []
        self.no_longer_exists = self.error_type == "validation_error" and any(
            "does not exist" in (problem.message or "") for problem in problems
        )

    def log(self, level: int, what: str, path: str) -> None:
        _log.log(
            level,
            "%s (%s, HTTP %d, requestID=%s, error.type=%s)",
            what,
            path,
            self.status,
            self.request_id,
            self.error_type,
        )


def _printable(value: str | None) -> str:
    # Upstream text goes into our logs: keep it short and on one line.
    if value is None:
        return "-"
    return "".join(c for c in value[:64] if c.isprintable()) or "-"


def raise_for_status(response: httpx.Response, path: str) -> None:
    """Nothing for a success; otherwise the domain error for what Corbado answered."""
    if response.is_success:
        return
    failure = Failure(response)
    status = response.status_code
    if status in (401, 403):
        failure.log(
            logging.ERROR,
            "Corbado refused our credentials: check CORBADO_PROJECT_ID and CORBADO_API_SECRET",
            path,
        )
        raise CorbadoRejected("Corbado refused our credentials")
    if status == 400:
        failure.log(logging.ERROR, "Corbado refused a request we built", path)
        raise CorbadoRejected(f"Corbado refused our {path} request")
    if status == 429:
        failure.log(logging.WARNING, "Corbado rate limit reached", path)
        raise CorbadoUnavailable("Corbado rate limit reached", retry_later=True)
    failure.log(logging.ERROR, "Corbado failed", path)
    raise CorbadoUnavailable(f"Corbado answered {path} with HTTP {status}")


def decode(response: httpx.Response, path: str, body_type: type[_Body]) -> _Body:
    """A success answer's body as `body_type`; `CorbadoUnavailable` if it is not one."""
    try:
        return msgspec.json.decode(response.content, type=body_type)
    except _UNDECODABLE as exc:
        _log.error(
            "Corbado answered %s with an unusable body (HTTP %d)", path, response.status_code
        )
        raise CorbadoUnavailable(f"Corbado answered {path} with an unusable body") from exc
