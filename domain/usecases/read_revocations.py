import hmac
from dataclasses import dataclass, field

from domain.errors import FeedAccessDenied
from domain.policy import SessionPolicy
from domain.ports import RevocationLog

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class RevokedSessionEntry:
    """A revoked session and the instant after which no access token of it can be valid."""

    session_id: str
    revoked_at: int
    deny_until: int


@dataclass(frozen=True, slots=True)
class RevocationPage:
    """One page of the feed and the cursor to ask for the next one."""

    entries: tuple[RevokedSessionEntry, ...]
    next_cursor: int


@dataclass(frozen=True, slots=True)
class ReadRevocations:
    """The revocation feed that lets APIs verifying our tokens locally honour logouts."""

    revocation_log: RevocationLog
    policy: SessionPolicy
    feed_secret: str | None = field(repr=False)

    async def execute(
        self, presented_secret: str, cursor: int, limit: int = MAX_PAGE
    ) -> RevocationPage:
        """Entries after `cursor`; the next cursor equals `cursor` when nothing is new.

        Raises `FeedAccessDenied` unless `presented_secret` is the configured feed secret.
        """
        if not self.feed_secret or not hmac.compare_digest(
            presented_secret.encode("utf-8", "surrogatepass"), self.feed_secret.encode()
        ):
            raise FeedAccessDenied("the revocation feed needs its secret")
        found = await self.revocation_log.revocations_after(
            max(cursor, 0), min(max(limit, 1), MAX_PAGE)
        )
        ttl = self.policy.revocation_ttl_s
        entries = tuple(
            RevokedSessionEntry(entry.session_id, entry.revoked_at, entry.revoked_at + ttl)
            for entry in found
        )
        next_cursor = found[-1].cursor if found else cursor
        return RevocationPage(entries=entries, next_cursor=next_cursor)
