"""`connect-backend serve` with two worker processes on PostgreSQL and Redis.

Each request goes out on a fresh connection, so the kernel spreads them over both workers: a
deny-list kept in one process's memory would let about half of them through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.servers import free_port
from tests.support.services import base_environment, run_command, running_service

PASSWORD = "correct horse battery"
ATTEMPTS = 24
HEALTHZ_COUNTED = re.compile(
    r'^connect_backend_http_requests_total\{method="GET",route="/healthz",status="200"\} (\S+)$',
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve-workers")


@pytest.fixture(scope="module")
def two_workers(workdir: Path, postgres_url: str, redis_url: str) -> Iterator[str]:
    keys = workdir / "keys.pem"
    env = base_environment()
    keys.write_text(run_command(["keys", "generate"], env, workdir), encoding="ascii")
    env.update(
        PORT=str(free_port()),
        WORKERS="2",
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        SESSION_SIGNING_KEYS=str(keys),
        SESSION_ISSUER="https://auth.example.com",
        SESSION_AUDIENCE="example-app",
        CORBADO_PROJECT_ID="pro-1",
        CORBADO_API_SECRET="corbado1_unused",
        ALLOW_REGISTRATION="true",
        REFRESH_REUSE_GRACE_S="0",
        RATE_LIMIT_LOGIN_PER_MINUTE="10000",
        RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE="10000",
        RATE_LIMIT_REGISTER_PER_MINUTE="10000",
        RATE_LIMIT_REFRESH_PER_MINUTE="10000",
    )
    metrics = workdir / "metrics"
    metrics.mkdir()
    # A file a crashed earlier run left behind: its counts must not join this run's.
    (metrics / "counter_1.db").write_bytes(b"stale")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
    run_command(["migrate"], env, workdir)
    with running_service(["serve"], env, workdir) as base_url:
        yield base_url


def post(base_url: str, path: str, body: dict[str, Any], token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with httpx.Client(base_url=base_url, timeout=10) as fresh_connection:
        return fresh_connection.post(path, json=body, headers=headers)


def me_status(base_url: str, token: str) -> int:
    with httpx.Client(base_url=base_url, timeout=10) as fresh_connection:
        return fresh_connection.get(
            "/auth/me", headers={"Authorization": f"Bearer {token}"}
        ).status_code


def login(base_url: str, email: str) -> dict[str, Any]:
    response = post(base_url, "/auth/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def register(base_url: str, email: str) -> None:
    body = {"email": email, "password": PASSWORD, "displayName": "Worker Test"}
    assert post(base_url, "/auth/register", body).status_code == 201


def test_a_logout_in_one_worker_is_honoured_by_every_worker(two_workers: str) -> None:
    register(two_workers, "logout@example.com")
    tokens = login(two_workers, "logout@example.com")
    assert all(me_status(two_workers, tokens["accessToken"]) == 200 for _ in range(ATTEMPTS))
    assert post(two_workers, "/auth/logout", {}, tokens["accessToken"]).status_code == 204
    statuses = [me_status(two_workers, tokens["accessToken"]) for _ in range(ATTEMPTS)]
    assert statuses == [401] * ATTEMPTS


def healthz_requests_counted(base_url: str) -> int:
    with httpx.Client(base_url=base_url, timeout=10) as fresh_connection:
        response = fresh_connection.get("/metrics")
    assert response.status_code == 200
    counted = HEALTHZ_COUNTED.search(response.text)
    return int(float(counted.group(1))) if counted else 0


def test_every_scrape_reports_the_requests_of_both_workers(two_workers: str) -> None:
    before = healthz_requests_counted(two_workers)
    for _ in range(ATTEMPTS):
        with httpx.Client(base_url=two_workers, timeout=10) as fresh_connection:
            assert fresh_connection.get("/healthz").status_code == 200
    # Each scrape on a fresh connection: the kernel hands them to either worker.
    seen = [healthz_requests_counted(two_workers) - before for _ in range(ATTEMPTS)]
    assert seen == [ATTEMPTS] * ATTEMPTS


def test_both_workers_answer_and_count_in_the_shared_directory(
    two_workers: str, workdir: Path
) -> None:
    for _ in range(ATTEMPTS):
        assert healthz_requests_counted(two_workers) >= 0
    counters = sorted(path.name for path in (workdir / "metrics").glob("counter_*.db"))
    # One file per worker process that counted a request; the stale one is gone.
    assert len(counters) == 2, counters
    assert "counter_1.db" not in counters


def test_two_racing_refreshes_of_one_token_give_exactly_one_pair(two_workers: str) -> None:
    register(two_workers, "race@example.com")
    for _ in range(5):
        refresh_token = login(two_workers, "race@example.com")["refreshToken"]
        body = {"refreshToken": refresh_token}
        with ThreadPoolExecutor(max_workers=2) as pool:
            racing = [pool.submit(post, two_workers, "/auth/refresh", body) for _ in range(2)]
            answers = [future.result() for future in racing]
        assert sorted(answer.status_code for answer in answers) == [200, 401]
        refused = next(answer for answer in answers if answer.status_code == 401)
        assert refused.json()["error"] == "refresh_token_reused"


def test_several_workers_without_redis_are_refused(tmp_path: Path, postgres_url: str) -> None:
    env = base_environment(WORKERS="2", DATABASE_URL=postgres_url)
    keys = tmp_path / "keys.pem"
    keys.write_text(run_command(["keys", "generate"], env, tmp_path), encoding="ascii")
    env.update(
        SESSION_SIGNING_KEYS=str(keys),
        SESSION_ISSUER="https://auth.example.com",
        SESSION_AUDIENCE="example-app",
        CORBADO_PROJECT_ID="pro-1",
        CORBADO_API_SECRET="corbado1_unused",
    )
    with pytest.raises(pytest.fail.Exception, match="WORKERS"):
        run_command(["serve"], env, tmp_path)
