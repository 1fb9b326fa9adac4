from domain.credentials import new_refresh_token, refresh_token_hash
from domain.errors import InvalidRefreshToken, RefreshTokenReused
from domain.model import TokenPair, deletion_pending
from domain.policy import SessionPolicy
from domain.ports import AccessTokens, AuditLog, Clock, Sessions
from domain.ports.audit import AuditAction, AuditEvent
from domain.sessions import is_alive, token_pair
from domain.usecases.end_session import EndSession


class RefreshSession:
    """Trade a refresh token for a new pair, rotating it; a late replay ends the session.

    A token rotated less than `refresh_reuse_grace_s` ago still earns one fresh pair of the same
    session (a lost answer, a second tab); after that, or a second time, its reuse is theft.
    """

    def __init__(
        self,
        sessions: Sessions,
        tokens: AccessTokens,
        end_session: EndSession,
        clock: Clock,
        policy: SessionPolicy,
        audit: AuditLog,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._end_session = end_session
        self._clock = clock
        self._policy = policy
        self._audit = audit

    async def execute(self, refresh_token: str) -> TokenPair:
        """Raises `InvalidRefreshToken`, or `RefreshTokenReused` after revoking the session."""
        now = self._clock.now()
        old_hash = refresh_token_hash(refresh_token)
        record = await self._sessions.find_refresh(old_hash)
        if (
            record is None
            or not is_alive(record.session, now, self._policy)
            or deletion_pending(record.account_deletion_pending_until, now)
        ):
            raise InvalidRefreshToken("refresh token is not valid")
        new_token = new_refresh_token()
        new_hash = refresh_token_hash(new_token)
        rotated_at = record.rotated_at
        if rotated_at is None:
            if await self._sessions.rotate(old_hash, new_hash, now):
                return token_pair(self._tokens, record.session, new_token, now, self._policy)
            rotated_at = await self._rotated_by_another(old_hash, now)
        within_grace = now - rotated_at < self._policy.refresh_reuse_grace_s
        if within_grace and await self._sessions.reissue(old_hash, new_hash, now):
            return token_pair(self._tokens, record.session, new_token, now, self._policy)
        session = record.session
        await self._audit.record(
            AuditEvent(
                AuditAction.REFRESH_TOKEN_REUSED, user_id=session.user_id, session_id=session.id
            )
        )
        await self._end_session.execute(
            session.id, user_id=session.user_id, reason="refresh_token_reused"
        )
        raise RefreshTokenReused("refresh token was already used; the session is revoked")

    async def _rotated_by_another(self, old_hash: str, now: int) -> int:
        """When a concurrent request won the rotation, judge this one by what it left behind."""
        record = await self._sessions.find_refresh(old_hash)
        if (
            record is None
            or record.rotated_at is None
            or not is_alive(record.session, now, self._policy)
        ):
            raise InvalidRefreshToken("refresh token is not valid")
        return record.rotated_at
