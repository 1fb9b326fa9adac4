from dataclasses import dataclass

from domain.credentials import new_id, refresh_token_hash
from domain.errors import AccountClosed
from domain.model import Session, SessionOrigin, TokenPair
from domain.policy import SessionPolicy
from domain.ports import AccessTokens, AuditLog, Clock, Sessions
from domain.ports.audit import AuditAction, AuditEvent
from domain.refresh_chain import RefreshChain, first_token
from domain.session_rules import clean_user_agent, token_pair


@dataclass(frozen=True, slots=True)
class StartSession:
    """Open a session for a user who just proved who they are, and hand out its first tokens."""

    sessions: Sessions
    tokens: AccessTokens
    clock: Clock
    policy: SessionPolicy
    audit: AuditLog

    async def execute(
        self, user_id: str, amr: tuple[str, ...], origin: SessionOrigin | None = None
    ) -> TokenPair:
        """`amr` records how the user authenticated (RFC 8176 values); `origin` from where.

        Raises `AccountClosed` when the account is being deleted or is gone by now.
        """
        origin = origin or SessionOrigin()
        now = self.clock.now()
        session = Session(
            id=new_id(),
            user_id=user_id,
            auth_time=now,
            amr=amr,
            created_at=now,
            last_used_at=now,
            expires_at=now + self.policy.session_lifetime_s,
            user_agent=clean_user_agent(origin.user_agent),
            credential_id=origin.credential_id,
            corbado_user_id=origin.corbado_user_id,
        )
        refresh_token = first_token()
        chain = RefreshChain(
            generation=refresh_token.generation,
            current_hash=refresh_token_hash(refresh_token.text),
            previous_hash=None,
            advanced_at=now,
            key_id=None,
        )
        if not await self.sessions.create(
            session, refresh_token_hash(refresh_token.chain_id), chain
        ):
            raise AccountClosed("the account is being deleted")
        await self.audit.record(
            AuditEvent(
                AuditAction.LOGIN_SUCCEEDED,
                user_id=user_id,
                session_id=session.id,
                method=session.method,
            )
        )
        return token_pair(self.tokens, session, refresh_token.text, now, self.policy)
