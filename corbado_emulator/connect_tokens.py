"""The connect tokens the emulator issued, kept by id until they expire.

How long Corbado keeps a connect token after it expires is unpublished. The emulator forgets it
at expiry: from then on `DELETE /v2/connectTokens/{id}` answers 404 `not_found`, exactly as for
an id it never issued. It also keeps at most `MAX_KEPT` tokens, dropping the oldest first, so a
long-running `dev` server under load cannot grow without bound.

The ceremony endpoints take a token by its `secret`, as Corbado's components present it, and
only of the type the operation needs (`redeem`). A token is single-use: redeeming it turns it
`consumed`, after which no operation takes it; ConnectTokenDelete still removes it (200) until
it expires.
"""

import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace

from corbado_emulator.ids import random_id, random_text
from domain.model import ConnectTokenType

MAX_KEPT = 10_000


class ConnectTokenStatus(enum.StrEnum):
    """The spec's `connectTokenStatus`."""

    INITIAL = "initial"
    CONSUMED = "consumed"


@dataclass(frozen=True, slots=True)
class ConnectToken:
    """A connect token as `POST /v2/connectTokens` answers it (`connectToken` schema)."""

    token_id: str
    token_type: ConnectTokenType
    data: dict[str, str]
    status: ConnectTokenStatus
    secret: str
    expires: int

    def to_json(self) -> dict[str, object]:
        """The spec's `connectToken` body."""
        return {
            "id": self.token_id,
            "tokenType": self.token_type.value,
            "data": self.data,
            "connectTokenStatus": self.status.value,
            "secret": self.secret,
            "expires": self.expires,
        }


class ConnectTokens:
    """Issued connect tokens by id; expired ones count as gone."""

    def __init__(self, clock: Callable[[], int], max_kept: int = MAX_KEPT) -> None:
        self._clock = clock
        self._max_kept = max_kept
        self._by_id: dict[str, ConnectToken] = {}  # in issue order: the oldest first
        # By the secret's digest: a dictionary probe on the secret itself would leak its
        # prefix through timing.
        self._by_secret: dict[bytes, str] = {}

    def issue(
        self, token_type: ConnectTokenType, data: dict[str, str], lifetime_s: int
    ) -> ConnectToken:
        """A new `initial` token, valid for `lifetime_s` seconds from now."""
        now = self._clock()
        token = ConnectToken(
            token_id=random_id("ctk"),
            token_type=token_type,
            data=data,
            status=ConnectTokenStatus.INITIAL,
            secret=f"ctk1_{random_text(30)}",
            expires=now + lifetime_s,
        )
        self._forget_old(now)
        self._by_id[token.token_id] = token
        self._by_secret[_digest(token.secret)] = token.token_id
        return token

    def delete(self, token_id: str) -> bool:
        """Remove a live token; False if it was never issued, already deleted or has expired."""
        token = self._by_id.pop(token_id, None)
        if token is not None:
            del self._by_secret[_digest(token.secret)]
        return token is not None and self._clock() < token.expires

    def redeem(self, secret: str, token_type: ConnectTokenType) -> ConnectToken | None:
        """The live, unused token of `token_type` with this secret, now consumed; else None."""
        token = self._by_id.get(self._by_secret.get(_digest(secret), ""))
        if (
            token is None
            or token.token_type is not token_type
            or token.status is not ConnectTokenStatus.INITIAL
            or self._clock() >= token.expires
        ):
            return None
        self._by_id[token.token_id] = replace(token, status=ConnectTokenStatus.CONSUMED)
        return token

    def __len__(self) -> int:
        """How many tokens are kept, expired ones not yet forgotten included."""
        return len(self._by_id)

    def _forget_old(self, now: int) -> None:
        # Only from the front: a long-lived old token delays forgetting newer expired ones, but
        # the count bound holds regardless.
        while self._by_id:
            oldest = next(iter(self._by_id.values()))
            if oldest.expires > now and len(self._by_id) < self._max_kept:
                return
            del self._by_id[oldest.token_id]
            del self._by_secret[_digest(oldest.secret)]


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()
