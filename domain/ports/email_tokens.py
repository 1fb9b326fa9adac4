from typing import Protocol

from domain.email_links import EmailPurpose


class EmailTokens(Protocol):
    """The tokens of mailed links (hashes only): at most one per account and purpose, each used
    once, gone with their account."""

    async def issue(
        self,
        user_id: str,
        purpose: EmailPurpose,
        token_hash: str,
        now: int,
        expires_at: int,
        *,
        unless_issued_since: int,
    ) -> bool:
        """Keep a new token, replacing the account's earlier one of `purpose`.

        Returns False, keeping nothing, when that earlier one was issued at or after
        `unless_issued_since` (a retry of the same request), or the account is gone or being
        deleted at `now`.
        """
        ...

    async def holder(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        """The id of the account whose token of `purpose` this is, if it is live at `now`
        (not used, not expired); it stays live."""
        ...

    async def use(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        """Use up a live token of `purpose`: the id of its account, or None when it was not
        live (of two callers racing with one token, one gets the id)."""
        ...

    async def recover(self, token_hash: str, password_hash: str, now: int) -> str | None:
        """Use up a live recovery token and replace its account's password hash, in one
        transaction: the account's id, or None (nothing changed) when it was not live."""
        ...
