"""The challenges the emulator's ceremonies wait on, each good for one answer.

A challenge is good for one answer within `CHALLENGE_LIFETIME_S`: it is used up when an answer
naming it arrives, whether that answer then verifies or not, so a replayed answer finds nothing.
At most `MAX_PENDING` challenges wait at once; the oldest are dropped first.
"""

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from corbado_emulator.relying_party import refused

CHALLENGE_LIFETIME_S = 300
MAX_PENDING = 10_000


class Ceremony(enum.StrEnum):
    """What a challenge was issued for."""

    APPEND = "append"
    LOGIN = "login"


@dataclass(frozen=True, slots=True)
class PendingChallenge:
    """A challenge issued and not yet answered."""

    ceremony: Ceremony
    expires: int
    # Append: the user and identifier the passkey is for. Login: the identifier's user, or
    # None for a discoverable login, where the passkey itself names its user.
    user_id: str | None
    identifier_value: str | None


class Challenges:
    """The pending challenges, the oldest first, shared by both ceremonies."""

    def __init__(self, clock: Callable[[], int]) -> None:
        self._clock = clock
        self._pending: dict[bytes, PendingChallenge] = {}  # by challenge, the oldest first

    def remember(
        self,
        challenge: bytes,
        ceremony: Ceremony,
        user_id: str | None,
        identifier_value: str | None,
    ) -> None:
        """Wait for an answer to `challenge`; drop the expired ones and the oldest over
        `MAX_PENDING`."""
        now = self._clock()
        while self._pending:
            oldest_challenge, oldest = next(iter(self._pending.items()))
            if oldest.expires > now and len(self._pending) < MAX_PENDING:
                break
            del self._pending[oldest_challenge]
        self._pending[_key(challenge)] = PendingChallenge(
            ceremony, now + CHALLENGE_LIFETIME_S, user_id, identifier_value
        )

    def take(self, challenge: bytes, ceremony: Ceremony) -> PendingChallenge:
        """The pending challenge, used up now; refused if unknown, used, expired or of the
        other ceremony."""
        pending = self._pending.pop(_key(challenge), None)
        if pending is None or pending.ceremony is not ceremony:
            raise refused("the challenge is unknown, used or of another ceremony")
        if self._clock() >= pending.expires:
            raise refused("the challenge has expired")
        return pending


def _key(challenge: bytes) -> bytes:
    # Challenges are 64 random bytes; a digest keeps the key short and fixed.
    return hashlib.sha256(challenge).digest()
