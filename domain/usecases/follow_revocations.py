from collections.abc import Sequence
from dataclasses import dataclass

from domain.model import Revocation
from domain.policy import SessionPolicy
from domain.ports import Clock, RevocationLog, RevokedSessions


@dataclass(frozen=True, slots=True)
class LogPosition:
    """How far a reader has followed the revocation log.

    Every entry up to `cursor` has been applied. The log's cursors are handed out when a
    transaction inserts and become visible when it commits, so on PostgreSQL a later cursor can
    be seen before an earlier one: a gap right above `cursor` may still fill. Until it does, or
    until it has been open for the reader's wait (a rolled-back insert never fills it), the
    position stays below it: `gap_since` is when it was first seen, and `applied_above` the
    cursors beyond it that were applied already.
    """

    cursor: int
    gap_since: int | None = None
    applied_above: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Followed:
    """Where a round of following left the reader, and how many sessions it newly denied."""

    position: LogPosition
    denied: int


@dataclass(frozen=True, slots=True)
class FollowRevocations:
    """Follow the revocation log into a deny-list, so that a revocation made by any process
    (another worker, another instance, the CLI) reaches this one.

    Each entry's session is denied until now plus the revocation TTL: every access token its
    session issued before the revocation expires by then. Entries are read by pages of
    `page_size`; a gap in the cursors is waited for during `gap_wait_s` (see `LogPosition`).
    """

    revocation_log: RevocationLog
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy
    page_size: int
    gap_wait_s: int

    async def execute(self, position: LogPosition | None = None) -> Followed:
        """Apply every entry after `position` (None: from the first entry whose session's
        access tokens may still be live, which is how a process starts) and return the new
        position."""
        now = self.clock.now()
        ttl = self.policy.revocation_ttl_s
        if position is None:
            position = LogPosition(await self.revocation_log.cursor_before(now - ttl))
        entries = await self._entries_after(position.cursor)
        new = [entry.session_id for entry in entries if entry.cursor not in position.applied_above]
        if new:
            await self.revoked.add_many(new, now + ttl)
        return Followed(self._advance(position, entries, now), len(new))

    async def _entries_after(self, cursor: int) -> list[Revocation]:
        entries: list[Revocation] = []
        while True:
            page = await self.revocation_log.revocations_after(cursor, self.page_size)
            entries.extend(page)
            if len(page) < self.page_size:
                return entries
            cursor = page[-1].cursor

    def _advance(
        self, position: LogPosition, entries: Sequence[Revocation], now: int
    ) -> LogPosition:
        cursor, gap_since = position.cursor, position.gap_since
        for entry in entries:
            if entry.cursor > cursor + 1:
                if gap_since is None:
                    gap_since = now
                if now - gap_since < self.gap_wait_s:
                    above = frozenset(seen.cursor for seen in entries if seen.cursor > cursor)
                    return LogPosition(cursor, gap_since, above)
            cursor, gap_since = entry.cursor, None
        return LogPosition(cursor)
