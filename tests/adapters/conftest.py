"""One database per test, SQLite or PostgreSQL (`database_url`), for the race tests."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.servers import postgres_schema


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'race.sqlite3'}"


@pytest.fixture
async def postgres_database_url(postgres_url: str) -> AsyncIterator[str]:
    async with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_database_url"
    url: str = request.getfixturevalue(fixture)
    return url
