"""One refresh-token chain per session: the tokens' shape, and how a presented one is judged.

A refresh token is `<chain id>.<generation>.<secret>`. The chain id is random, fixed for the
session's life and known only to whoever held one of its tokens, so a token naming a chain can be
judged against that chain's state even long after it was rotated away. Generation 0's secret is
random; every later one is derived from its predecessor with a server key, so the same
predecessor always yields the same successor (retries and tabs converge on one token) and the
database alone cannot produce one. The store keeps, per session, the hashes of the current token
and of its predecessor, and when the chain last moved: constant storage, whatever the number of
refreshes (decision 0007).
"""

import enum
import hmac
import re
import secrets
from dataclasses import dataclass

# A session that started before chains (migration 0006) presents its last opaque token, which the
# chain adopts as its generation 0.
LEGACY_GENERATION = 0
CHAIN_ID_LENGTH = 22  # 16 random bytes, unpadded base64url
SECRET_LENGTH = 43  # 32 bytes, unpadded base64url
# Far more refreshes than a session can make in its lifetime; it keeps the number's text short.
MAX_GENERATION = 10**12
_BASE64URL = r"[A-Za-z0-9_-]"
_CHAIN_TOKEN = re.compile(
    rf"({_BASE64URL}{{{CHAIN_ID_LENGTH}}})\.(0|[1-9][0-9]{{0,12}})\.({_BASE64URL}{{{SECRET_LENGTH}}})"
)
_LEGACY_TOKEN = re.compile(rf"{_BASE64URL}{{{SECRET_LENGTH}}}")


@dataclass(frozen=True, slots=True)
class ChainToken:
    """A presented refresh token of a chain: which chain, and which generation it claims."""

    chain_id: str
    generation: int
    text: str


@dataclass(frozen=True, slots=True)
class LegacyToken:
    """A presented opaque refresh token from before chains existed."""

    text: str


def read_refresh_token(text: str) -> ChainToken | LegacyToken | None:
    """What a presented refresh token claims to be, by its shape alone; None for neither."""
    if match := _CHAIN_TOKEN.fullmatch(text):
        generation = int(match[2])
        if generation <= MAX_GENERATION:
            return ChainToken(match[1], generation, text)
        return None
    if _LEGACY_TOKEN.fullmatch(text):
        return LegacyToken(text)
    return None


def first_token() -> ChainToken:
    """Generation 0 of a new chain: a random chain id and a random secret."""
    chain_id = secrets.token_urlsafe(16)
    return ChainToken(chain_id, 0, f"{chain_id}.0.{secrets.token_urlsafe(32)}")


def chain_token(chain_id: str, generation: int, secret: str) -> ChainToken:
    """The token of `chain_id` at `generation` with `secret`."""
    return ChainToken(chain_id, generation, f"{chain_id}.{generation}.{secret}")


@dataclass(frozen=True, slots=True)
class RefreshChain:
    """What the store keeps of a session's refresh tokens: hashes only.

    `previous_hash` is the predecessor of the current token (None for a chain still at its
    first token); `advanced_at` is when the current token was issued, which opens the window in
    which that predecessor is still honoured; `key_id` names the server key that derived the
    current token from its predecessor (None for a random first token).
    """

    generation: int
    current_hash: str
    previous_hash: str | None
    advanced_at: int
    key_id: str | None


class Presented(enum.Enum):
    """How a token naming a live chain relates to it."""

    CURRENT = "current"
    """The chain's newest token: it advances the chain."""
    PREDECESSOR_IN_WINDOW = "predecessor_in_window"
    """The token just rotated away, again within the grace window while its successor has never
    been presented (presenting it would have advanced the chain): it earns that same successor."""
    REUSED = "reused"
    """Anything else: only a holder of one of the chain's tokens can name the chain, so this is a
    replay of an older token (or a tampered one), and the session ends."""


def classify(
    chain: RefreshChain, generation: int, token_hash: str, now: int, grace_s: int
) -> Presented:
    """Judge a token of `chain` claiming `generation` and hashing to `token_hash`."""
    if generation == chain.generation and hmac.compare_digest(token_hash, chain.current_hash):
        return Presented.CURRENT
    if (
        generation == chain.generation - 1
        and chain.previous_hash is not None
        and hmac.compare_digest(token_hash, chain.previous_hash)
        and now - chain.advanced_at < grace_s
    ):
        return Presented.PREDECESSOR_IN_WINDOW
    return Presented.REUSED
