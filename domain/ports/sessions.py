from typing import Protocol

from domain.model import ChainRecord, Session
from domain.refresh_chain import RefreshChain


class Sessions(Protocol):
    """The session store, with each session's refresh chain (hashes only, constant in size).

    Each method that changes state is atomic on its own, so two workers racing over one refresh
    token cannot both advance its chain.
    """

    async def create(self, session: Session, chain_id_hash: str, chain: RefreshChain) -> bool:
        """Store a new session with its refresh chain, found later by `chain_id_hash`.

        Returns False, storing nothing, when its user is gone or being deleted at
        `session.created_at`: a login racing an account deletion must not leave a session the
        deletion never saw.
        """
        ...

    async def get(self, session_id: str) -> Session | None:
        """The session with this id, revoked or not."""
        ...

    async def find_chain(self, chain_id_hash: str) -> ChainRecord | None:
        """The session whose refresh chain has this id hash, with its chain."""
        ...

    async def find_legacy(self, token_hash: str) -> ChainRecord | None:
        """The session whose last refresh token from before chains (migration 0006) hashes to
        `token_hash`, with its chain (adopted or not)."""
        ...

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        """Move the session's chain from `from_generation` to `chain`, and mark the session used
        at `chain.advanced_at`; `chain_id_hash` is stored too (an adopted chain gets it here).

        Returns False, changing nothing, when the chain is no longer at `from_generation`
        (another caller advanced it first) or the session is revoked.
        """
        ...

    async def list_for_user(self, user_id: str) -> list[Session]:
        """Every session of `user_id` that was not revoked (it may still be idle or expired)."""
        ...

    async def revoke(self, session_id: str, now: int) -> bool:
        """End a session and append it to the `RevocationLog`, in one transaction.

        Returns False, changing nothing, for an unknown or already revoked session.
        """
        ...
