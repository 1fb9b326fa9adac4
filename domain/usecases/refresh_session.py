from dataclasses import dataclass
from typing import NoReturn

from domain.credentials import refresh_token_hash
from domain.errors import InvalidRefreshToken, RefreshTokenReused
from domain.model import ChainRecord, TokenPair, deletion_pending
from domain.policy import SessionPolicy
from domain.ports import AccessTokens, AuditLog, Clock, Sessions, SuccessorKeys
from domain.ports.audit import AuditAction, AuditEvent
from domain.refresh_chain import (
    CHAIN_ID_LENGTH,
    LEGACY_GENERATION,
    ChainToken,
    LegacyToken,
    Presented,
    RefreshChain,
    chain_token,
    classify,
    read_refresh_token,
)
from domain.session_rules import is_alive, token_pair
from domain.usecases.end_session import EndSession

# Context for deriving the chain id an adopted pre-chain session gets (decision 0007).
_ADOPTED_CHAIN_ID = "chain id of "


@dataclass(frozen=True, slots=True)
class RefreshSession:
    """Trade a session's current refresh token for its successor; reuse ends the session.

    Each session has one chain of refresh tokens (decision 0007). The current token advances it.
    The token just rotated away, presented again within `refresh_reuse_grace_s` while its
    successor has never been presented, earns that same successor, so a lost answer or tabs
    refreshing at once converge. Any other token of the chain is a replay: the session ends.
    """

    sessions: Sessions
    tokens: AccessTokens
    keys: SuccessorKeys
    end_session: EndSession
    clock: Clock
    policy: SessionPolicy
    audit: AuditLog

    async def execute(self, refresh_token: str) -> TokenPair:
        """Raises `InvalidRefreshToken`, or `RefreshTokenReused` after ending the session."""
        now = self.clock.now()
        presented = read_refresh_token(refresh_token)
        if presented is None:
            raise InvalidRefreshToken("refresh token is not valid")
        token_hash = refresh_token_hash(refresh_token)
        # Losing a race to advance the chain means another caller moved it by one: judged again,
        # this token is now the predecessor in the window and earns the winner's successor.
        for _ in range(2):
            record = await self._find(presented, token_hash)
            if (
                record is None
                or not is_alive(record.session, now, self.policy)
                or deletion_pending(record.account_deletion_pending_until, now)
            ):
                raise InvalidRefreshToken("refresh token is not valid")
            generation = (
                presented.generation if isinstance(presented, ChainToken) else LEGACY_GENERATION
            )
            verdict = classify(
                record.chain, generation, token_hash, now, self.policy.refresh_reuse_grace_s
            )
            if verdict is Presented.REUSED:
                await self._end_reused(record)
            successor = self._successor(presented, record.chain, verdict)
            if verdict is Presented.PREDECESSOR_IN_WINDOW:
                if refresh_token_hash(successor.text) != record.chain.current_hash:
                    raise InvalidRefreshToken("refresh token is not valid")
                # The pair of the advance, again: its access token ends no later than the one
                # issued then, so the idle timeout, counted from the advance, still covers it.
                issued_with_successor = record.chain.advanced_at + self.policy.access_token_ttl_s
                return token_pair(
                    self.tokens,
                    record.session,
                    successor.text,
                    now,
                    self.policy,
                    not_after=issued_with_successor,
                )
            advanced = RefreshChain(
                generation=successor.generation,
                current_hash=refresh_token_hash(successor.text),
                previous_hash=token_hash,
                advanced_at=now,
                key_id=self.keys.current_key_id(),
            )
            if await self.sessions.advance(
                record.session.id,
                record.chain.generation,
                refresh_token_hash(successor.chain_id),
                advanced,
            ):
                return token_pair(self.tokens, record.session, successor.text, now, self.policy)
        raise InvalidRefreshToken("refresh token is not valid")

    async def _find(
        self, presented: ChainToken | LegacyToken, token_hash: str
    ) -> ChainRecord | None:
        if isinstance(presented, ChainToken):
            return await self.sessions.find_chain(refresh_token_hash(presented.chain_id))
        return await self.sessions.find_legacy(token_hash)

    def _successor(
        self, presented: ChainToken | LegacyToken, chain: RefreshChain, verdict: Presented
    ) -> ChainToken:
        """The token that follows `presented`: derived from it with the chain's key when it is
        honoured again in the window, with the current key when it advances the chain."""
        key_id = (
            chain.key_id
            if verdict is Presented.PREDECESSOR_IN_WINDOW and chain.key_id is not None
            else self.keys.current_key_id()
        )
        secret = self.keys.derive(key_id, presented.text)
        chain_id: str | None
        if isinstance(presented, ChainToken):
            chain_id, generation = presented.chain_id, presented.generation + 1
        else:
            derived_id = self.keys.derive(key_id, _ADOPTED_CHAIN_ID + presented.text)
            chain_id = None if derived_id is None else derived_id[:CHAIN_ID_LENGTH]
            generation = LEGACY_GENERATION + 1
        if secret is None or chain_id is None:
            # The key that derived the successor was removed within the window: it cannot be
            # given again, and a different one would fork the chain.
            raise InvalidRefreshToken("refresh token is not valid")
        return chain_token(chain_id, generation, secret)

    async def _end_reused(self, record: ChainRecord) -> NoReturn:
        session = record.session
        await self.audit.record(
            AuditEvent(
                AuditAction.REFRESH_TOKEN_REUSED, user_id=session.user_id, session_id=session.id
            )
        )
        await self.end_session.execute(
            session.id, user_id=session.user_id, reason="refresh_token_reused"
        )
        raise RefreshTokenReused("refresh token was already used; the session is revoked")
