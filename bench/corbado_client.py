"""Micro-benchmark: where a Corbado call's time goes in the httpx adapter.

    .venv/bin/python bench/corbado_client.py [--concurrency 64] [--calls 3000]

Against the harness's fake Corbado (nginx with fixed answers, ../shared/bench/upstream; started
in a temporary prefix if nothing answers on 127.0.0.1:18080), pinned to one CPU like the service,
it times `HttpxCorbadoConnect.create_connect_token`:
  1. as the service runs it (httpx client + httpcore pool + anyio, over TCP),
  2. with `httpx.MockTransport` (the httpx client layer alone: request building, auth, response),
  3. a raw keep-alive HTTP/1.1 round trip on asyncio streams (the network and nginx floor).
(1) - (2) - (3) is what httpcore's pool and anyio cost per call. Not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import uvloop

from adapters.corbado.client import HttpxCorbadoConnect, build_corbado_client
from domain.model import ConnectTokenType

UPSTREAM = "http://127.0.0.1:18080"
PROJECT_ID = "pro-1234567890123456789"
API_SECRET = "corbado1_benchsecret"
NGINX_CONF = Path(__file__).resolve().parents[2] / "shared" / "bench" / "upstream" / "nginx.conf"


async def _rate(
    label: str, call: Callable[[], Awaitable[object]], concurrency: int, n: int
) -> None:
    async def worker(count: int) -> None:
        for _ in range(count):
            await call()

    await worker(50)
    started = time.perf_counter()
    await asyncio.gather(*(worker(n // concurrency) for _ in range(concurrency)))
    elapsed = (time.perf_counter() - started) / (n // concurrency * concurrency)
    print(f"{label:58} {1 / elapsed:8.0f} calls/s {elapsed * 1e6:8.0f} us/call", flush=True)


async def _main(concurrency: int, n: int) -> None:
    def create(connect: HttpxCorbadoConnect) -> Callable[[], Awaitable[object]]:
        return lambda: connect.create_connect_token(
            ConnectTokenType.PASSKEY_APPEND, "alice@example.com", "Alice Example"
        )

    client = build_corbado_client(UPSTREAM, PROJECT_ID, API_SECRET, 5.0)
    served = create(HttpxCorbadoConnect(client, 5.0))
    await _rate("1. adapter as served (httpx + httpcore + anyio, TCP)", served, concurrency, n)
    await client.aclose()

    body = b'{"secret":"ctk_secret_abc"}'
    mock = httpx.MockTransport(lambda _: httpx.Response(200, content=body))
    client = build_corbado_client(UPSTREAM, PROJECT_ID, API_SECRET, 5.0, transport=mock)
    mocked = create(HttpxCorbadoConnect(client, 5.0))
    await _rate("2. httpx client layer alone (MockTransport)", mocked, concurrency, n)
    await client.aclose()

    credentials = base64.b64encode(f"{PROJECT_ID}:{API_SECRET}".encode()).decode()
    payload = (
        b'{"type":"passkey-append",'
        b'"data":{"identifier":"alice@example.com","displayName":"Alice Example"}}'
    )
    request = (
        "POST /v2/connectTokens HTTP/1.1\r\nHost: 127.0.0.1:18080\r\n"
        f"Authorization: Basic {credentials}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode() + payload
    pool: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    for _ in range(concurrency):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", 18080))

    async def raw() -> None:
        reader, writer = await pool.get()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.partition(b":")[2])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        pool.put_nowait((reader, writer))

    await _rate("3. raw keep-alive round trip (asyncio streams)", raw, concurrency, n)
    while not pool.empty():
        pool.get_nowait()[1].close()


def _upstream_answers() -> bool:
    try:
        with urllib.request.urlopen(UPSTREAM + "/ping", timeout=1):  # noqa: S310 - fixed URL
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    nginx: subprocess.Popen[bytes] | None = None
    prefix = tempfile.mkdtemp(prefix="corbado-upstream.")
    try:
        if not _upstream_answers():
            (Path(prefix) / "tmp").mkdir()
            command = ["nginx", "-p", prefix + "/", "-c", str(NGINX_CONF), "-e", "stderr"]
            nginx = subprocess.Popen(command, stderr=subprocess.DEVNULL)  # noqa: S603
            for _ in range(50):
                if _upstream_answers():
                    break
                time.sleep(0.1)
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, {0})
        print(f"concurrency {args.concurrency}, {args.calls} calls, pinned to CPU 0")
        uvloop.run(_main(args.concurrency, args.calls))
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait()
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
