"""The RevokedSessions port of a process that shares Redis: its own complete copy, plus Redis.

The database's revocation log is the truth. Each process follows it into its own copy (an
`InMemoryRevokedSessions` fed by `FollowRevocations` every few seconds, and by this process's
own revocations at once); Redis is the copy every process shares, through which a revocation
reaches every other process at once rather than within seconds.

A session is denied when either copy denies it, so Redis never has to be trusted alone: a
Redis that is away, or came back empty, can make a revocation late by at most the follower's
interval, never undo one. While it is away it is not asked at all (no request waits on a dead
server), and no error reaches a caller. `heal`, which the follower calls after each round,
brings it back: once Redis answers, the log's live revocations are copied into it (what it may
have missed), its completeness marker set, and it is used again. The same happens when a
lookup finds the marker gone (Redis restarted empty or was flushed). Each of these incidents is
logged once, not once per request.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable, Sequence

from adapters.redis_revocations import RedisRevokedSessions, RevocationStoreUnavailable
from domain.ports import RevokedSessions

REVOCATIONS_LOGGER = "connect_backend.revocations"

_log = logging.getLogger(REVOCATIONS_LOGGER)


class RedisState(enum.Enum):
    """What this process knows of Redis."""

    UNCHECKED = "unchecked"  # just started: asked, and its marker checked by the first `heal`
    IN_USE = "in_use"  # holds every live revocation
    INCOMPLETE = "incomplete"  # answers, but lost entries: asked, and refilled by `heal`
    AWAY = "away"  # failed: not asked until `heal` finds it answering and refills it


class ReplicatedRevokedSessions:
    """Denies what this process's copy or Redis denies; Redis only when it can answer.

    `refill` copies the revocation log's live entries into `shared` and returns how many
    (`RestoreRevocations` on `shared`).
    """

    def __init__(
        self,
        local: RevokedSessions,
        shared: RedisRevokedSessions,
        refill: Callable[[], Awaitable[int]],
    ) -> None:
        self._local = local
        self._shared = shared
        self._refill = refill
        self._state = RedisState.UNCHECKED

    @property
    def state(self) -> RedisState:
        """What this process knows of Redis now."""
        return self._state

    async def add(self, session_id: str, until: int) -> None:
        await self.add_many([session_id], until)

    async def add_many(self, session_ids: Sequence[str], until: int) -> None:
        await self._local.add_many(session_ids, until)
        if self._state is RedisState.AWAY:
            return
        try:
            await self._shared.add_many(session_ids, until)
        except RevocationStoreUnavailable as error:
            self._went_away(error)

    async def contains(self, session_id: str, now: int) -> bool:
        if await self._local.contains(session_id, now):
            return True
        if self._state is RedisState.AWAY:
            return False
        try:
            lookup = await self._shared.lookup(session_id, now)
        except RevocationStoreUnavailable as error:
            self._went_away(error)
            return False
        if not lookup.complete and self._state is RedisState.IN_USE:
            self._state = RedisState.INCOMPLETE
            _log.warning(
                "Redis lost the deny-list (restarted empty or flushed): refilling it from the "
                "revocation log; meanwhile this process's copy answers with it"
            )
        return lookup.denied

    async def heal(self) -> None:
        """Bring Redis back to holding every live revocation, if it does not (or is not known
        to); a no-op while it does. Errors of the revocation log propagate; Redis's do not."""
        if self._state is RedisState.IN_USE:
            return
        before = self._state
        try:
            complete = await self._shared.is_complete()
            if before is RedisState.UNCHECKED and complete:
                self._state = RedisState.IN_USE
                return
            # In use again before the copy starts, so that revocations made meanwhile reach it.
            self._state = RedisState.INCOMPLETE
            refilled = await self._refill()
            await self._shared.mark_complete()
        except RevocationStoreUnavailable as error:
            self._went_away(error)
            return
        if self._state is not RedisState.INCOMPLETE:
            return  # it failed during the copy: the next round copies again
        self._state = RedisState.IN_USE
        # A first fill (a new Redis) is routine; a refill ends an incident.
        _log.log(
            logging.INFO if before is RedisState.UNCHECKED else logging.WARNING,
            "Redis deny-list holds every live revocation again: %d copied from the log",
            refilled,
            extra={"revocations": refilled, "after": before.value},
        )

    def _went_away(self, error: RevocationStoreUnavailable) -> None:
        if self._state is RedisState.AWAY:
            return
        self._state = RedisState.AWAY
        _log.error(
            "Redis deny-list unavailable (%s): answering from this process's copy of the "
            "revocation log until it is back",
            error.__cause__ or error,
        )
