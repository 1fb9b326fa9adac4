"""Micro-benchmark: CPU per createConnectToken's and completeLogin's database work, by driver.

    .venv/bin/python bench/sqlite_driver.py [--calls 2000]

Runs the stores' own statements on a fresh, migrated SQLite file, one call after another:
  - "aiosqlite": SQLAlchemy's asyncio engine on aiosqlite (the driver before decision 0014; no
    longer a dependency: `.tools/bin/uv pip install --python .venv/bin/python aiosqlite` for
    this side; `.tools/bin/uv sync --frozen` removes it again),
  - "loop": `LoopDatabase`, SQLAlchemy's sync Core on sqlite3 on the event loop (now).
Prints CPU microseconds (process time, every thread counted, so the driver's thread is too) per
connect-token record + user read, and per user-by-email read + session insert, both at
synchronous=NORMAL so only the driver differs. CPU time, not wall-clock: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sql.connect_tokens import SqlIssuedConnectTokens
from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.sessions import SqlSessions
from adapters.sql.users import SqlUsers
from domain.model import IssuedConnectToken, Session, User
from domain.refresh_chain import RefreshChain


def old_engine(path: Path) -> Database:
    engine = create_async_engine(f"sqlite+aiosqlite:///{path}", pool_size=1, max_overflow=0)

    def pragmas(dbapi_connection: object, _record: object) -> None:
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    event.listen(engine.sync_engine, "connect", pragmas)
    return engine


async def measure(engine: Database, calls: int) -> dict[str, float]:
    tokens, users, sessions = (
        SqlIssuedConnectTokens(engine),
        SqlUsers(engine),
        SqlSessions(engine),
    )
    await users.add(User("u1", "ada@example.com", "Ada", "hash", 0))
    chain = RefreshChain(1, "h", None, 0, "k")

    async def connect_token(i: int) -> None:
        await tokens.record("u1", IssuedConnectToken(f"t{i}", "s", 2_000_000_000), 1)
        await users.by_id("u1")

    async def login(i: int) -> None:
        await users.by_email("ada@example.com")
        session = Session(f"s{i}", "u1", 1, ("pwd",), 1, 1, 2_000_000_000, None, None, None, None)
        await sessions.create(session, f"c{i}", chain)

    result: dict[str, float] = {}
    for name, work in (("connect_token", connect_token), ("login", login)):
        for i in range(100):  # warm-up
            await work(-i - 1)
        started = time.process_time()
        for i in range(calls):
            await work(i)
        result[f"{name}_cpu_us"] = round((time.process_time() - started) / calls * 1e6, 1)
    return result


async def main(calls: int) -> None:
    for name, build in (("aiosqlite", old_engine), ("loop", None)):
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "db.sqlite3"
            engine = create_engine(f"sqlite+aiosqlite:///{path}")
            await upgrade_to_head(engine)
            await engine.dispose()
            engine = build(path) if build else create_engine(f"sqlite+aiosqlite:///{path}")
            result = await measure(engine, calls)
            await engine.dispose()
        print(f"BENCH_JSON {json.dumps({'driver': name, **result})}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    asyncio.run(main(parser.parse_args().calls))
