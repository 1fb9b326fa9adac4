"""Every message exchange asyncpg has with PostgreSQL, counted where asyncpg starts it.

SQLAlchemy's `before_cursor_execute` sees statements only: not asyncpg's BEGIN, COMMIT and
ROLLBACK (a transaction's two extra round trips), nor a statement's first PREPARE on a
connection, nor the idle ping. Counting asyncpg's own calls sees each of them once: a
transaction's start and end and plain queries (`Connection.execute`), a ping (`fetchrow`), a
statement prepared (`Connection.prepare`, which SQLAlchemy then keeps per connection) and a
prepared statement run (its bind-and-execute).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from asyncpg.prepared_stmt import PreparedStatement  # type: ignore[import-untyped]

_CALLS: dict[type[Any], tuple[str, ...]] = {
    asyncpg.Connection: ("execute", "executemany", "fetch", "fetchrow", "fetchval", "prepare"),
    # fetch, fetchrow, fetchval and the cursor's first batch all bind and execute through it.
    PreparedStatement: ("_PreparedStatement__bind_execute", "executemany"),
}


@contextmanager
def counting_postgres_round_trips(
    counts: Counter[str], monkeypatch: pytest.MonkeyPatch, kind: str = "postgres"
) -> Iterator[None]:
    """Adds 1 to `counts[kind]` for each round trip asyncpg starts, until the block ends."""
    with monkeypatch.context() as patch:
        for cls, names in _CALLS.items():
            for name in names:
                patch.setattr(cls, name, _counted(getattr(cls, name), counts, kind))
        yield


def _counted(call: Callable[..., Any], counts: Counter[str], kind: str) -> Callable[..., Any]:
    async def counted(*args: Any, **kwargs: Any) -> Any:
        counts[kind] += 1
        return await call(*args, **kwargs)

    return counted
