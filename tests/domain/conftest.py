"""Every use case wired to hand-written fakes, as one `World` per test."""

from dataclasses import dataclass

import pytest

from domain.model import IdentifierKind
from domain.policy import SessionPolicy
from domain.usecases.authenticate import Authenticate
from domain.usecases.create_user import CreateUser
from domain.usecases.end_session import EndSession
from domain.usecases.password_login import PasswordLogin
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.restore_revocations import RestoreRevocations
from domain.usecases.start_session import StartSession
from domain.usecases.who_am_i import WhoAmI
from tests.fakes.fake_access_tokens import FakeAccessTokens
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_password_hasher import FakePasswordHasher
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.fakes.fake_sessions import FakeSessions
from tests.fakes.fake_users import FakeUsers

POLICY = SessionPolicy(
    access_token_ttl_s=900,
    session_lifetime_s=86_400,
    session_idle_timeout_s=3_600,
    refresh_reuse_grace_s=30,
    clock_leeway_s=30,
)
PASSWORD = "correct horse battery"


@dataclass
class World:
    clock: FakeClock
    users: FakeUsers
    sessions: FakeSessions
    revoked: FakeRevokedSessions
    tokens: FakeAccessTokens
    hasher: FakePasswordHasher
    policy: SessionPolicy
    audit: FakeAuditLog
    create_user: CreateUser
    start_session: StartSession
    password_login: PasswordLogin
    end_session: EndSession
    refresh: RefreshSession
    authenticate: Authenticate
    who_am_i: WhoAmI
    restore_revocations: RestoreRevocations
    identifier_kind: IdentifierKind = IdentifierKind.EMAIL

    def register(self, *, open_to_public: bool) -> Register:
        return Register(self.create_user, open_to_public=open_to_public)


def build_world(policy: SessionPolicy = POLICY) -> World:
    clock, users, sessions = FakeClock(), FakeUsers(), FakeSessions()
    revoked, tokens, hasher = FakeRevokedSessions(), FakeAccessTokens(), FakePasswordHasher()
    audit = FakeAuditLog()
    start_session = StartSession(sessions, tokens, clock, policy, audit)
    end_session = EndSession(sessions, revoked, clock, policy, audit)
    return World(
        clock=clock,
        users=users,
        sessions=sessions,
        revoked=revoked,
        tokens=tokens,
        hasher=hasher,
        policy=policy,
        audit=audit,
        create_user=CreateUser(users, hasher, clock, audit),
        start_session=start_session,
        password_login=PasswordLogin(users, hasher, start_session, audit),
        end_session=end_session,
        refresh=RefreshSession(sessions, tokens, end_session, clock, policy, audit),
        authenticate=Authenticate(tokens, revoked, clock, policy),
        who_am_i=WhoAmI(users),
        restore_revocations=RestoreRevocations(sessions, revoked, clock, policy),
    )


@pytest.fixture
def world() -> World:
    return build_world()
