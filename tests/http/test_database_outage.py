"""A database outage is answered honestly (503, /readyz 503) and healed without a restart.

PostgreSQL is a server of this module's own, stopped and started again by the test; SQLite is a
real file that the test makes unusable and usable again. Nothing is mocked.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.http.conftest import PASSWORD, Api, dev_settings, error_of, running_app
from tests.support.servers import PostgresServer, postgres_server


@pytest.fixture(scope="module")
def stoppable_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of its own: the shared one must never go down under other tests."""
    with postgres_server() as server:
        yield server


def login(api: Api) -> Any:
    return api.client.post("/auth/login", json={"email": "jane@example.com", "password": PASSWORD})


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert error_of(response) == "service_unavailable"
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_postgres_outage_is_503_and_the_service_recovers_when_it_is_back(
    stoppable_postgres: PostgresServer, tmp_path: Path
) -> None:
    url = stoppable_postgres.create_database("outage")
    with running_app(dev_settings(tmp_path, database_url=url)) as api:
        api.register()
        refresh_token = api.login()["refreshToken"]

        stoppable_postgres.stop()
        try:
            assert_unavailable(login(api))
            assert_unavailable(
                api.client.post("/auth/refresh", json={"refreshToken": refresh_token})
            )
            body = {"email": "john@example.com", "password": PASSWORD, "displayName": "John"}
            assert_unavailable(api.client.post("/auth/register", json=body))
            ready = api.client.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["error"] == "not_ready"
        finally:
            stoppable_postgres.start()

        assert api.client.get("/readyz").status_code == 200
        assert login(api).status_code == 200
        refreshed = api.client.post("/auth/refresh", json={"refreshToken": refresh_token})
        assert refreshed.status_code == 200, refreshed.text


def test_an_unusable_sqlite_file_is_503_and_the_service_recovers_when_it_is_back(
    tmp_path: Path,
) -> None:
    settings = dev_settings(tmp_path)
    database = Path(str(settings.database_url.database))
    with running_app(settings) as api:
        api.register()
        # The one pooled connection holds the file open; a new one must open it again.
        api.client.blocking_portal.call(api.container.engine().dispose)
        moved = database.rename(database.with_suffix(".away"))
        database.mkdir()  # where the file was, now something SQLite cannot open
        try:
            assert_unavailable(login(api))
            assert api.client.get("/readyz").status_code == 503
        finally:
            database.rmdir()
            moved.rename(database)

        assert api.client.get("/readyz").status_code == 200
        assert login(api).status_code == 200
