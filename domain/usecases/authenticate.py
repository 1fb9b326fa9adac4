from dataclasses import dataclass

from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import Principal
from domain.policy import SessionPolicy
from domain.ports import AccessTokens, Clock, RevokedSessions


@dataclass(frozen=True, slots=True)
class Authenticate:
    """Turn a Bearer access token into the caller, or refuse it.

    The adapter vouches for signature, header, issuer, audience and claim types; this use case
    owns the time rules (with `clock_leeway_s`) and the session deny-list.
    """

    tokens: AccessTokens
    revoked: RevokedSessions
    clock: Clock
    policy: SessionPolicy

    async def execute(self, access_token: str) -> Principal:
        """The caller; raises `InvalidAccessToken` for every reason a token can be refused."""
        grant = self.tokens.decode(access_token)
        now = self.clock.now()
        leeway = self.policy.clock_leeway_s
        if grant.expires_at <= now - leeway:
            raise InvalidAccessToken("access token expired", reason=AccessTokenRefusal.EXPIRED)
        if grant.issued_at > now + leeway:
            raise InvalidAccessToken(
                "access token issued in the future", reason=AccessTokenRefusal.NOT_YET_VALID
            )
        if grant.expires_at - grant.issued_at > self.policy.access_token_ttl_s:
            raise InvalidAccessToken(
                "access token lives longer than we issue",
                reason=AccessTokenRefusal.LIFETIME_TOO_LONG,
            )
        if grant.auth_time > grant.issued_at:
            raise InvalidAccessToken(
                "authentication after issuance", reason=AccessTokenRefusal.BAD_AUTH_TIME
            )
        if await self.revoked.contains(grant.session_id, now):
            raise InvalidAccessToken("session has ended", reason=AccessTokenRefusal.SESSION_ENDED)
        return Principal(
            user_id=grant.subject,
            session_id=grant.session_id,
            auth_time=grant.auth_time,
            amr=grant.amr,
        )
