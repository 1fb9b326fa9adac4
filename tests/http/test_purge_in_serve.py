"""The app's lifespan runs the periodic purge against its own database and stops it on the way
out; the scripted wait lets one round through at start-up, then holds until the stop."""

import asyncio
import json
import threading
from pathlib import Path

from dependency_injector import providers
from litestar.testing import TestClient
from sqlalchemy import URL, func, insert, select

from adapters.sql.engine import create_engine
from adapters.sql.migrate import upgrade_to_head
from adapters.sql.tables import session_revocations, sessions, users
from domain.model import PASSWORD_AMR
from domain.usecases.purge_expired import Purged
from entrypoints.background import PeriodicPurge
from entrypoints.container import Container
from entrypoints.web.app import create_app
from tests.fakes.fake_clock import FakeClock
from tests.http.conftest import dev_settings

NOW = 1_800_000_000
# Generous: the round runs in the app's own thread; this only keeps a broken one from hanging.
ROUND_TIMEOUT_S = 30


async def seed(url: URL) -> None:
    """One user with a session that ended long ago, one alive, and two old revocations."""
    engine = create_engine(url)
    try:
        await upgrade_to_head(engine)
        session = {
            "user_id": "user-1",
            "auth_time": 0,
            "amr": json.dumps(PASSWORD_AMR),
            "created_at": 0,
            "last_used_at": NOW,
        }
        async with engine.begin() as connection:
            await connection.execute(
                insert(users),
                {"id": "user-1", "email": "a@example.com", "display_name": "A", "created_at": 0},
            )
            await connection.execute(
                insert(sessions),
                [
                    {**session, "id": "ended", "expires_at": 1},
                    {**session, "id": "alive", "expires_at": NOW * 2},
                ],
            )
            await connection.execute(
                insert(session_revocations),
                [
                    {"session_id": "gone-1", "revoked_at": 1},
                    {"session_id": "gone-2", "revoked_at": 2},
                ],
            )
    finally:
        await engine.dispose()


async def left(url: URL) -> tuple[list[str], int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            ids = sorted((await connection.scalars(select(sessions.c.id))).all())
            entries = (
                await connection.execute(select(func.count()).select_from(session_revocations))
            ).scalar_one()
    finally:
        await engine.dispose()
    return ids, entries


def test_the_app_purges_in_the_background_and_stops_the_purge_at_shutdown(
    tmp_path: Path,
) -> None:
    settings = dev_settings(tmp_path)
    asyncio.run(seed(settings.database_url))
    container = Container(settings=settings)
    container.clock.override(providers.Object(FakeClock(NOW)))
    rounds: list[Purged] = []
    purged = threading.Event()
    waits: list[float] = []

    async def purge() -> Purged:
        rounds.append(await container.purge_expired().execute())
        purged.set()
        return rounds[-1]

    async def wait(stop: asyncio.Event, seconds: float) -> bool:
        waits.append(seconds)
        if len(waits) > 1:
            await stop.wait()
        return stop.is_set()

    container.periodic_purge.override(
        providers.Object(PeriodicPurge(purge, settings.purge_interval_s, wait=wait))
    )

    with TestClient(app=create_app(container)) as client:
        assert purged.wait(ROUND_TIMEOUT_S)
        assert client.get("/healthz").status_code == 200

    assert rounds == [Purged(expired_sessions=1, revocations=1)]
    # The second wait ended by the stop, not by a second round.
    assert len(waits) == 2
    assert asyncio.run(left(settings.database_url)) == (["alive"], 1)
