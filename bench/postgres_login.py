"""Micro-benchmark: a login's database work on PostgreSQL, by pool and read settings.

    .venv/bin/python bench/postgres_login.py [--calls 1000]

Starts a throwaway PostgreSQL (tests/support/servers.py) and runs the stores' own statements
for one login (user by email, session insert) under three engine settings: as `serve` runs
(`pool_pre_ping=True`, reads in a transaction), without the pre-ping, and without it with reads
in autocommit. Prints CPU microseconds per login (process time, all threads) and wall
microseconds (loaded machine: indicative). Not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from adapters.sql.engine import Database
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUsers
from domain.model import Session, User
from domain.refresh_chain import RefreshChain
from tests.support.servers import postgres_server


async def measure(engine: Database, reads: Database, calls: int, offset: int) -> dict[str, float]:
    users, sessions = SqlUsers(reads), SqlSessions(engine)
    chain = RefreshChain(1, "h", None, 0, "k")

    async def login(i: int) -> None:
        await users.by_email("ada@example.com")
        session = Session(f"s{offset + i}", "u1", 1, ("pwd",), 1, 1, 2_000_000_000)
        await sessions.create(session, f"c{offset + i}", chain)

    for i in range(100):
        await login(calls + i)
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(calls):
        await login(i)
    return {
        "cpu_us": round((time.process_time() - cpu) / calls * 1e6, 1),
        "wall_us": round((time.perf_counter() - wall) / calls * 1e6, 1),
    }


async def main(url: str, calls: int) -> None:
    setup = create_async_engine(url)
    await upgrade_to_head(setup)
    await SqlUsers(setup).add(User("u1", "ada@example.com", "Ada", "hash", 0))
    await setup.dispose()
    variants = {
        "as serve (pre-ping, transactional reads)": (True, False),
        "no pre-ping": (False, False),
        "no pre-ping, autocommit reads": (False, True),
    }
    for n, (name, (pre_ping, autocommit)) in enumerate(variants.items()):
        engine = create_async_engine(url, pool_pre_ping=pre_ping, pool_size=5)
        reads = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
        result = await measure(engine, reads, calls, (n + 1) * 10_000_000)
        await engine.dispose()
        print(f"BENCH_JSON {json.dumps({'variant': name, **result})}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    calls = parser.parse_args().calls
    with postgres_server() as server:
        asyncio.run(main(server.create_database("bench"), calls))
