"""Overload: thousands of connections at `serve` in its production shape, and what they get.

    .venv/bin/python -m bench.overload [--connections 2000] [--duration 20] [--threads 2]
        [--scenario login --scenario me --scenario login-redis-down]

Issue #29. A throwaway PostgreSQL 15 and Redis on loopback, `serve` with WORKERS=2, default rate
limits, behind a trusted proxy (`bench.compare_postgres.production_shape`), and Debian's wrk with
`bench/overload.lua` (every request from a client address of its own), one scenario after the
other, each for --duration seconds:

- `login`: wrong-password logins to one account (a password-guessing flood from many addresses);
- `me`: `GET /auth/me` with a valid access token, Redis healthy;
- `login-redis-down`: the login flood again, after Redis has been stopped for good.

Prints one JSON object per scenario: the count of each status, wrk's socket errors and
latencies, what the server logged meanwhile (error lines, tracebacks, the rate limiter's lines)
and the rate limiter's metrics after it. Zero 500s is the target. A benchmark, not a CI test:
on a shared machine the counts move with whatever else runs.
"""
# ruff: noqa: S603 - our own console script and wrk, fixed arguments

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.compare_postgres import CLI, ROOT, production_shape
from tests.support.servers import free_port

SCENARIOS = ("login", "me", "login-redis-down")
EMAIL = "overload@example.com"
PASSWORD = "correct horse battery staple"
STARTUP_TIMEOUT_S = 60.0
# Requests still in flight when wrk stops are answered within the request deadline (15 s).
SETTLE_TIMEOUT_S = 30.0
SETTLE_QUIET_S = 2.0
# The server is still busy when a scenario ends.
HTTP_TIMEOUT_S = 60.0
RATE_LIMIT_LOGGER = "connect_backend.rate_limits"
# No scenario reaches Corbado; serve needs the variables all the same.
CORBADO = {
    "CORBADO_PROJECT_ID": "pro-1234567890123456789",
    "CORBADO_API_SECRET": "corbado1_benchsecret",
    "CORBADO_BACKEND_API": "http://127.0.0.1:18080",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, dest="scenarios")
    args = parser.parse_args()
    scenarios = args.scenarios or list(SCENARIOS)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="connect-backend-overload-") as directory:
        work = Path(directory)
        log = work / "serve.log"
        with production_shape(work, port, workers=args.workers) as shape:
            server = _start({**shape.environment, **CORBADO}, log)
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_until_ready(base, server, log)
                access_token = _sign_up(base)
                for scenario in scenarios:
                    if scenario == "login-redis-down":
                        shape.stop_redis()
                    offset = log.stat().st_size
                    result = _load(args, base, scenario, access_token)
                    _settle(log)
                    result["server_log"] = _log_summary(log, offset)
                    result["metrics"] = _rate_limit_metrics(base)
                    print(json.dumps({"scenario": scenario, **result}), flush=True)
            finally:
                if server.poll() is None:
                    os.killpg(server.pid, signal.SIGTERM)
                    server.wait(60)


def _start(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        return subprocess.Popen(
            [CLI, "serve"],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise SystemExit(f"serve exited during start-up ({server.returncode}):\n{tail}")
        try:
            if httpx.get(f"{base}/readyz", timeout=HTTP_TIMEOUT_S).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("serve did not become ready in time")


def _sign_up(base: str) -> str:
    """Register the account the load aims at; an access token of it."""
    with httpx.Client(
        base_url=base, headers={"X-Forwarded-For": "192.0.2.1"}, timeout=HTTP_TIMEOUT_S
    ) as client:
        body = {"email": EMAIL, "password": PASSWORD, "displayName": "Overload"}
        client.post("/auth/register", json=body).raise_for_status()
        login = client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
        login.raise_for_status()
        token: str = login.json()["accessToken"]
        return token


def _load(args: argparse.Namespace, base: str, scenario: str, access_token: str) -> dict[str, Any]:
    if scenario == "me":
        path, request = "/auth/me", {"OVERLOAD_AUTHORIZATION": f"Bearer {access_token}"}
    else:
        body = json.dumps({"email": EMAIL, "password": "not the password"})
        path, request = "/auth/login", {"OVERLOAD_METHOD": "POST", "OVERLOAD_BODY": body}
    wrk = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--timeout", "30s",
        "-s", str(ROOT / "bench" / "overload.lua"),
        base + path,
    ]  # fmt: skip
    output = subprocess.run(
        wrk, env={**os.environ, **request}, check=True, capture_output=True, text=True
    ).stdout
    [line] = [line for line in output.splitlines() if line.startswith("OVERLOAD_JSON ")]
    result: dict[str, Any] = json.loads(line.removeprefix("OVERLOAD_JSON "))
    result["statuses"] = dict(sorted(result["statuses"].items()))
    return result


def _settle(log: Path) -> None:
    """Wait until the server has answered what wrk left in flight (its log stops growing)."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    size, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now_size = log.stat().st_size
        if now_size != size:
            size, quiet_since = now_size, time.monotonic()
        elif time.monotonic() - quiet_since >= SETTLE_QUIET_S:
            return
        time.sleep(0.2)


def _log_summary(log: Path, offset: int) -> dict[str, Any]:
    with log.open("rb") as file:
        file.seek(offset)
        lines = file.read().decode(errors="replace").splitlines()
    errors: Counter[str] = Counter()
    rate_limiter: Counter[str] = Counter()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        message = str(record.get("event", ""))[:120]
        if record.get("level") == "error":
            errors[message] += 1
        if record.get("logger") == RATE_LIMIT_LOGGER:
            rate_limiter[message] += 1
    return {
        "lines": len(lines),
        "error_lines": sum(errors.values()),
        "tracebacks": sum("Traceback" in line for line in lines),
        "errors_by_message": dict(errors.most_common(5)),
        "rate_limiter_lines": dict(rate_limiter.most_common(10)),
    }


def _rate_limit_metrics(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", timeout=HTTP_TIMEOUT_S).text
    metrics: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("connect_backend_rate_limit") and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            metrics[name] = float(value)
    return metrics


if __name__ == "__main__":
    main()
