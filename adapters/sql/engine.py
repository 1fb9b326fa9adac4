"""The one async engine of the process, tuned per backend."""

from pathlib import Path

from sqlalchemy import event, make_url, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

# Long enough to outwait another writer's short transaction instead of failing with "locked".
_SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(url: str) -> AsyncEngine:
    """An engine for `url` whose errors never show statement parameters (hashes stay out)."""
    parsed = make_url(url)
    engine = create_async_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine.sync_engine, "connect", _configure_sqlite_connection)
    return engine


def _configure_sqlite_connection(
    dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry
) -> None:
    # SQLite leaves foreign keys off per connection; WAL lets readers run beside the one writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query (a readiness probe)."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
