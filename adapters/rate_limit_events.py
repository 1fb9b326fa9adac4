"""The rate limiter's events as metrics and log lines.

Reports through `RateLimitMetrics` (`adapters/observability/protocols.py`), which the service's
metrics implement.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from adapters.incident_log import IncidentLog
from adapters.observability.protocols import RateLimitMetrics

RATE_LIMIT_LOGGER = "connect_backend.rate_limits"

_log = logging.getLogger(RATE_LIMIT_LOGGER)

# A refusal is logged when it is the first of its subject in the window, and then at most once
# per limit in this long: the login throttle takes a refused attempt back, so each one is the
# first in its window again, and a flood of them must not flood the log.
REFUSAL_LOG_EVERY_S = 60.0


class MeteredRateLimitEvents:
    """Counts every refusal, every hit counted in memory and every uncounted request; logs a
    refusal at most once per limit and minute, and a failing counter store once per incident.

    The store's incidents: one ERROR line when it starts failing, one INFO line once it has
    answered again with no failure for a while (`IncidentLog`), whether requests meanwhile were
    counted in memory (`FallbackRateLimitCounters`) or let through uncounted.
    """

    def __init__(
        self, metrics: RateLimitMetrics, *, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._metrics = metrics
        self._timer = timer
        self._refusal_logged_at: dict[str, float] = {}
        self._store = IncidentLog(
            _log,
            failing="rate limit store failing",
            recovered="rate limit store answering again",
            timer=timer,
        )

    def refused(self, limit: str, *, first_in_window: bool) -> None:
        self._metrics.rate_limited.labels(limit).inc()
        if not first_in_window:
            return
        now = self._timer()
        logged_at = self._refusal_logged_at.get(limit)
        if logged_at is not None and now - logged_at < REFUSAL_LOG_EVERY_S:
            return
        self._refusal_logged_at[limit] = now
        _log.warning("rate limit reached", extra={"limit": limit})

    def uncounted(self, error: ConnectionError) -> None:
        # /readyz reports the store, and the metric says how many requests went uncounted.
        self._metrics.rate_limit_store_failures.inc()
        self._store.failed(error)

    def store_failed(self, error: ConnectionError) -> None:
        self._store.failed(error)

    def store_answered(self) -> None:
        self._store.answered()

    def counted_locally(self) -> None:
        self._metrics.rate_limit_local_counts.inc()
