from collections.abc import Sequence
from typing import Protocol


class RevokedSessions(Protocol):
    """A deny-list of ended sessions, consulted on every access-token check.

    An entry only has to outlive the last access token its session issued, so it expires.
    """

    async def add(self, session_id: str, until: int) -> None:
        """Deny every access token of `session_id` until `until` (Unix seconds)."""
        ...

    async def add_many(self, session_ids: Sequence[str], until: int) -> None:
        """Deny every access token of each of `session_ids` until `until`: what `add` does for
        each, in as few round trips as the store allows (the log's entries arrive by pages)."""
        ...

    async def contains(self, session_id: str, now: int) -> bool:
        """Whether `session_id` is denied at `now`."""
        ...
