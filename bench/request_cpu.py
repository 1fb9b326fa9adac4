"""CPU time per request, in-process, through the whole ASGI app: what each endpoint costs one
core, with tracing on or off and the access log queued or written directly.

    .venv/bin/python -m bench.request_cpu [--requests 2000] [--tracing] [--direct-logs]

No server and no sockets: each request is one call of the Litestar app with a minimal ASGI
scope, on SQLite, with the scripted Corbado of the tests (so a Corbado call costs nothing here;
the real client's cost is in docs/performance.md). Logs go to /dev/null through the production
pipeline. `process_time` covers every thread (the log listener, the span exporter); rate limits
are lifted so one client can loop. Argon2 runs with the service's real parameters: a password
login's cost is mostly that hash. Shared machine: CPU time, never wall-clock.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import dataclasses
import json
import os
import pstats
import tempfile
import time
from pathlib import Path
from typing import Any

from dependency_injector import providers
from litestar import Litestar
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters.observability.logs import configure_logging
from adapters.observability.traces import Tracing
from entrypoints.asgi import ready_to_serve
from entrypoints.container import Container, started
from entrypoints.web.app import create_app
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect
from tests.http.conftest import dev_settings
from tests.support.servers import postgres_server, redis_server

PASSWORD = "correct horse battery staple"


async def call(app: Litestar, method: str, path: str, body: Any = None, token: str = "") -> Any:
    payload = json.dumps(body).encode() if body is not None else b""
    headers = [(b"host", b"bench"), (b"content-type", b"application/json")]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")

    await app(scope, receive, send)  # type: ignore[arg-type]
    return answer


async def measure(args: argparse.Namespace, state: Path) -> dict[str, float]:
    settings = dev_settings(state, corbado_project_id=FAKE_PROJECT_ID)
    if args.postgres_url:
        settings = dataclasses.replace(
            settings, database_url=args.postgres_url, redis_url=args.redis_url
        )
    async with started(Container(settings=settings)) as migrating:
        await migrating.upgrade_schema()
    container = Container(settings=settings)
    corbado = FakeCorbadoConnect()
    container.corbado.override(providers.Object(corbado))
    spans = InMemorySpanExporter()
    if args.tracing or args.count_statements:
        provider = TracerProvider()
        processor = SimpleSpanProcessor if args.count_statements else BatchSpanProcessor
        provider.add_span_processor(processor(spans))
        container.tracing.override(providers.Object(Tracing(provider)))
    # As a serving worker does (entrypoints/asgi.py): start-up's objects out of the GC's sight.
    app = ready_to_serve(create_app(container))
    results: dict[str, float] = {}
    async with app.lifespan():
        user = {"email": "bench@example.com", "password": PASSWORD, "displayName": "Bench"}
        assert (await call(app, "POST", "/auth/register", user))["status"] == 201
        login_body = {"email": user["email"], "password": PASSWORD}

        async def login() -> dict[str, Any]:
            answer = await call(app, "POST", "/auth/login", login_body)
            assert answer["status"] == 200, answer
            tokens: dict[str, Any] = json.loads(answer["body"])
            return tokens

        tokens = await login()
        access = tokens["accessToken"]
        refresh = tokens["refreshToken"]

        async def me() -> None:
            assert (await call(app, "GET", "/auth/me", token=access))["status"] == 200

        async def refreshed() -> None:
            nonlocal refresh
            answer = await call(app, "POST", "/auth/refresh", {"refreshToken": refresh})
            assert answer["status"] == 200, answer
            refresh = json.loads(answer["body"])["refreshToken"]

        async def connect_token() -> None:
            body = {"connectTokenType": "passkey-list"}
            answer = await call(app, "POST", "/auth/createConnectToken", body, token=access)
            assert answer["status"] == 200, answer

        async def complete_login() -> None:
            body = {"signedPasskeyData": corbado.mint(user["email"])}
            assert (await call(app, "POST", "/auth/completeLogin", body))["status"] == 200

        async def jwks() -> None:
            assert (await call(app, "GET", "/.well-known/jwks.json"))["status"] == 200

        cases = [
            ("GET /auth/me", me, args.requests),
            ("POST /auth/refresh", refreshed, args.requests),
            ("POST /auth/createConnectToken (Corbado scripted)", connect_token, args.requests),
            ("POST /auth/completeLogin (Corbado scripted)", complete_login, args.requests),
            ("GET /.well-known/jwks.json", jwks, args.requests),
            ("POST /auth/login (argon2)", login, max(args.requests // 20, 20)),
        ]
        for name, request, count in cases:
            for _ in range(min(count, 50)):
                await request()
            spans.clear()
            if args.python_calls:
                profile = cProfile.Profile()
                profile.enable()
                for _ in range(count):
                    await request()
                profile.disable()
                results[name] = pstats.Stats(profile).total_calls / count  # type: ignore[attr-defined]
                continue
            started_at = time.process_time()
            for _ in range(count):
                await request()
            results[name] = (time.process_time() - started_at) / count * 1e6
            if args.count_statements:
                finished = spans.get_finished_spans()
                statements = [span for span in finished if span.kind is SpanKind.CLIENT]
                db = [span for span in statements if not span.name.startswith("corbado")]
                results[name] = len(db) / count
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--tracing", action="store_true")
    parser.add_argument("--direct-logs", action="store_true")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="the production shape: a throwaway PostgreSQL 15 and Redis (the tests' servers); "
        "their own CPU is not counted",
    )
    parser.add_argument(
        "--count-statements",
        action="store_true",
        help="count database statements per request (from the spans) instead of CPU time",
    )
    parser.add_argument(
        "--python-calls",
        action="store_true",
        help="count Python function calls per request (cProfile, this thread) instead of CPU time",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        args.postgres_url = args.redis_url = None
        if args.postgres:
            postgres = stack.enter_context(postgres_server())
            args.postgres_url = postgres.create_database("connect_backend_bench")
            args.redis_url = stack.enter_context(redis_server()).url
        sink = stack.enter_context(open(os.devnull, "w"))
        state = stack.enter_context(tempfile.TemporaryDirectory())
        logs = configure_logging(json=True, stream=sink, queued=not args.direct_logs)
        try:
            results = asyncio.run(measure(args, Path(state)))
        finally:
            logs.close()
    logs_mode = "direct" if args.direct_logs else "queued"
    database = "PostgreSQL + Redis" if args.postgres else "SQLite"
    mode = f"{database}, tracing {'on' if args.tracing else 'off'}, logs {logs_mode}"
    for name, value in results.items():
        if args.count_statements:
            print(f"{name}: {value:.2f} database statements per request")
        elif args.python_calls:
            print(f"{mode}: {name}: {value:.0f} Python calls per request")
        else:
            print(f"{mode}: {name}: {value:.0f} us CPU per request")


if __name__ == "__main__":
    main()
