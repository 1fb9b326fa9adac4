"""Purge soak: many logins and refreshes through the real app, then purges; row counts and the
latency of refresh with and without a purge running.

    .venv/bin/python bench/purge_soak.py --database sqlite
    .venv/bin/python bench/purge_soak.py --database postgres      # a throwaway PostgreSQL 15
    .venv/bin/python bench/purge_soak.py --database-url postgresql+asyncpg://...  # yours, empty

The app runs in this process as one `serve` worker does (the real container, routes and
stores; `dev`'s settings with the emulator, no rate limits, the periodic purge off so that this
script decides when the purge runs) and is driven over ASGI by `--concurrency` clients in the
same event loop; its clock is the system clock plus an offset this script moves forward to age
what the load left behind. Only the password hash is made cheap (it is not what is measured).

1. Churn: `--keepers` sessions that stay in use, then `--visits` visits of `--concurrency`
   clients: log in, refresh `--refreshes` times, then log out (`--logout-fraction`) or walk
   away. The clock then moves 10 days on twice, the keepers refreshing after each move: every
   logged-out session is past its revocation's span and every abandoned one is idle. Rows are
   counted after the churn, before the purge and after it: sessions must come down to the
   keepers, the revocation log to one entry.
2. Latency: a backlog of `--backlog` ended sessions (copies of a real row, so the script needs
   no knowledge of the columns a session has) and as many old revocation entries is written
   directly, then the keepers refresh in a loop: `--window` seconds without a purge, then
   while a purge removes the backlog. Percentiles of refresh latency in each phase.

It reads the sessions and revocation tables only; other tables (refresh tokens, while they
exist) are counted if present. A script, not a CI test; it prints a JSON report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import gc
import json
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import httpx
from argon2 import PasswordHasher as Argon2
from dependency_injector import providers
from sqlalchemy import Integer, MetaData, String, Table, func, insert, inspect, select

from adapters.sql.engine import Database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.argon2_hasher import Argon2PasswordHasher  # noqa: E402
from adapters.sql.engine import create_engine  # noqa: E402
from adapters.tokens.signing_keys import generate_private_key_pem  # noqa: E402
from domain.usecases.purge_expired import Purged, PurgeExpired  # noqa: E402
from entrypoints.configuration.settings import RateLimitSettings, Settings  # noqa: E402
from entrypoints.container import Container, started  # noqa: E402
from entrypoints.web.app import create_app  # noqa: E402

PASSWORD = "correct horse battery staple"
DAY = 86_400
NO_LIMITS = RateLimitSettings(10**9, 10**9, 10**9, 10**9, 10**9)
FAST_ARGON2 = Argon2(time_cost=1, memory_cost=8, parallelism=1)
TABLES = ("sessions", "session_revocations", "refresh_tokens", "connect_tokens", "users")
SEED_CHUNK = 5_000


class OffsetClock:
    """The system clock plus an offset the script moves forward."""

    def __init__(self) -> None:
        self.offset = 0

    def now(self) -> int:
        return int(time.time()) + self.offset


@dataclass
class Latencies:
    """(start, seconds) of each request of one kind, with the statuses seen."""

    samples: list[tuple[float, float]] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, started: float, status: int) -> None:
        self.samples.append((started, time.perf_counter() - started))
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def summary(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Any]:
        chosen = sorted(s for t, s in self.samples if since <= t <= until)
        if not chosen:
            return {"requests": 0}
        span = min(until, max(t for t, _ in self.samples)) - max(
            since, min(t for t, _ in self.samples)
        )

        def ms(q: float) -> float:
            return round(1000 * chosen[min(len(chosen) - 1, int(q * len(chosen)))], 2)

        return {
            "requests": len(chosen),
            "per_second": round(len(chosen) / span, 1) if span > 0 else None,
            "p50_ms": ms(0.50),
            "p95_ms": ms(0.95),
            "p99_ms": ms(0.99),
            "max_ms": round(1000 * chosen[-1], 2),
        }


@dataclass
class Keeper:
    """A session that stays in use: its current refresh token."""

    refresh_token: str


class Soak:
    """The app, its client and the measurements of one run."""

    def __init__(self, container: Container, client: httpx.AsyncClient, clock: OffsetClock):
        self.container = container
        self.client = client
        self.clock = clock
        self.ops: dict[str, Latencies] = {}
        self.keepers: list[Keeper] = []

    async def call(self, op: str, path: str, **kwargs: Any) -> Any:
        started = time.perf_counter()
        response = await self.client.post(path, **kwargs)
        self.ops.setdefault(op, Latencies()).add(started, response.status_code)
        return response

    async def login(self, email: str) -> dict[str, Any]:
        response = await self.call(
            "login", "/auth/login", json={"email": email, "password": PASSWORD}
        )
        response.raise_for_status()
        tokens: dict[str, Any] = response.json()
        return tokens

    async def refresh(self, refresh_token: str, op: str = "refresh") -> dict[str, Any]:
        response = await self.call(op, "/auth/refresh", json={"refreshToken": refresh_token})
        response.raise_for_status()
        tokens: dict[str, Any] = response.json()
        return tokens

    async def visit(self, email: str, refreshes: int, logout: bool) -> None:
        tokens = await self.login(email)
        for _ in range(refreshes):
            tokens = await self.refresh(tokens["refreshToken"])
        if logout:
            response = await self.call(
                "logout",
                "/auth/logout",
                headers={"Authorization": f"Bearer {tokens['accessToken']}"},
            )
            response.raise_for_status()


async def in_parallel(concurrency: int, jobs: Iterator[Callable[[], Awaitable[None]]]) -> None:
    """Run the jobs, at most `concurrency` at a time."""

    async def worker() -> None:
        for job in jobs:
            await job()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def count_rows(engine: Database) -> dict[str, int]:
    async with engine.connect() as connection:
        present = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        counts = {}
        for name in TABLES:
            if name in present:
                table = Table(name, MetaData())
                query = select(func.count()).select_from(table)
                counts[name] = int((await connection.execute(query)).scalar_one())
        return counts


async def seed_backlog(engine: Database, size: int, now: int) -> None:
    """`size` sessions that ended long ago and as many old revocation entries.

    Each session is a copy of a session the app wrote (revoked here), with a new value in every
    column the schema keeps unique, and old timestamps: so this needs no knowledge of what a
    session row holds beyond the columns every model has.
    """
    async with engine.begin() as connection:
        sessions = await connection.run_sync(
            lambda c: Table("sessions", MetaData(), autoload_with=c)
        )
        unique = await connection.run_sync(lambda c: _unique_columns(c, "sessions"))
        template = (await connection.execute(select(sessions).limit(1))).mappings().first()
        if template is None:
            raise RuntimeError("no session to copy")
        revocations = await connection.run_sync(
            lambda c: Table("session_revocations", MetaData(), autoload_with=c)
        )
    old = now - 40 * DAY
    stamps = {
        "auth_time": old,
        "created_at": old,
        "last_used_at": old,
        "expires_at": old + DAY,
        "revoked_at": old + 1,
    }
    for start in range(0, size, SEED_CHUNK):
        chunk = range(start, min(size, start + SEED_CHUNK))
        rows = [_copy(dict(template), unique, sessions, stamps) for _ in chunk]
        entries = [{"session_id": row["id"], "revoked_at": old + 1} for row in rows]
        async with engine.begin() as connection:
            await connection.execute(insert(sessions), rows)
            await connection.execute(insert(revocations), entries)


def _unique_columns(connection: Any, table: str) -> set[str]:
    inspector = inspect(connection)
    names = set(inspector.get_pk_constraint(table)["constrained_columns"])
    for constraint in inspector.get_unique_constraints(table):
        names.update(constraint["column_names"])
    for index in inspector.get_indexes(table):
        if index.get("unique"):
            names.update(name for name in index["column_names"] if name)
    return names


def _copy(
    row: dict[str, Any], unique: set[str], table: Table, stamps: dict[str, int]
) -> dict[str, Any]:
    for name in unique:
        column_type = table.c[name].type
        if isinstance(column_type, String):
            row[name] = secrets.token_hex(16)
        elif isinstance(column_type, Integer):
            row[name] = secrets.randbelow(2**62)
    row.update({name: value for name, value in stamps.items() if name in row})
    return row


async def timed_purge(container: Container) -> tuple[Purged, float, float, float]:
    """What one purge removed, when it started and ended (perf_counter) and how long it took."""
    started = time.perf_counter()
    purged = await container.purge_expired().execute()
    ended = time.perf_counter()
    return purged, started, ended, round(ended - started, 3)


async def refresh_loops(
    soak: Soak, keepers: list[Keeper], concurrency: int, op: str, until: Callable[[], bool]
) -> None:
    """`concurrency` loops, each refreshing its share of the keepers in turn, until `until()`."""

    async def loop(mine: list[Keeper]) -> None:
        while not until():
            for keeper in mine:
                tokens = await soak.refresh(keeper.refresh_token, op)
                keeper.refresh_token = tokens["refreshToken"]
                if until():
                    return

    shares = [keepers[i::concurrency] for i in range(concurrency)]
    await asyncio.gather(*(loop(share) for share in shares if share))


async def run(args: argparse.Namespace, database_url: str, workdir: Path) -> dict[str, Any]:
    settings = Settings.for_dev({}, state_dir=workdir)
    settings.signing_keys_path.write_text(generate_private_key_pem(), encoding="ascii")
    settings = dataclasses.replace(
        settings, database_url=database_url, rate_limits=NO_LIMITS, purge_interval_s=0
    )
    clock = OffsetClock()
    container = Container(settings=settings)
    container.clock.override(providers.Object(clock))
    container.password_hasher.override(providers.Object(Argon2PasswordHasher(FAST_ARGON2)))
    if args.batch_size is not None:
        container.purge_expired.override(
            providers.Singleton(
                PurgeExpired,
                container.retention,
                container.clock,
                container.policy,
                batch_size=args.batch_size,
            )
        )
    # The app's lifespan starts the container again (a no-op) and stops it at its end.
    async with started(container):
        await container.upgrade_schema()
        counter = create_engine(database_url)
        report: dict[str, Any] = {"database": database_url.split(":", 1)[0], "settings": vars(args)}
        try:
            emails = [f"soak-{i}@example.com" for i in range(args.users)]
            for email in emails:
                await container.create_user().execute(email, PASSWORD, "Soak")
            app = create_app(container)
            # The app and this script share one event loop, as a worker's app and its periodic
            # purge do (Litestar's test clients would run the app in a thread of its own).
            transport = httpx.ASGITransport(app=cast(Any, app))
            async with (
                app.lifespan(),
                httpx.AsyncClient(
                    transport=transport, base_url="http://soak", timeout=60
                ) as client,
            ):
                gc.collect()
                gc.freeze()
                soak = Soak(container, client, clock)
                report["churn"] = await churn(soak, args, emails, counter)
                report["latency"] = await latency(soak, args, counter)
            report["ops"] = {
                op: lat.summary() | {"statuses": lat.statuses} for op, lat in soak.ops.items()
            }
        finally:
            await counter.dispose()
        return report


async def churn(
    soak: Soak, args: argparse.Namespace, emails: list[str], counter: Database
) -> dict[str, Any]:
    rng = random.Random(args.seed)  # noqa: S311 - a load plan, not a secret
    keepers = soak.keepers
    for _ in range(args.keepers):
        keepers.append(Keeper((await soak.login(rng.choice(emails)))["refreshToken"]))
    plan = [(rng.choice(emails), rng.random() < args.logout_fraction) for _ in range(args.visits)]
    started = time.perf_counter()
    await in_parallel(
        args.concurrency,
        (functools.partial(soak.visit, email, args.refreshes, out) for email, out in plan),
    )
    churn_s = round(time.perf_counter() - started, 1)
    after_churn = await count_rows(counter)
    for _ in range(2):
        soak.clock.offset += 10 * DAY
        await in_parallel(
            args.concurrency, (functools.partial(_keep, soak, keeper) for keeper in keepers)
        )
    before = await count_rows(counter)
    purged, _, _, purge_s = await timed_purge(soak.container)
    after = await count_rows(counter)
    again, _, _, _ = await timed_purge(soak.container)
    return {
        "seconds": churn_s,
        "rows_after_churn": after_churn,
        "rows_before_purge": before,
        "purged": dataclasses.asdict(purged),
        "purge_s": purge_s,
        "rows_after_purge": after,
        "live_sessions": len(keepers),
        "sessions_bounded_by_live": after["sessions"] == len(keepers),
        "revocation_log_left": after["session_revocations"],
        "second_purge_removed": again.total,
    }


async def _keep(soak: Soak, keeper: Keeper) -> None:
    keeper.refresh_token = (await soak.refresh(keeper.refresh_token, "keeper"))["refreshToken"]


async def latency(soak: Soak, args: argparse.Namespace, counter: Database) -> dict[str, Any]:
    keepers = soak.keepers
    seed_started = time.perf_counter()
    await seed_backlog(counter, args.backlog, soak.clock.now())
    seeded_s = round(time.perf_counter() - seed_started, 1)
    before = await count_rows(counter)

    window_end = time.perf_counter() + args.window
    baseline_start = time.perf_counter()
    await refresh_loops(
        soak, keepers, args.concurrency, "refresh_alone", lambda: time.perf_counter() >= window_end
    )

    done = asyncio.Event()
    purge_task = asyncio.create_task(timed_purge(soak.container))
    purge_task.add_done_callback(lambda _: done.set())
    await refresh_loops(soak, keepers, args.concurrency, "refresh_during_purge", done.is_set)
    purged, purge_started, purge_ended, purge_s = await purge_task
    after = await count_rows(counter)
    alone = soak.ops["refresh_alone"].summary(baseline_start)
    during = soak.ops["refresh_during_purge"].summary(purge_started, purge_ended)
    return {
        "backlog_seeded": args.backlog,
        "seed_s": seeded_s,
        "rows_before_purge": before,
        "purged": dataclasses.asdict(purged),
        "purge_s": purge_s,
        "rows_after_purge": after,
        "refresh_without_purge": alone,
        "refresh_during_purge": during,
    }


@contextlib.contextmanager
def _postgres() -> Iterator[str]:
    # Imported here: only this choice needs the test suite's server helper.
    from tests.support.servers import postgres_server

    with postgres_server() as server:
        yield server.create_database("purge_soak")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default=None, help="an empty database to use instead")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--keepers", type=int, default=200)
    parser.add_argument("--visits", type=int, default=5_000)
    parser.add_argument("--refreshes", type=int, default=3)
    parser.add_argument("--logout-fraction", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backlog", type=int, default=200_000)
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--batch-size", type=int, default=None, help="rows per purge batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="purge-soak-") as tmp:
        workdir = Path(tmp)
        with contextlib.ExitStack() as stack:
            if args.database_url:
                url = args.database_url
            elif args.database == "postgres":
                url = stack.enter_context(_postgres())
            else:
                url = f"sqlite+aiosqlite:///{workdir / 'soak.sqlite3'}"
            report = asyncio.run(run(args, url, workdir))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
