"""How long a request's path is: Python calls per request and the production files it runs in.

    .venv/bin/python -m bench.request_path [--requests 200] [--files] [--packages 25]

In process, through the whole ASGI app as `serve` wires it (the app of `create_app`, the
production Corbado client, SQLite, the queued log pipeline writing to /dev/null, rate limits
counted but set high), one request at a time on one event loop (`bench.request_cpu.call`).
Corbado is a canned HTTP/1.1 upstream on a loopback port, served by a thread of its own, so
neither cProfile nor the trace sees its work: what is counted is this process's side of the
call (the client, the pool, the parsing). Each request is warmed first, then:

- Python calls per request: cProfile's total calls over `--requests` requests, divided;
- production files: the files under this repository's `domain/`, `adapters/` and
  `entrypoints/` that the request runs code in (a `sys.setprofile` trace of one request).

Counts, not times: they do not depend on the shared machine's load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import os
import pstats
import socket
import sys
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from adapters.observability.logs import configure_logging
from bench.request_cpu import call
from entrypoints.asgi import ready_to_serve
from entrypoints.configuration.settings import RateLimitSettings
from entrypoints.container import Container, started
from entrypoints.web.app import create_app
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.http.conftest import dev_settings

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = tuple(str(ROOT / part) + os.sep for part in ("domain", "adapters", "entrypoints"))
PROJECT_ID = "pro-bench"
EMAIL = "bench@example.com"
PASSWORD = "correct horse battery staple"
HIGH = 10**9
LIMITS = RateLimitSettings(HIGH, HIGH, HIGH, HIGH, HIGH, HIGH, HIGH)
ANSWERS = {
    b"/v2/connectTokens": {"id": "ctk-bench", "secret": "ctk-secret", "expires": 4102444800},
    b"/v2/passkey/verifySignedData": {"verificationResult": "success"},
}


@dataclass(frozen=True)
class RequestPath:
    """What one request costs: Python calls, by package, and the production files it runs."""

    calls: float
    by_package: dict[str, float]
    files: list[str]


@contextlib.contextmanager
def canned_corbado() -> Iterator[str]:
    """A keep-alive HTTP/1.1 server answering the two Connect calls, on its own thread."""
    loop = asyncio.new_event_loop()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                path = lines[0].split(b" ")[1]
                length = 0
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                body = json.dumps(ANSWERS[path]).encode()
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )
                await writer.drain()

    async def start() -> None:
        await asyncio.start_server(serve, sock=listener)

    loop.run_until_complete(start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


async def measure(state: Path, corbado_url: str, requests: int) -> dict[str, RequestPath]:
    settings = dev_settings(
        state,
        corbado_project_id=PROJECT_ID,
        corbado_backend_api=corbado_url,
        use_emulator=False,
        rate_limits=LIMITS,
    )
    async with started(Container(settings=settings)) as migrating:
        await migrating.upgrade_schema()
    app = ready_to_serve(create_app(Container(settings=settings)))
    minting = FakeCorbadoConnect()
    results: dict[str, RequestPath] = {}
    async with app.lifespan():
        user = {"email": EMAIL, "password": PASSWORD, "displayName": "Bench"}
        assert (await call(app, "POST", "/auth/register", user))["status"] == 201
        login = await call(app, "POST", "/auth/login", {"email": EMAIL, "password": PASSWORD})
        assert login["status"] == 200, login
        access = json.loads(login["body"])["accessToken"]

        async def create_connect_token() -> None:
            body = {"connectTokenType": "passkey-append"}
            answer = await call(app, "POST", "/auth/createConnectToken", body, token=access)
            assert answer["status"] == 200, answer

        # Minted beforehand: making the passkey data is the bench's work, not the request's.
        passkey_data = [minting.mint(EMAIL, issuer=PROJECT_ID) for _ in range(requests + 100)]

        async def complete_login() -> None:
            body = {"signedPasskeyData": passkey_data.pop()}
            answer = await call(app, "POST", "/auth/completeLogin", body)
            assert answer["status"] == 200, answer

        async def me() -> None:
            assert (await call(app, "GET", "/auth/me", token=access))["status"] == 200

        cases: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("createConnectToken", create_connect_token),
            ("completeLogin", complete_login),
            ("/auth/me", me),
        ]
        for name, request in cases:
            for _ in range(50):
                await request()
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(requests):
                await request()
            profile.disable()
            stats = pstats.Stats(profile)
            results[name] = RequestPath(
                calls=stats.total_calls / requests,  # type: ignore[attr-defined]
                by_package=by_package(stats, requests),
                files=await files_run(request),
            )
    return results


async def files_run(request: Callable[[], Awaitable[None]]) -> list[str]:
    """The production files one request runs code in, by a profile trace of this thread."""
    seen: set[str] = set()

    def trace(frame: FrameType, event: str, _: Any) -> None:
        if event == "call":
            seen.add(frame.f_code.co_filename)

    sys.setprofile(trace)
    try:
        await request()
    finally:
        sys.setprofile(None)
    return sorted(str(Path(name).relative_to(ROOT)) for name in seen if name.startswith(PRODUCTION))


def by_package(stats: pstats.Stats, requests: int) -> dict[str, float]:
    """Calls per request by where the function lives: a library, the stdlib, or our folders."""
    counts: dict[str, float] = {}
    for (filename, _, _), (_, calls, *_) in stats.stats.items():  # type: ignore[attr-defined]
        counts[_package(filename)] = counts.get(_package(filename), 0) + calls / requests
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _package(filename: str) -> str:
    if filename.startswith(PRODUCTION):
        return "/".join(Path(filename).relative_to(ROOT).parts[:2])
    if filename.startswith(str(ROOT / "bench")):
        return "bench (the ASGI call)"
    if "site-packages" in filename:
        return Path(filename.split("site-packages" + os.sep, 1)[1]).parts[0]
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins"
    return "stdlib:" + Path(filename).stem


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--files", action="store_true", help="list the files, not only count")
    parser.add_argument("--packages", type=int, default=0, help="the N packages with most calls")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        corbado_url = stack.enter_context(canned_corbado())
        sink = stack.enter_context(open(os.devnull, "w"))
        state = stack.enter_context(tempfile.TemporaryDirectory())
        logs = configure_logging(json=True, stream=sink, queued=True)
        try:
            results = asyncio.run(measure(Path(state), corbado_url, args.requests))
        finally:
            logs.close()
    for name, path in results.items():
        print(
            f"{name}: {path.calls:.0f} Python calls per request, {len(path.files)} production files"
        )
        if args.packages:
            top = list(path.by_package.items())[: args.packages]
            print("".join(f"    {package}: {calls:.0f}\n" for package, calls in top), end="")
        if args.files:
            print("".join(f"    {file}\n" for file in path.files), end="")


if __name__ == "__main__":
    main()
