"""HttpxCorbadoConnect with its real transport (aiohttp's pool) against loopback sockets that
misbehave: the transport's own errors must land on the same domain errors as httpx's."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from adapters.corbado.client import HttpxCorbadoConnect, PooledTransport, build_corbado_client
from domain.errors import CorbadoTimeout, CorbadoUnavailable
from domain.model import ConnectTokenType, VerificationResult
from tests.support.servers import free_port

Behaviour = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
OK = b'{"verificationResult":"success"}'
LOOPBACK = "127.0.0.1"


async def answer_ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    while head:
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(OK), OK)
        )
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")


async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.close()


async def close_mid_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
    await writer.drain()
    writer.close()


async def answer_garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"garbage\r\n\r\n")
    await writer.drain()


async def answer_an_endless_header(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n")
    await writer.drain()


async def say_nothing(reader: asyncio.StreamReader, _: asyncio.StreamWriter) -> None:
    await reader.read()


Upstream = Callable[[Behaviour], Awaitable[tuple[HttpxCorbadoConnect, list[int]]]]


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    """Starts a loopback server with `behaviour` per connection; the adapter and a list that
    gets one entry per connection the adapter opened."""
    closers: list[Callable[[], Awaitable[None]]] = []

    async def start(behaviour: Behaviour) -> tuple[HttpxCorbadoConnect, list[int]]:
        connections: list[int] = []

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            connections.append(1)
            with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
                await behaviour(reader, writer)

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = build_corbado_client(f"http://127.0.0.1:{port}", "pro-1", "corbado1_x", 1.0)

        async def close() -> None:
            await client.aclose()
            server.close()

        closers.append(close)
        return HttpxCorbadoConnect(client, 1.0), connections

    yield start
    for close in closers:
        await close()


async def verify(corbado: HttpxCorbadoConnect) -> VerificationResult:
    return await corbado.verify_signed_passkey_data("a.b.c", "jane@example.com")


async def test_an_answer_arrives_over_a_reused_connection(
    upstream: Upstream,
) -> None:
    corbado, connections = await upstream(answer_ok)
    assert await verify(corbado) is VerificationResult.SUCCESS
    assert await verify(corbado) is VerificationResult.SUCCESS
    assert connections == [1]


class ListensAfterTheFirstRefusal(httpx.AsyncBaseTransport):
    """The real transport; when a connection is first refused, a server starts on that port."""

    def __init__(self, inner: httpx.AsyncBaseTransport, port: int) -> None:
        self.inner = inner
        self.port = port
        self.attempts = 0
        self.server: asyncio.Server | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.attempts += 1
        try:
            return await self.inner.handle_async_request(request)
        except httpx.ConnectError:
            if self.server is None:
                self.server = await asyncio.start_server(answer_any, LOOPBACK, self.port)
            raise

    async def aclose(self) -> None:
        await self.inner.aclose()
        if self.server is not None:
            self.server.close()


async def answer_any(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    await reader.readexactly(length)
    body = (
        OK
        if b"verifySignedData" in head
        else b'{"id":"ctk-1","secret":"ctk1_x","expires":4102444800}'
    )
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
    )
    await writer.drain()
    writer.close()


@pytest.mark.parametrize("operation", ["verify", "create"])
async def test_a_really_refused_connection_is_tried_once_more_and_then_answered(
    operation: str,
) -> None:
    port = free_port()
    transport = ListensAfterTheFirstRefusal(
        PooledTransport(limits=httpx.Limits(max_connections=100)), port
    )
    client = build_corbado_client(
        f"http://{LOOPBACK}:{port}", "pro-1", "corbado1_x", 2.0, transport=transport
    )
    corbado = HttpxCorbadoConnect(client, 2.0)
    try:
        if operation == "verify":
            assert await verify(corbado) is VerificationResult.SUCCESS
        else:
            token_type = ConnectTokenType.PASSKEY_APPEND
            issued = await corbado.create_connect_token(token_type, "jane", "Jane")
            assert issued.secret == "ctk1_x"
    finally:
        await client.aclose()
    assert transport.attempts == 2


async def test_a_refused_connection_asks_to_retry_later() -> None:
    client = build_corbado_client(f"http://127.0.0.1:{free_port()}", "pro-1", "corbado1_x", 1.0)
    try:
        with pytest.raises(CorbadoUnavailable) as raised:
            await verify(HttpxCorbadoConnect(client, 1.0))
    finally:
        await client.aclose()
    assert raised.value.retry_later is True


@pytest.mark.parametrize(
    "behaviour",
    [close_at_once, close_mid_answer, answer_garbage, answer_an_endless_header],
    ids=["closed", "cut-short", "garbage", "endless-header"],
)
async def test_a_dropped_connection_or_a_garbled_answer_is_unavailable(
    upstream: Upstream, behaviour: Behaviour
) -> None:
    corbado, _ = await upstream(behaviour)
    with pytest.raises(CorbadoUnavailable):
        await verify(corbado)


async def test_silence_is_a_timeout(
    upstream: Upstream,
) -> None:
    corbado, _ = await upstream(say_nothing)
    with pytest.raises(CorbadoTimeout):
        await verify(corbado)
