"""Readiness: every dependency the service needs to answer requests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

logger = logging.getLogger("connect_backend.readiness")

Check = Callable[[], Awaitable[None]]


class Readiness:
    """Runs named checks; a check fails by raising."""

    def __init__(self, checks: Sequence[tuple[str, Check]]) -> None:
        self._checks = checks

    async def check(self) -> bool:
        """True when every check passed; failures are logged by name, never raised."""
        ready = True
        for name, check in self._checks:
            try:
                await check()
            except Exception:
                logger.warning("readiness check %s failed", name, exc_info=True)
                ready = False
        return ready
