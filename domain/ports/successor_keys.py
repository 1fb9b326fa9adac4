from typing import Protocol


class SuccessorKeys(Protocol):
    """Server keys that derive a refresh token's successor from the token itself.

    Derivation is deterministic: one key and one token always give the same secret, so every
    retry of a refresh, and every tab sharing a token, converges on one successor; and the
    hashes in the database alone cannot produce a token.
    """

    def current_key_id(self) -> str:
        """The key new successors are derived with."""
        ...

    def derive(self, key_id: str, text: str) -> str | None:
        """A 43-character base64url secret derived from `text` with the key `key_id`, or None
        when that key is no longer configured."""
        ...
