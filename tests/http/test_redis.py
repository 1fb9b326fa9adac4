"""With REDIS_URL: rate limits shared by every instance, Redis in /readyz, and counted in each
process while Redis cannot be reached."""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.fallback_rate_limits import FallbackRateLimitCounters
from entrypoints.configuration.settings import RateLimitSettings
from tests.http.conftest import Api, dev_settings, running_app
from tests.support.servers import free_port

WINDOW = 60
LIMITS = RateLimitSettings(refresh_per_ip=3)


def unique_window(*apis: Api) -> None:
    """Move every app to one window no other test uses, as they all share one Redis."""
    start = 2_000_000_000 + uuid.uuid4().int % 10**8 * WINDOW
    for api in apis:
        api.clock.set(start)


def refresh(api: Api) -> int:
    return api.client.post("/auth/refresh", json={"refreshToken": "unknown"}).status_code


@pytest.fixture
def two_instances(tmp_path: Path, redis_url: str) -> Iterator[tuple[Api, Api]]:
    settings = dev_settings(tmp_path, redis_url=redis_url, rate_limits=LIMITS)
    with running_app(settings) as first, running_app(settings) as second:
        unique_window(first, second)
        yield first, second


def test_instances_share_their_limits_through_redis(two_instances: tuple[Api, Api]) -> None:
    first, second = two_instances
    assert isinstance(first.container.rate_limit_counters(), FallbackRateLimitCounters)
    assert [refresh(first), refresh(second), refresh(first)] == [401, 401, 401]
    assert refresh(second) == 429
    first.clock.advance(WINDOW)
    assert refresh(first) == 401


def test_readyz_pings_redis(two_instances: tuple[Api, Api]) -> None:
    assert two_instances[0].client.get("/readyz").status_code == 200


@pytest.fixture
def redis_down(tmp_path: Path) -> Iterator[Api]:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with running_app(dev_settings(tmp_path, redis_url=url, rate_limits=LIMITS)) as running:
        yield running


def test_without_redis_the_service_is_not_ready(redis_down: Api) -> None:
    response = redis_down.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["error"] == "not_ready"


def test_without_redis_limits_are_counted_in_the_process(redis_down: Api) -> None:
    assert [refresh(redis_down) for _ in range(5)] == [401, 401, 401, 429, 429]
    metrics = redis_down.client.get("/metrics").text
    assert "connect_backend_rate_limit_local_counts_total 5.0" in metrics
    assert "connect_backend_rate_limit_store_failures_total 0.0" in metrics


def test_without_redis_access_tokens_are_checked_against_this_process_copy(
    redis_down: Api,
) -> None:
    redis_down.register()
    ended, live = redis_down.login()["accessToken"], redis_down.login()["accessToken"]
    assert (
        redis_down.client.post("/auth/logout", headers=redis_down.bearer(ended)).status_code == 204
    )

    statuses = [
        redis_down.client.get("/auth/me", headers=redis_down.bearer(token)).status_code
        for token in (ended, live)
    ]

    assert statuses == [401, 200]
