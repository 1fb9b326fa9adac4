"""A failing dependency in the log: one line when it starts failing and one when it is back,
however many requests meet the failure in between."""

from __future__ import annotations

import logging
from collections.abc import Callable

# A dependency is back once it answers and nothing has failed for this long. Under overload a
# pool alternates between refusals and answers many times a second: that is one incident, not
# one per refusal.
SETTLE_S = 10.0


class IncidentLog:
    """Logs the incidents of one dependency: an ERROR line as it starts failing, an INFO line
    once it answers again. A failure after `settle_s` without any starts a new incident, even
    when `answered` was never called in between.

    For one event loop (one worker process): no locking.
    """

    def __init__(
        self,
        logger: logging.Logger,
        *,
        failing: str,
        recovered: str,
        timer: Callable[[], float],
        settle_s: float = SETTLE_S,
    ) -> None:
        self._logger = logger
        self._failing = failing
        self._recovered = recovered
        self._timer = timer
        self._settle_s = settle_s
        self._started_at: float | None = None
        self._last_failure_at = 0.0
        self._failures = 0

    @property
    def failing(self) -> bool:
        """Whether an incident is open: something failed, and nothing has said it is over."""
        return self._started_at is not None

    def failed(self, error: BaseException) -> None:
        """A call to the dependency failed with `error`; logged if it opens an incident."""
        now = self._timer()
        if self._started_at is None or now - self._last_failure_at >= self._settle_s:
            self._started_at, self._failures = now, 0
            self._logger.error("%s: %s", self._failing, error)
        self._last_failure_at = now
        self._failures += 1

    def answered(self) -> None:
        """A call to the dependency succeeded; the incident ends if nothing failed lately."""
        if self._started_at is None:
            return
        now = self._timer()
        if now - self._last_failure_at < self._settle_s:
            return
        self._logger.info(
            "%s after %.0f s (%d failed calls)",
            self._recovered,
            now - self._started_at,
            self._failures,
            extra={"failed_calls": self._failures},
        )
        self._started_at = None
