"""Micro-benchmark: the hot path's SQL statements on PostgreSQL, three ways to run each.

    .venv/bin/python bench/postgres_statements.py [--calls 1000] [--rounds 2]

Starts a throwaway PostgreSQL (tests/support/servers.py) and runs the stores' own statements
(the connect-token record with the open-account rule, the session insert, a refresh's find and
advance, the user by id and by email) each of three ways:
- "transaction": `engine.begin()` for a write, `engine.connect()` for a read (before issue #31);
- "autocommit": `OneStatement`, as the stores run them now (the engine's AUTOCOMMIT option);
- "autocommit, exec_driver_sql": the same, the statement compiled once and run as the driver's
  SQL through SQLAlchemy's connection (no compiled-cache lookup, the same events and errors);
- "raw asyncpg": the same pool and autocommit, but the statement compiled once by SQLAlchemy and
  handed to asyncpg directly (`driver_connection.fetchrow` / `execute`), past SQLAlchemy's
  execution and result machinery.
Prints, per statement and way, CPU microseconds per call (process time, all threads: the
database server is a separate process), Python function calls per call (cProfile) and round
trips to the server per call (asyncpg's exchanges, tests/support/postgres_round_trips.py).
Rounds alternate the ways so that the machine's load falls on each alike. Not a CI test.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from adapters.sql import connect_tokens, sessions, users
from adapters.sql.engine import OneStatement
from adapters.sql.migrate import upgrade_to_head
from domain.model import User
from tests.support.postgres_round_trips import counting_postgres_round_trips
from tests.support.servers import postgres_server

Parameters = dict[str, Any]
# name -> (statement, parameters of call i, whether it writes)
Operation = tuple[Executable, Callable[[int], Parameters], bool]


def _session(i: int) -> Parameters:
    return {
        "now": 1,
        "id": f"s{i}",
        "user_id": "u1",
        "auth_time": 1,
        "amr": '["pwd"]',
        "created_at": 1,
        "last_used_at": 1,
        "expires_at": 2_000_000_000,
        "revoked_at": None,
        "user_agent": "bench",
        "credential_id": None,
        "corbado_user_id": None,
        "chain_id_hash": f"c{i}",
        "legacy_token_hash": None,
        "chain_generation": 0,
        "chain_current_hash": "h",
        "chain_previous_hash": None,
        "chain_advanced_at": 1,
        "chain_key_id": "k",
    }


def _advance(_: int) -> Parameters:
    # Always from generation 0 of a session that is never advanced: the same work each call.
    return {
        "b_id": "s-fixed",
        "b_from_generation": 0,
        "b_chain_id_hash": "c-fixed",
        "b_generation": 0,
        "b_current_hash": "h",
        "b_previous_hash": None,
        "b_advanced_at": 1,
        "b_key_id": "k",
    }


OPERATIONS: dict[str, Operation] = {
    "connect-token record": (
        connect_tokens._RECORD_IF_ACCOUNT_OPEN,
        lambda i: {"user_id": "u1", "now": 1, "token_id": f"t{i}", "expires_at": 2},
        True,
    ),
    "session create": (sessions._INSERT_SESSION_IF_ACCOUNT_OPEN, _session, True),
    "refresh find (by chain)": (
        sessions._SESSION_BY_CHAIN,
        lambda _: {"chain_id_hash": "c-fixed"},
        False,
    ),
    "refresh advance": (sessions._ADVANCE_CHAIN, _advance, True),
    "user by id": (users._USER_BY_ID, lambda _: {"id": "u1"}, False),
    "user by email": (users._USER_BY_EMAIL, lambda _: {"email": "ada@example.com"}, False),
}

Runner = Callable[[Executable, Parameters, bool], Awaitable[object]]


def transaction_runner(engine: AsyncEngine) -> Runner:
    async def run(statement: Executable, parameters: Parameters, writes: bool) -> object:
        block: AbstractAsyncContextManager[AsyncConnection] = (
            engine.begin() if writes else engine.connect()
        )
        async with block as connection:
            return (await connection.execute(statement, parameters)).rowcount

    return run


def autocommit_runner(engine: AsyncEngine) -> Runner:
    one = OneStatement(engine)

    async def run(statement: Executable, parameters: Parameters, writes: bool) -> object:
        async with one.write() if writes else one.read() as connection:
            return (await connection.execute(statement, parameters)).rowcount

    return run


def driver_sql_runner(engine: AsyncEngine) -> Runner:
    one = OneStatement(engine)
    compiled: dict[int, tuple[str, list[str]]] = {}

    async def run(statement: Executable, parameters: Parameters, writes: bool) -> object:
        sql, order = compiled.get(id(statement)) or compiled.setdefault(
            id(statement), _compiled(statement, engine)
        )
        async with one.write() if writes else one.read() as connection:
            assert isinstance(connection, AsyncConnection)
            result = await connection.exec_driver_sql(
                sql, tuple(parameters[name] for name in order)
            )
            return result.rowcount

    return run


def raw_runner(engine: AsyncEngine) -> Runner:
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    compiled: dict[int, tuple[str, list[str]]] = {}

    async def run(statement: Executable, parameters: Parameters, writes: bool) -> object:
        sql, order = compiled.get(id(statement)) or compiled.setdefault(
            id(statement), _compiled(statement, engine)
        )
        async with autocommit.connect() as connection:
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            arguments = [parameters[name] for name in order]
            if writes:
                return await driver.execute(sql, *arguments)
            return await driver.fetchrow(sql, *arguments)

    return run


def _compiled(statement: Executable, engine: AsyncEngine) -> tuple[str, list[str]]:
    done = statement.compile(dialect=engine.dialect)  # type: ignore[attr-defined]
    return done.string, list(done.positiontup or [])


async def measure(run: Runner, operation: Operation, calls: int, offset: int) -> dict[str, float]:
    statement, parameters, writes = operation
    for i in range(50):  # prepares the statement on the pooled connection
        await run(statement, parameters(offset + calls + i), writes)
    trips: Counter[str] = Counter()
    with pytest.MonkeyPatch.context() as patch, counting_postgres_round_trips(trips, patch):
        for i in range(10):
            await run(statement, parameters(offset + calls + 100 + i), writes)
    profile = cProfile.Profile()
    profile.enable()
    for i in range(10):
        await run(statement, parameters(offset + calls + 200 + i), writes)
    profile.disable()
    python_calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
    cpu = time.process_time()
    for i in range(calls):
        await run(statement, parameters(offset + i), writes)
    return {
        "cpu_us": round((time.process_time() - cpu) / calls * 1e6, 1),
        "python_calls": python_calls / 10,
        "round_trips": trips["postgres"] / 10,
    }


async def main(url: str, calls: int, rounds: int) -> None:
    setup = create_async_engine(url)
    await upgrade_to_head(setup)
    await users.SqlUsers(setup).add(User("u1", "ada@example.com", "Ada", "hash", 0))
    async with setup.begin() as connection:
        await connection.execute(
            sessions._INSERT_SESSION_IF_ACCOUNT_OPEN,
            _session(0) | {"id": "s-fixed", "chain_id_hash": "c-fixed"},
        )
    await setup.dispose()
    engine = create_async_engine(url, pool_size=5)
    ways = {
        "transaction": transaction_runner(engine),
        "autocommit": autocommit_runner(engine),
        "autocommit, exec_driver_sql": driver_sql_runner(engine),
        "raw asyncpg": raw_runner(engine),
    }
    offset = 1_000_000
    for round_ in range(rounds):
        for name, operation in OPERATIONS.items():
            order = list(ways.items())
            for way, run in order if round_ % 2 == 0 else reversed(order):
                offset += 1_000_000
                result = await measure(run, operation, calls, offset)
                row = {"round": round_ + 1, "statement": name, "way": way, **result}
                print(f"BENCH_JSON {json.dumps(row)}", flush=True)
    await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    with postgres_server() as server:
        asyncio.run(main(server.create_database("bench"), arguments.calls, arguments.rounds))
