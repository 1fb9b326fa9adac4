"""What following the revocation log costs the database: the plans and the time of the two
statements, on SQLite and PostgreSQL 15, over a table as large as the peak keeps it.

    .venv/bin/python -m bench.revocation_log_plans [--rows 300000] [--repeat 200]

Each worker runs the follower's statement (`revocations_after`: entries above its cursor,
`LIMIT 1000`) every 2 s, and `cursor_before` once at start-up. The table is filled with `--rows`
entries, one a second (the newest now), as a day at peak leaves it between two purges. Prints
each statement's plan (`EXPLAIN QUERY PLAN`; `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL, which
counts the rows and pages read) and the median wall time of `--repeat` runs on a quiet log (the
follower's usual round: no new entry) and with 100 new entries. Shared machine: the times are
for orders of magnitude, the plans are the point.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from adapters.sql.engine import Database, create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.revocation_log import _CURSOR_BEFORE, _REVOCATIONS_AFTER
from adapters.sql.tables import session_revocations
from tests.support.servers import postgres_server

PAGE = 1000
TTL_S = 930
NOW = 1_800_000_000


async def fill(engine: Database, rows: int) -> None:
    await upgrade_to_head(engine)
    batch = 10_000
    async with engine.begin() as connection:
        for start in range(0, rows, batch):
            await connection.execute(
                insert(session_revocations),
                [
                    {"session_id": f"s{n:08d}", "revoked_at": NOW - rows + n}
                    for n in range(start, min(start + batch, rows))
                ],
            )
        if engine.dialect.name == "postgresql":
            await connection.execute(text("ANALYZE session_revocations"))


def literal(statement: Any, engine: Database, parameters: dict[str, int]) -> str:
    bound = statement.params(**parameters)
    return str(bound.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True}))


async def plan(engine: Database, sql: str) -> list[str]:
    explain = (
        "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(text(explain + sql))).all()
    return [" | ".join(str(column) for column in row) for row in rows]


async def median_ms(engine: Database, statement: Any, parameters: dict[str, int], n: int) -> float:
    times = []
    async with engine.connect() as connection:
        for _ in range(n):
            started = time.perf_counter()
            (await connection.execute(statement, parameters)).all()
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(url: str, rows: int, repeat: int) -> None:
    engine = create_engine(url)
    try:
        await fill(engine, rows)
        last = rows
        cases = {
            "follow, nothing new": (_REVOCATIONS_AFTER, {"cursor": last, "limit": PAGE}),
            "follow, 100 new": (_REVOCATIONS_AFTER, {"cursor": last - 100, "limit": PAGE}),
            "cursor_before (start-up)": (_CURSOR_BEFORE, {"since": NOW - TTL_S}),
        }
        print(f"\n== {engine.dialect.name}, {rows} entries")
        for name, (statement, parameters) in cases.items():
            sql = literal(statement, engine, parameters)
            print(f"\n-- {name}:\n{sql}")
            for line in await plan(engine, sql):
                print("   ", line)
            print(f"    median {await median_ms(engine, statement, parameters, repeat):.3f} ms")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=200)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        sqlite = f"sqlite+aiosqlite:///{Path(directory) / 'log.sqlite3'}"
        asyncio.run(measure(sqlite, options.rows, options.repeat))
    with postgres_server() as server:
        url = server.create_database("revocation_log_plans")
        asyncio.run(measure(url, options.rows, options.repeat))


if __name__ == "__main__":
    main()
