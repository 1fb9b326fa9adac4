"""The RateLimitEvents port: refusals and uncounted requests are taken without error; the metered
adapter counts every one, logs a flood once, and a failing counter store once per incident."""

import logging

import pytest

from adapters.observability.metrics import PrometheusMetrics as Metrics
from adapters.rate_limit_events import (
    RATE_LIMIT_LOGGER,
    REFUSAL_LOG_EVERY_S,
    MeteredRateLimitEvents,
)
from domain.ports import RateLimitEvents
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents


class Timer:
    """Monotonic seconds that move only when the test moves them."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["fake", "metered"])
def events(request: pytest.FixtureRequest) -> RateLimitEvents:
    return FakeRateLimitEvents() if request.param == "fake" else MeteredRateLimitEvents(Metrics())


def test_every_event_is_taken(events: RateLimitEvents) -> None:
    events.refused("login", first_in_window=True)
    events.refused("login", first_in_window=False)
    events.uncounted(ConnectionError("down"))


def rate_limit_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == RATE_LIMIT_LOGGER]


def test_the_metered_events_count_every_refusal_and_log_the_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = Metrics()
    events = MeteredRateLimitEvents(metrics)
    with caplog.at_level(logging.INFO, logger=RATE_LIMIT_LOGGER):
        events.refused("login", first_in_window=True)
        events.refused("login", first_in_window=False)
    assert (
        metrics.registry.get_sample_value(
            "connect_backend_rate_limited_requests_total", {"limit": "login"}
        )
        == 2
    )
    [refused] = [r for r in caplog.records if r.name == RATE_LIMIT_LOGGER]
    assert (refused.levelno, refused.getMessage(), vars(refused)["limit"]) == (
        logging.WARNING,
        "rate limit reached",
        "login",
    )


def test_a_flood_of_first_refusals_is_logged_once_per_limit_and_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The login throttle takes refused attempts back: every one is the first in its window.
    metrics, timer = Metrics(), Timer()
    events = MeteredRateLimitEvents(metrics, timer=timer)
    with caplog.at_level(logging.INFO, logger=RATE_LIMIT_LOGGER):
        for _ in range(1000):
            events.refused("login-account", first_in_window=True)
            timer.now += 0.01
        events.refused("login", first_in_window=True)
        timer.now = REFUSAL_LOG_EVERY_S - 0.001
        events.refused("login-account", first_in_window=True)
        timer.now = REFUSAL_LOG_EVERY_S
        events.refused("login-account", first_in_window=False)
        events.refused("login-account", first_in_window=True)
    assert [(r.getMessage(), vars(r)["limit"]) for r in caplog.records] == [
        ("rate limit reached", "login-account"),
        ("rate limit reached", "login"),
        ("rate limit reached", "login-account"),
    ]
    assert (
        metrics.registry.get_sample_value(
            "connect_backend_rate_limited_requests_total", {"limit": "login-account"}
        )
        == 1003
    )


def test_uncounted_requests_are_each_counted_and_logged_once_per_incident(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics, timer = Metrics(), Timer()
    events = MeteredRateLimitEvents(metrics, timer=timer)
    with caplog.at_level(logging.INFO, logger=RATE_LIMIT_LOGGER):
        for _ in range(500):
            events.uncounted(ConnectionError("Redis could not count"))
    assert metrics.registry.get_sample_value("connect_backend_rate_limit_store_failures_total") == (
        500
    )
    assert rate_limit_lines(caplog) == [
        (logging.ERROR, "rate limit store failing: Redis could not count")
    ]


def test_a_store_falling_back_to_memory_is_logged_as_it_fails_and_as_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics, timer = Metrics(), Timer()
    events = MeteredRateLimitEvents(metrics, timer=timer)
    with caplog.at_level(logging.INFO, logger=RATE_LIMIT_LOGGER):
        events.store_answered()
        for _ in range(3):
            events.store_failed(ConnectionError("Redis could not count: MaxConnectionsError"))
            for _ in range(100):
                events.counted_locally()
            timer.now += 1
            events.store_answered()  # one probe got through; the incident is not over
        timer.now += 30
        events.store_answered()
    assert metrics.registry.get_sample_value("connect_backend_rate_limit_local_counts_total") == 300
    assert rate_limit_lines(caplog) == [
        (logging.ERROR, "rate limit store failing: Redis could not count: MaxConnectionsError"),
        (logging.INFO, "rate limit store answering again after 33 s (3 failed calls)"),
    ]
    assert all(r.exc_info is None for r in caplog.records)
