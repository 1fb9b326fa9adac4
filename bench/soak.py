"""Soak test: run `connect-backend dev` on loopback under mixed load and watch it for leaks.

    .venv/bin/python bench/soak.py --duration 180 --max-requests 200000 --users 32

It starts the service in a fresh temporary directory (its own SQLite file, key and emulator),
drives it with a mix of every operation from `--users` simulated clients for at most
`--duration` seconds and `--max-requests` requests, then stops it with SIGTERM. It reports
unexpected answers and transport errors, answers per operation, latency percentiles, and the
resident memory and open file descriptors over time of the server's worker process (Linux
/proc). Each simulated client comes from its own address through a trusted-proxy header, so
per-client rate limits apply as they would to real users. Nothing leaves 127.0.0.1. This is a
script, not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

LOOPBACK = "127.0.0.1"
PASSWORD = "correct horse battery staple"
SAMPLE_EVERY_S = 5.0
STARTUP_TIMEOUT_S = 60.0
SHUTDOWN_TIMEOUT_S = 40.0
MAX_DURATION_S = 3600.0
# Generous per-client limits, so that what is measured is the service, not the limiter;
# the Corbado-bound routes keep their cap (a simulated client may meet it: counted, not an error).
SOAK_ENV = {
    "RATE_LIMIT_LOGIN_PER_MINUTE": "100000",
    "RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE": "100000",
    "RATE_LIMIT_REGISTER_PER_MINUTE": "100000",
    "RATE_LIMIT_REFRESH_PER_MINUTE": "100000",
    "RATE_LIMIT_PASSKEY_PER_MINUTE": "400",
    "TRUSTED_PROXIES": LOOPBACK,
}


@dataclass
class Tally:
    """What the load saw."""

    answers: Counter[tuple[str, int]] = field(default_factory=Counter)
    unexpected: Counter[tuple[str, int]] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0

    def record(self, op: str, status: int, expected: set[int], elapsed: float) -> None:
        self.requests += 1
        self.answers[(op, status)] += 1
        self.latencies[op].append(elapsed)
        if status not in expected and status != 429:
            self.unexpected[(op, status)] += 1


@dataclass
class Sample:
    """The server process at one moment."""

    at_s: float
    rss_kib: int
    open_fds: int
    requests: int


class Client:
    """One simulated user: its own address, account and tokens."""

    def __init__(self, http: httpx.AsyncClient, tally: Tally, number: int) -> None:
        self.http = http
        self.tally = tally
        self.email = f"soak-{number}-{random.getrandbits(32):08x}@example.com"
        self.address = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        self.access = ""
        self.refresh = ""

    async def call(
        self, op: str, method: str, path: str, expected: set[int], **kwargs: Any
    ) -> httpx.Response | None:
        headers = {"X-Forwarded-For": self.address, **kwargs.pop("headers", {})}
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            self.tally.requests += 1
            self.tally.transport_errors[f"{op}: {type(exc).__name__}"] += 1
            return None
        self.tally.record(op, response.status_code, expected, time.perf_counter() - started)
        return response

    def keep(self, tokens: dict[str, Any]) -> None:
        self.access, self.refresh = tokens["accessToken"], tokens["refreshToken"]

    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    async def register(self) -> None:
        body = {"email": self.email, "password": PASSWORD, "displayName": "Soak User"}
        await self.call("register", "POST", "/auth/register", {201}, json=body)

    async def login(self) -> None:
        body = {"email": self.email, "password": PASSWORD}
        response = await self.call("login", "POST", "/auth/login", {200}, json=body)
        if response is not None and response.status_code == 200:
            self.keep(response.json())

    async def wrong_password(self) -> None:
        body = {"email": self.email, "password": "not the password"}
        await self.call("login_wrong_password", "POST", "/auth/login", {401}, json=body)

    async def me(self) -> None:
        await self.call("me", "GET", "/auth/me", {200}, headers=self.bearer())

    async def refresh_tokens(self) -> None:
        body = {"refreshToken": self.refresh}
        response = await self.call("refresh", "POST", "/auth/refresh", {200}, json=body)
        if response is not None and response.status_code == 200:
            self.keep(response.json())

    async def connect_token(self) -> None:
        body = {"connectTokenType": "passkey-append"}
        await self.call(
            "createConnectToken",
            "POST",
            "/auth/createConnectToken",
            {200},
            json=body,
            headers=self.bearer(),
        )

    async def passkey_login(self) -> None:
        ceremony = await self.call(
            "emulator_passkeyLogin",
            "POST",
            "/_emulator/corbado/v2/_emulator/passkeyLogin",
            {200},
            json={"identifier": self.email},
        )
        if ceremony is None or ceremony.status_code != 200:
            return
        body = {"signedPasskeyData": ceremony.json()["signedPasskeyData"]}
        await self.call("completeLogin", "POST", "/auth/completeLogin", {200}, json=body)
        await self.call("completeLogin_replay", "POST", "/auth/completeLogin", {401}, json=body)

    async def logout_and_back(self) -> None:
        await self.call("logout", "POST", "/auth/logout", {204}, headers=self.bearer())
        await self.call("me_after_logout", "GET", "/auth/me", {401}, headers=self.bearer())
        await self.login()

    async def bad_requests(self) -> None:
        await self.call(
            "me_forged_token", "GET", "/auth/me", {401}, headers={"Authorization": "Bearer x.y.z"}
        )
        await self.call(
            "login_malformed",
            "POST",
            "/auth/login",
            {400},
            content=b'{"email": ',
            headers={"Content-Type": "application/json"},
        )
        await self.call("not_found", "GET", "/no/such/path", {404})

    async def public(self) -> None:
        await self.call("jwks", "GET", "/.well-known/jwks.json", {200})
        await self.call("healthz", "GET", "/healthz", {200})

    async def scrape(self) -> None:
        await self.call("readyz", "GET", "/readyz", {200})
        await self.call("metrics", "GET", "/metrics", {200})

    def mix(self) -> list[tuple[Callable[[], Awaitable[None]], int]]:
        return [
            (self.me, 30),
            (self.refresh_tokens, 15),
            (self.connect_token, 8),
            (self.public, 10),
            (self.bad_requests, 6),
            (self.passkey_login, 5),
            (self.login, 3),
            (self.wrong_password, 2),
            (self.logout_and_back, 2),
            (self.scrape, 1),
        ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def worker_pid(pid: int) -> int:
    """The process that serves: the one worker granian's main process `pid` runs for `dev`."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    if len(children) != 1:
        raise SystemExit(f"expected one worker process under {pid}, found {children}")
    return int(children[0])


def process_sample(pid: int, started: float, requests: int) -> Sample:
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return Sample(round(time.monotonic() - started, 1), rss_kib, fds, requests)


async def wait_until_healthy(http: httpx.AsyncClient, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited during start-up with code {server.returncode}")
        try:
            if (await http.get("/healthz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise SystemExit("the server did not become healthy in time")


async def drive(args: argparse.Namespace, base: str, pid: int) -> dict[str, Any]:
    tally = Tally()
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=args.users, max_keepalive_connections=args.users)
    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as http:
        started = time.monotonic()
        samples.append(process_sample(pid, started, 0))
        clients = [Client(http, tally, number) for number in range(args.users)]
        for client in clients:
            await client.register()
            await client.login()
        samples.append(process_sample(pid, started, tally.requests))
        load_started = time.monotonic()
        stop_at: float = load_started + args.duration
        max_requests: int = args.max_requests

        def more() -> bool:
            return time.monotonic() < stop_at and tally.requests < max_requests

        async def user(client: Client) -> None:
            operations, weights = zip(*client.mix(), strict=True)
            while more():
                await random.choices(operations, weights)[0]()  # noqa: S311 - a load mix

        async def sampler() -> None:
            while more():
                await asyncio.sleep(SAMPLE_EVERY_S)
                samples.append(process_sample(pid, started, tally.requests))

        await asyncio.gather(sampler(), *(user(client) for client in clients))
        load_s = time.monotonic() - load_started
        samples.append(process_sample(pid, started, tally.requests))
    return report(tally, samples, load_s)


def report(tally: Tally, samples: list[Sample], load_s: float) -> dict[str, Any]:
    # Memory is judged from the end of the first quarter of the run: start-up and warm-up
    # (imports, caches, connection pools) are not leaks.
    warm = samples[max(1, len(samples) // 4)]
    last = samples[-1]
    latency_ms = {
        op: {
            "p50": round(statistics.median(values) * 1000, 1),
            "p99": round(sorted(values)[int(len(values) * 0.99) - 1] * 1000, 1),
            "count": len(values),
        }
        for op, values in sorted(tally.latencies.items())
    }
    return {
        "requests": tally.requests,
        "load_seconds": round(load_s, 1),
        "requests_per_second": round(tally.requests / load_s, 1) if load_s else 0,
        "unexpected_answers": {f"{op} {status}": n for (op, status), n in tally.unexpected.items()},
        "transport_errors": dict(tally.transport_errors),
        "rate_limited": sum(n for (_, status), n in tally.answers.items() if status == 429),
        "answers": {f"{op} {status}": n for (op, status), n in sorted(tally.answers.items())},
        "latency_ms": latency_ms,
        "memory": {
            "rss_mib_at_start": round(samples[0].rss_kib / 1024, 1),
            "rss_mib_after_warmup": round(warm.rss_kib / 1024, 1),
            "rss_mib_at_end": round(last.rss_kib / 1024, 1),
            "rss_mib_peak": round(max(s.rss_kib for s in samples) / 1024, 1),
            "growth_after_warmup_mib": round((last.rss_kib - warm.rss_kib) / 1024, 1),
        },
        "open_fds": {
            "at_start": samples[0].open_fds,
            "after_warmup": warm.open_fds,
            "at_end": last.open_fds,
            "peak": max(s.open_fds for s in samples),
        },
        "samples": [vars(s) for s in samples],
    }


def start_server(workdir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "connect-backend"), "dev"]
    env = {**os.environ, **SOAK_ENV, "PORT": str(port)}
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            command, cwd=workdir, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def stop_server(server: subprocess.Popen[bytes], log: Path) -> dict[str, Any]:
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        server.kill()
        return {"graceful": False, "exit_code": server.wait()}
    # granian's main process says so once its worker has finished (lifespan included) and exits
    # 0; a worker that had to be killed is logged as having refused to stop.
    text = log.read_text(errors="replace")
    completed = "Granian shutdown completed" in text and "refused to gracefully stop" not in text
    return {
        "graceful": completed and code == 0,
        "exit_code": code,
        "seconds": round(time.monotonic() - started, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=180.0, help="seconds of load")
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--users", type=int, default=32, help="concurrent simulated clients")
    parser.add_argument("--json", type=Path, default=None, help="also write the report here")
    args = parser.parse_args()
    if not 0 < args.duration <= MAX_DURATION_S or args.max_requests <= 0 or args.users <= 0:
        parser.error(f"duration must be 0 to {MAX_DURATION_S} s; counts must be positive")

    with tempfile.TemporaryDirectory(prefix="connect-backend-soak-") as directory:
        workdir = Path(directory)
        port = free_port()
        server_log = workdir / "server.log"
        server = start_server(workdir, port, server_log)
        try:
            result = asyncio.run(run(args, f"http://{LOOPBACK}:{port}", server))
        finally:
            if server.poll() is None:
                result_shutdown = stop_server(server, server_log)
            else:
                result_shutdown = {"graceful": False, "exit_code": server.returncode}
        result["shutdown"] = result_shutdown
        errors_logged = [
            line
            for line in server_log.read_text(errors="replace").splitlines()
            if '"level": "error"' in line or "Traceback" in line
        ]
        result["server_error_lines"] = len(errors_logged)
        result["server_error_examples"] = errors_logged[:5]

    summary = {k: v for k, v in result.items() if k not in ("answers", "samples")}
    print(json.dumps(summary, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    failed = (
        result["unexpected_answers"]
        or result["transport_errors"]
        or result["server_error_lines"]
        or not result["shutdown"]["graceful"]
    )
    return 1 if failed else 0


async def run(
    args: argparse.Namespace, base: str, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=5.0) as probe:
        await wait_until_healthy(probe, server)
    return await drive(args, base, worker_pid(server.pid))


if __name__ == "__main__":
    sys.exit(main())
