"""Pure rules about sessions: liveness and the tokens a live session earns."""

from domain.credentials import new_token_id
from domain.model import AccessGrant, Session, TokenPair
from domain.policy import SessionPolicy
from domain.ports import AccessTokens


def is_alive(session: Session, now: int, policy: SessionPolicy) -> bool:
    """Not revoked, not past its absolute lifetime and not idle for too long."""
    return (
        session.revoked_at is None
        and now < session.expires_at
        and now - session.last_used_at < policy.session_idle_timeout_s
    )


def grant_for(session: Session, now: int, policy: SessionPolicy) -> AccessGrant:
    """The claims of a new access token for `session`, valid from `now`."""
    return AccessGrant(
        subject=session.user_id,
        session_id=session.id,
        token_id=new_token_id(),
        issued_at=now,
        expires_at=now + policy.access_token_ttl_s,
        auth_time=session.auth_time,
        amr=session.amr,
    )


def token_pair(
    tokens: AccessTokens, session: Session, refresh_token: str, now: int, policy: SessionPolicy
) -> TokenPair:
    """A signed access token for `session` beside the refresh token the client will keep."""
    return TokenPair(
        access_token=tokens.issue(grant_for(session, now, policy)),
        refresh_token=refresh_token,
        expires_in=policy.access_token_ttl_s,
    )
