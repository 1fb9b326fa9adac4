"""Alembic, configured in code: bring a database to the newest schema, or tell if it is there."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from adapters.sql.engine import Database, durable_transaction

_MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL advisory lock key of `migrate`: any fixed 64-bit number no other client uses.
MIGRATION_LOCK_KEY = 0x636F6E6E6563745F  # "connect_"


class MigrationBlocked(Exception):
    """A migration found data it must not decide about; nothing changed, the message says why.

    The message is one line naming what an operator has to resolve before migrating again.
    """


async def upgrade_to_head(engine: Database) -> None:
    """Apply every migration the database lacks, in one transaction where the backend allows.

    On PostgreSQL concurrent runs are serialised by an advisory lock.
    """
    async with durable_transaction(engine) as connection:
        await connection.run_sync(_upgrade)


async def is_current(engine: Database) -> bool:
    """Whether the database is at the newest revision; an empty database is not."""
    async with engine.connect() as connection:
        applied = await connection.run_sync(_applied_revisions)
    return applied == set(ScriptDirectory.from_config(_config()).get_heads())


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Two `migrate` runs at once would both read the old revision and both apply the next
        # one: the second waits here instead, until the first commits, and then finds nothing
        # to do. Held until this transaction ends. (SQLite has one writer anyway.)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    config = _config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _applied_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def _config() -> Config:
    config = Config()
    # ConfigParser would read a "%" in the path as interpolation.
    config.set_main_option("script_location", str(_MIGRATIONS).replace("%", "%%"))
    return config
