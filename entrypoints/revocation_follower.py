"""The revocation log's follower that `serve` runs in each worker, as an asyncio task.

At start-up, before the first request, it reads the log's live entries into the process's
deny-list; then, every `FOLLOW_INTERVAL_S`, what was appended since (`FollowRevocations`), so a
revocation made by any other process reaches this one within a few seconds, with or without
Redis. After each round it lets a shared deny-list heal (Redis back, or back empty: refilled
from the log). A round that fails is logged once per incident, never fatal.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from domain.usecases.follow_revocations import Followed, LogPosition
from entrypoints.background import Wait, wait_or_stop

FOLLOWER_LOGGER = "connect_backend.revocation_log"
# A revocation by another process reaches this one within this interval (plus one round).
FOLLOW_INTERVAL_S = 2.0

_log = logging.getLogger(FOLLOWER_LOGGER)

Follow = Callable[[LogPosition | None], Awaitable[Followed]]
Heal = Callable[[], Awaitable[None]]


class RevocationFollower:
    """Runs `follow` from where it left off, then `heal` (when there is a shared deny-list),
    every `interval_s`, until told to stop."""

    def __init__(
        self,
        follow: Follow,
        heal: Heal | None = None,
        *,
        interval_s: float = FOLLOW_INTERVAL_S,
        wait: Wait = wait_or_stop,
    ) -> None:
        self.position: LogPosition | None = None
        self._follow = follow
        self._heal = heal
        self._interval_s = interval_s
        self._wait = wait
        self._failing = False

    async def catch_up(self) -> int:
        """The start-up round: every live revocation into the deny-list; how many. An error
        propagates, since a process that cannot read the log must not serve."""
        followed = await self._round()
        _log.info(
            "%d live revocations read from the revocation log",
            followed.denied,
            extra={"revocations": followed.denied, "cursor": followed.position.cursor},
        )
        return followed.denied

    async def run_round(self) -> bool:
        """One round; whether it succeeded. A failure is logged when it starts an incident, and
        the end of the incident when a round succeeds again."""
        try:
            await self._round()
        except Exception:
            if not self._failing:
                self._failing = True
                _log.exception("revocation log unreadable: retrying every round")
            return False
        if self._failing:
            self._failing = False
            _log.warning("revocation log readable again")
        return True

    async def run(self, stop: asyncio.Event) -> None:
        """Wait, run a round, and again, until `stop` is set."""
        while not await self._wait(stop, self._interval_s):
            await self.run_round()

    async def _round(self) -> Followed:
        followed = await self._follow(self.position)
        self.position = followed.position
        if self._heal is not None:
            await self._heal()
        return followed
