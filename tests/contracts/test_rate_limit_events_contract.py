"""The RateLimitEvents port: refusals and uncounted requests are taken without error; the metered
adapter counts every one and logs a flood once."""

import logging

import pytest

from adapters.observability.prometheus_metrics import PrometheusMetrics as Metrics
from adapters.rate_limit_events import RATE_LIMIT_LOGGER, MeteredRateLimitEvents
from domain.ports import RateLimitEvents
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents


@pytest.fixture(params=["fake", "metered"])
def events(request: pytest.FixtureRequest) -> RateLimitEvents:
    return FakeRateLimitEvents() if request.param == "fake" else MeteredRateLimitEvents(Metrics())


def test_every_event_is_taken(events: RateLimitEvents) -> None:
    events.refused("login", first_in_window=True)
    events.refused("login", first_in_window=False)
    events.uncounted(ConnectionError("down"))


def test_the_metered_events_count_every_refusal_and_log_the_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    events = MeteredRateLimitEvents(metrics)
    with caplog.at_level(logging.INFO, logger=RATE_LIMIT_LOGGER):
        events.refused("login", first_in_window=True)
        events.refused("login", first_in_window=False)
        events.uncounted(ConnectionError("Redis could not count"))
    assert (
        metrics.registry.get_sample_value(
            "connect_backend_rate_limited_requests_total", {"limit": "login"}
        )
        == 2
    )
    assert metrics.registry.get_sample_value("connect_backend_rate_limit_store_failures_total") == 1
    refused, failed = [r for r in caplog.records if r.name == RATE_LIMIT_LOGGER]
    assert (refused.levelno, refused.getMessage(), vars(refused)["limit"]) == (
        logging.WARNING,
        "rate limit reached",
        "login",
    )
    assert (failed.levelno, failed.getMessage()) == (
        logging.ERROR,
        "rate limit store unavailable, request not counted: Redis could not count",
    )
