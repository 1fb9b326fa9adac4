"""Pure rules about sessions: liveness, the tokens a live session earns, how recent a login a
sensitive action needs, and the user agent a session keeps.

The session store is the port `domain/ports/sessions.py`; these are the rules the use cases
apply to what it holds."""

import unicodedata

from domain.credentials import new_token_id
from domain.errors import ReauthenticationRequired
from domain.model import AccessGrant, Principal, Session, TokenPair
from domain.policy import SessionPolicy
from domain.ports import AccessTokens


def is_alive(session: Session, now: int, policy: SessionPolicy) -> bool:
    """Not revoked, not past its absolute lifetime and not idle for too long."""
    return (
        session.revoked_at is None
        and now < session.expires_at
        and now - session.last_used_at < policy.session_idle_timeout_s
    )


def grant_for(
    session: Session, now: int, policy: SessionPolicy, not_after: int | None = None
) -> AccessGrant:
    """The claims of a new access token for `session`, valid from `now` and never past
    `not_after`, when given.

    It never outlives its session: an ended-by-age session has no live access token left for
    "log out everywhere" or account deletion to miss.
    """
    expires_at = min(now + policy.access_token_ttl_s, session.expires_at)
    return AccessGrant(
        subject=session.user_id,
        session_id=session.id,
        token_id=new_token_id(),
        issued_at=now,
        expires_at=expires_at if not_after is None else min(expires_at, not_after),
        auth_time=session.auth_time,
        amr=session.amr,
    )


def token_pair(
    tokens: AccessTokens,
    session: Session,
    refresh_token: str,
    now: int,
    policy: SessionPolicy,
    not_after: int | None = None,
) -> TokenPair:
    """A signed access token for `session` beside the refresh token the client will keep."""
    grant = grant_for(session, now, policy, not_after)
    return TokenPair(
        access_token=tokens.issue(grant),
        refresh_token=refresh_token,
        expires_in=grant.expires_at - now,
        session_expires_in=session.expires_at - now,
    )


def require_recent_authentication(principal: Principal, now: int, policy: SessionPolicy) -> None:
    """Refuse a sensitive action unless the caller logged in within the allowed age."""
    if now - principal.auth_time > policy.sensitive_action_max_age_s:
        raise ReauthenticationRequired("log in again to do this")


MAX_USER_AGENT_LENGTH = 256


def clean_user_agent(raw: str | None) -> str | None:
    """A user agent fit to show back to its user: printable and bounded, or None."""
    if raw is None:
        return None
    printable = "".join(ch for ch in raw if unicodedata.category(ch)[0] != "C").strip()
    return printable[:MAX_USER_AGENT_LENGTH] or None
