"""The rate limiter's events as metrics and log lines.

Reports through `RateLimitMetrics`, which the service's metrics implement: adapters import
nothing from the entrypoints ring.
"""

from __future__ import annotations

import logging
from typing import Protocol

RATE_LIMIT_LOGGER = "connect_backend.rate_limits"

_log = logging.getLogger(RATE_LIMIT_LOGGER)


class Count(Protocol):
    """One counter series."""

    def inc(self) -> None: ...


class Counted(Protocol):
    """A counter by label values."""

    def labels(self, *values: str) -> Count: ...


class RateLimitMetrics(Protocol):
    """The two counters the rate limiter's events move."""

    @property
    def rate_limited(self) -> Counted:
        """Requests refused with 429, by limit."""
        ...

    @property
    def rate_limit_store_failures(self) -> Count:
        """Requests let through uncounted because the rate-limit store failed."""
        ...


class MeteredRateLimitEvents:
    """Counts every refusal and uncounted request; logs a refusal once per window and subject."""

    def __init__(self, metrics: RateLimitMetrics) -> None:
        self._metrics = metrics

    def refused(self, limit: str, *, first_in_window: bool) -> None:
        self._metrics.rate_limited.labels(limit).inc()
        if first_in_window:
            # Once per window and subject, so that a flood does not flood the log as well.
            _log.warning("rate limit reached", extra={"limit": limit})

    def uncounted(self, error: ConnectionError) -> None:
        # /readyz reports the store, and the metric says how many requests went uncounted.
        self._metrics.rate_limit_store_failures.inc()
        _log.error("rate limit store unavailable, request not counted: %s", error)
