"""Alembic environment: online only, on the connection `adapters.sql.migrate` hands over."""

from alembic import context
from sqlalchemy import Connection

from adapters.sql.tables import metadata


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode() or not isinstance(_connection, Connection):
    raise RuntimeError("migrations run only through adapters.sql.migrate, on a live connection")
_run_migrations(_connection)
