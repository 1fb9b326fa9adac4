"""Micro-benchmark: SQLite writes on the event loop while another client holds the write lock.

    .venv/bin/python bench/lock_wait.py [--tasks 16] [--seconds 3] [--hold-ms 200] [--every-ms 500]

Against a fresh, migrated SQLite file, `--tasks` coroutines record connect tokens and read the
user back (what createConnectToken does to the database) as fast as they can, while a ticker
measures how late the loop wakes it (the longest the loop was held). Three phases: nobody else
writes; another connection (a `purge` batch, here in a thread of this process, standing for
another process) takes the write lock for `--hold-ms` every `--every-ms`; and one that holds it
for 2 s (a `migrate`), longer than a request waits (5 s would not be reached; see
docs/decisions/0014). Prints per phase: operations, p50/p99/max latency, refusals
(DatabaseLocked), and the loop's longest stall. Not a CI test; wall-clock on a shared machine is
indicative only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.engine import create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.users import SqlUsers
from domain.errors import StoreUnavailable
from domain.model import IssuedConnectToken, User


def hold_lock(path: Path, hold_s: float, every_s: float, stop: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None, timeout=10)
    while not stop.is_set():
        holder.execute("BEGIN IMMEDIATE")
        time.sleep(hold_s)
        holder.execute("COMMIT")
        stop.wait(max(0.0, every_s - hold_s))
    holder.close()


async def phase(
    path: Path, tasks: int, seconds: float, hold_s: float, every_s: float
) -> dict[str, float]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    tokens, users = SqlIssuedConnectTokens(engine), SqlUsers(engine)
    latencies: list[float] = []
    refused = 0
    stall = 0.0
    deadline = time.monotonic() + seconds
    stop = threading.Event()
    holder = None
    if hold_s > 0:
        holder = threading.Thread(target=hold_lock, args=(path, hold_s, every_s, stop))
        holder.start()

    async def ticker() -> None:
        nonlocal stall
        while time.monotonic() < deadline:
            before = time.monotonic()
            await asyncio.sleep(0.001)
            stall = max(stall, time.monotonic() - before - 0.001)

    async def client(n: int) -> None:
        nonlocal refused
        i = 0
        while time.monotonic() < deadline:
            i += 1
            started = time.monotonic()
            try:
                token = IssuedConnectToken(f"ctk-{n}-{i}", "secret", 2_000_000_000)
                await tokens.record("u1", token, 1)
                await users.by_id("u1")
            except StoreUnavailable:
                refused += 1
            latencies.append(time.monotonic() - started)

    await asyncio.gather(ticker(), *(client(n) for n in range(tasks)))
    stop.set()
    if holder is not None:
        holder.join()
    await engine.dispose()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "ops": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(ms[int(len(ms) * 0.99) - 1], 3),
        "max_ms": round(ms[-1], 3),
        "refused": refused,
        "loop_stall_max_ms": round(stall * 1000, 3),
    }


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "lock.sqlite3"
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade_to_head(engine)
        await SqlUsers(engine).add(User("u1", "ada@example.com", "Ada", "hash", 0))
        await engine.dispose()
        phases = {
            "alone": (0.0, 0.0),
            "purge-like lock": (args.hold_ms / 1000, args.every_ms / 1000),
            "migrate-like lock (2 s)": (2.0, 10.0),
        }
        for name, (hold_s, every_s) in phases.items():
            result = await phase(path, args.tasks, args.seconds, hold_s, every_s)
            print(f"BENCH_JSON {json.dumps({'phase': name, **result})}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--hold-ms", type=float, default=200.0)
    parser.add_argument("--every-ms", type=float, default=500.0)
    asyncio.run(main(parser.parse_args()))
