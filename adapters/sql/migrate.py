"""Alembic, configured in code: bring a database to the newest schema, or tell if it is there."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

_MIGRATIONS = Path(__file__).parent / "migrations"


class MigrationBlocked(Exception):
    """A migration found data it must not decide about; nothing changed, the message says why.

    The message is one line naming what an operator has to resolve before migrating again.
    """


async def upgrade_to_head(engine: AsyncEngine) -> None:
    """Apply every migration the database lacks, in one transaction where the backend allows."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def is_current(engine: AsyncEngine) -> bool:
    """Whether the database is at the newest revision; an empty database is not."""
    async with engine.connect() as connection:
        applied = await connection.run_sync(_applied_revisions)
    return applied == set(ScriptDirectory.from_config(_config()).get_heads())


def _upgrade(connection: Connection) -> None:
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
