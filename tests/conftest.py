"""Session-wide fixtures: a real PostgreSQL and a real Redis, each started on first use only."""

from collections.abc import Iterator

import pytest

from tests.support.servers import postgres_server, redis_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh database on a throwaway PostgreSQL 15, as a superuser `postgresql+asyncpg://` URL."""
    with postgres_server() as server:
        yield server.create_database("connect_backend_test")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Database 0 of a throwaway redis-server, as a `redis://` URL."""
    with redis_server() as server:
        yield server.url
