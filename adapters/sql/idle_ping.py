"""Ping a pooled server connection only when it sat idle: SQLAlchemy's pessimistic-disconnect
recipe (a "checkout" listener raising `DisconnectionError`), instead of `pool_pre_ping`.

`pool_pre_ping` pings on every checkout: two extra round trips per login, ~40% of its database
CPU on PostgreSQL (bench/postgres_login.py). A connection that went back to the pool moments
ago was alive then; one idle for longer than `IDLE_PING_AFTER_S` (a server restart, a proxy's
idle cut) is pinged first, and a dead one is replaced before any statement meets it.
"""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry

# Under load a connection is back in use within milliseconds, so it is never pinged; after a
# pause longer than this it is.
IDLE_PING_AFTER_S = 1.0
_CHECKED_IN_AT = "connect_backend_checked_in_at"


def ping_when_idle(engine: Engine) -> None:
    """Install the listeners on `engine` (the sync engine of an asyncio engine)."""
    dialect = engine.dialect

    def checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(_CHECKED_IN_AT)
        if returned is None or time.monotonic() - returned <= IDLE_PING_AFTER_S:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool discards this connection and checks out another (SQLAlchemy's recipe).
            raise DisconnectionError("an idle pooled connection no longer answers") from exc

    event.listen(engine.pool, "checkin", checked_in)
    event.listen(engine.pool, "checkout", checked_out)
