"""`connect-backend purge`: what it removes from the database `serve` uses, the line it prints,
and one clear line with a non-zero exit when that database cannot be used."""

import asyncio
import json
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from adapters.sql.engine import create_engine
from adapters.sql.tables import connect_tokens, session_revocations, sessions, users
from domain.model import PASSWORD_AMR
from entrypoints.cli import main
from tests.support.servers import free_port

DAY = 86_400


@pytest.fixture
def serve_url(serve_env: Path) -> str:
    """The database `serve`'s variables name."""
    return f"sqlite+aiosqlite:///{serve_env / 'db.sqlite3'}"


async def seed(url: str, now: int) -> None:
    """Of each kind, rows long past and rows still needed, as `serve` would have left them."""
    session = {
        "user_id": "user-1",
        "auth_time": now,
        "amr": json.dumps(PASSWORD_AMR),
        "created_at": now,
        "last_used_at": now,
        "expires_at": now + DAY,
        "revoked_at": None,
    }
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(users),
                {"id": "user-1", "email": "a@example.com", "display_name": "A", "created_at": 0},
            )
            await connection.execute(
                insert(sessions),
                [
                    {**session, "id": "alive"},
                    {**session, "id": "expired", "expires_at": now - DAY},
                    {**session, "id": "revoked", "revoked_at": now - DAY},
                    {**session, "id": "idle", "last_used_at": now - 60 * DAY},
                ],
            )
            await connection.execute(
                insert(session_revocations),
                [
                    {"session_id": "old-1", "revoked_at": now - DAY},
                    {"session_id": "old-2", "revoked_at": now - DAY},
                    {"session_id": "revoked", "revoked_at": now - DAY},
                    {"session_id": "recent", "revoked_at": now},
                ],
            )
            await connection.execute(
                insert(connect_tokens),
                [
                    {"user_id": "user-1", "token_id": "ctk-old", "expires_at": now - DAY},
                    {"user_id": "user-1", "token_id": "ctk-live", "expires_at": now + DAY},
                ],
            )
    finally:
        await engine.dispose()


async def left(url: str) -> tuple[list[str], list[str], list[str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return (
                sorted((await connection.scalars(select(sessions.c.id))).all()),
                sorted((await connection.scalars(select(session_revocations.c.session_id))).all()),
                sorted((await connection.scalars(select(connect_tokens.c.token_id))).all()),
            )
    finally:
        await engine.dispose()


def test_purge_removes_what_can_no_longer_matter_and_says_how_much(
    serve_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    asyncio.run(seed(serve_url, int(time.time())))
    capsys.readouterr()

    assert main(["purge"]) == 0

    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        "connect-backend purge: removed 1 expired, 1 revoked and 1 idle sessions, "
        "3 revocation entries and 1 connect-token records"
    ]
    assert asyncio.run(left(serve_url)) == (["alive"], ["recent"], ["ctk-live"])
    assert main(["purge"]) == 0
    assert "removed 0 expired, 0 revoked and 0 idle sessions, 0 revocation" in (
        capsys.readouterr().out
    )


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert captured.out == ""
    return line


def test_purge_refuses_a_database_url_that_is_not_one(
    serve_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://db/connect")
    assert main(["purge"]) == 2
    assert one_line(capsys).startswith("connect-backend purge: DATABASE_URL: is not valid")

    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@db:port/connect")
    assert main(["purge"]) == 2
    assert one_line(capsys).startswith("connect-backend purge: DATABASE_URL: is not valid")


def test_purge_says_in_one_line_that_the_database_cannot_be_reached(
    serve_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing listens there.
    monkeypatch.setenv("DATABASE_URL", f"postgresql+asyncpg://u:p@127.0.0.1:{free_port()}/c")

    assert main(["purge"]) == 1

    line = one_line(capsys)
    assert line.startswith("connect-backend purge: the database is unavailable")
    assert "run it again" in line


def test_purge_refuses_a_schema_that_is_behind(
    serve_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["purge"]) == 2
    # Alembic logs how it read the schema before that; the message is the last line.
    *_, line = capsys.readouterr().err.strip().splitlines()
    assert line == (
        "connect-backend purge: the database schema is behind; run `connect-backend migrate`"
    )


def test_purge_without_database_url_purges_the_dev_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)

    assert main(["purge"]) == 0

    assert capsys.readouterr().out.startswith("connect-backend purge: removed 0 expired")
    assert (tmp_path / ".connect-backend" / "dev.sqlite3").exists()


def test_purge_reads_the_lifetimes_serve_reads(
    serve_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A revocation must outlive the access tokens `serve` issues, however long they live."""
    assert main(["migrate"]) == 0
    asyncio.run(seed(serve_url, int(time.time())))
    monkeypatch.setenv("ACCESS_TOKEN_TTL_S", str(2 * DAY))
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT_S", str(90 * DAY))
    capsys.readouterr()

    assert main(["purge"]) == 0

    assert "removed 1 expired, 0 revoked and 0 idle sessions, 0 revocation entries" in (
        capsys.readouterr().out
    )
    count = asyncio.run(_count_revocations(serve_url))
    assert count == 4


# What serve needs and purge does not use: Corbado, the signing keys, the server.
SERVE_ONLY = [
    "CORBADO_PROJECT_ID",
    "CORBADO_API_SECRET",
    "SESSION_ISSUER",
    "SESSION_AUDIENCE",
    "SESSION_SIGNING_KEYS",
]


def test_purge_runs_with_only_the_database_url(
    serve_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    asyncio.run(seed(serve_url, int(time.time())))
    for name in SERVE_ONLY:
        monkeypatch.delenv(name)
    capsys.readouterr()

    assert main(["purge"]) == 0

    assert capsys.readouterr().out.startswith(
        "connect-backend purge: removed 1 expired, 1 revoked and 1 idle sessions, "
        "3 revocation entries"
    )
    assert asyncio.run(left(serve_url)) == (["alive"], ["recent"], ["ctk-live"])


def test_purge_with_only_the_database_url_reads_the_lifetimes_and_nothing_else(
    serve_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    asyncio.run(seed(serve_url, int(time.time())))
    for name in SERVE_ONLY:
        monkeypatch.delenv(name)
    # What serve would refuse, and purge never reads.
    monkeypatch.setenv("CORBADO_BACKEND_API", "http://corbado.example")
    monkeypatch.setenv("WORKERS", "4")
    monkeypatch.setenv("PORT", "not a port")
    monkeypatch.setenv("REFRESH_REUSE_GRACE_S", "ten")
    monkeypatch.setenv("ACCESS_TOKEN_TTL_S", str(2 * DAY))
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT_S", str(90 * DAY))
    capsys.readouterr()

    assert main(["purge"]) == 0

    assert "removed 1 expired, 0 revoked and 0 idle sessions, 0 revocation entries" in (
        capsys.readouterr().out
    )
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT_S", "60")
    assert main(["purge"]) == 2
    assert capsys.readouterr().err.startswith("connect-backend purge: SESSION_IDLE_TIMEOUT_S: ")


async def _count_revocations(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).select_from(session_revocations)
            return int((await connection.execute(query)).scalar_one())
    finally:
        await engine.dispose()
