"""The purge `serve` runs now and then in each worker, as an asyncio task: logged, never fatal.

When it runs is `domain.purge_schedule`'s rule; here are the rounds' logs and the task.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Awaitable, Callable

from domain.purge_schedule import PurgeSchedule
from domain.usecases.purge_expired import Purged
from entrypoints.background import Wait, start_task, wait_or_stop

PURGE_LOGGER = "connect_backend.purge"

_log = logging.getLogger(PURGE_LOGGER)

__all__ = ["PURGE_LOGGER", "PeriodicPurge", "start_periodic_purge", "wait_or_stop"]


class PeriodicPurge:
    """Runs `purge` on its schedule (about every `interval_s` seconds) until told to stop."""

    def __init__(
        self,
        purge: Callable[[], Awaitable[Purged]],
        interval_s: float,
        *,
        draw: Callable[[float, float], float] = random.uniform,
        wait: Wait = wait_or_stop,
    ) -> None:
        self.schedule = PurgeSchedule(interval_s, draw)
        self._purge = purge
        self._wait = wait

    async def run_round(self) -> Purged | None:
        """One purge; a failure is logged and swallowed, so that the next round still comes."""
        try:
            purged = await self._purge()
        except Exception:
            _log.exception("purge_failed")
            return None
        _log.info(
            "purged",
            extra={
                "expired_sessions": purged.expired_sessions,
                "revoked_sessions": purged.revoked_sessions,
                "idle_sessions": purged.idle_sessions,
                "revocations": purged.revocations,
                "connect_tokens": purged.connect_tokens,
            },
        )
        return purged

    async def run(self, stop: asyncio.Event) -> None:
        """Wait, purge, and again, until `stop` is set."""
        await self.schedule.run(self.run_round, functools.partial(self._wait, stop))


def start_periodic_purge(periodic: PeriodicPurge | None) -> Callable[[], Awaitable[None]]:
    """Start `periodic` as a task (if there is one); returns what stops it at shutdown.

    Stopping sets the event and cancels a round in flight: each batch is its own transaction,
    so a cancelled one leaves nothing half done, and the next start purges the rest.
    """
    if periodic is None:

        async def nothing_to_stop() -> None:
            return None

        return nothing_to_stop
    return start_task(periodic.run, "periodic-purge")
