"""The Corbado ports, measured: latency and outcome of every call, by operation.

A decorator around the Corbado adapter, reporting through `CorbadoCallMetrics`
(`adapters/observability/protocols.py`), which the service's metrics implement. Given a tracer,
each call is also a client span (named `corbado <operation>`), whatever transport runs
underneath; without one, no span is made.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from opentelemetry.trace import Span, SpanKind, Tracer

from adapters.observability.protocols import CorbadoCallMetrics
from domain.errors import CorbadoRejected, CorbadoTimeout, CorbadoUnavailable
from domain.model import ConnectTokenType, CorbadoPasskey, IssuedConnectToken, VerificationResult
from domain.ports import CorbadoAccounts, CorbadoConnect

T = TypeVar("T")

CREATE_CONNECT_TOKEN = "create_connect_token"
VERIFY_SIGNED_PASSKEY_DATA = "verify_signed_passkey_data"
DELETE_CONNECT_TOKEN = "delete_connect_token"
LIST_IDENTIFIERS = "list_identifiers"
DELETE_USER = "delete_user"
LIST_PASSKEYS = "list_passkeys"
DELETE_PASSKEY = "delete_passkey"
# Span attributes: the operation, and its outcome as the metrics count it.
OPERATION = "corbado.operation"
OUTCOME = "corbado.outcome"


class _CorbadoApi(CorbadoConnect, CorbadoAccounts, Protocol):
    """Both Corbado ports, as one adapter implements them."""


class MeteredCorbado:
    """Wraps the Corbado adapter; outcomes are `ok`, a verification result, or the error.

    Error outcomes: `rejected`, `unavailable`, `timeout`, `error` (anything else).
    """

    def __init__(
        self, inner: _CorbadoApi, metrics: CorbadoCallMetrics, tracer: Tracer | None = None
    ) -> None:
        self._inner = inner
        self._metrics = metrics
        self._tracer = tracer

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> IssuedConnectToken:
        return await self._measure(
            CREATE_CONNECT_TOKEN,
            lambda: self._inner.create_connect_token(token_type, identifier, display_name),
            lambda _: "ok",
        )

    async def delete_connect_token(self, token_id: str) -> None:
        await self._measure(
            DELETE_CONNECT_TOKEN,
            lambda: self._inner.delete_connect_token(token_id),
            lambda _: "ok",
        )

    async def user_ids_for(self, identifier: str) -> list[str]:
        return await self._measure(
            LIST_IDENTIFIERS, lambda: self._inner.user_ids_for(identifier), lambda _: "ok"
        )

    async def delete_user(self, corbado_user_id: str) -> None:
        await self._measure(
            DELETE_USER, lambda: self._inner.delete_user(corbado_user_id), lambda _: "ok"
        )

    async def passkeys_of(self, corbado_user_id: str) -> list[CorbadoPasskey]:
        return await self._measure(
            LIST_PASSKEYS, lambda: self._inner.passkeys_of(corbado_user_id), lambda _: "ok"
        )

    async def delete_passkey(self, corbado_user_id: str, credential_id: str) -> None:
        await self._measure(
            DELETE_PASSKEY,
            lambda: self._inner.delete_passkey(corbado_user_id, credential_id),
            lambda _: "ok",
        )

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        return await self._measure(
            VERIFY_SIGNED_PASSKEY_DATA,
            lambda: self._inner.verify_signed_passkey_data(signed_passkey_data, username),
            lambda result: result.value,
        )

    async def _measure(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        outcome_of: Callable[[T], str],
    ) -> T:
        if self._tracer is None:
            return await self._timed(operation, call, outcome_of, None)
        with self._tracer.start_as_current_span(
            f"corbado {operation}", kind=SpanKind.CLIENT, attributes={OPERATION: operation}
        ) as span:
            return await self._timed(operation, call, outcome_of, span)

    async def _timed(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        outcome_of: Callable[[T], str],
        span: Span | None,
    ) -> T:
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await call()
            outcome = outcome_of(result)
            return result
        except CorbadoRejected:
            outcome = "rejected"
            raise
        except CorbadoUnavailable:
            outcome = "unavailable"
            raise
        except CorbadoTimeout:
            outcome = "timeout"
            raise
        finally:
            self._metrics.observe_corbado_call(operation, outcome, time.perf_counter() - started)
            if span is not None:
                span.set_attribute(OUTCOME, outcome)
