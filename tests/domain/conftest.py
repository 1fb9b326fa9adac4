"""Every use case wired to hand-written fakes, as one `World` per test."""

from dataclasses import dataclass

import pytest

from domain.model import IdentifierKind, User
from domain.policy import SessionPolicy
from domain.usecases.authenticate import Authenticate
from domain.usecases.create_user import CreateUser
from domain.usecases.delete_account_everywhere import DeleteAccountEverywhere
from domain.usecases.end_session import EndSession
from domain.usecases.password_login import PasswordLogin
from domain.usecases.refresh_session import RefreshSession
from domain.usecases.register import Register
from domain.usecases.restore_revocations import RestoreRevocations
from domain.usecases.start_session import StartSession
from domain.usecases.who_am_i import WhoAmI
from tests.fakes.fake_access_tokens import FakeAccessTokens
from tests.fakes.fake_account_erasure import FakeAccountErasure
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.fakes.fake_issued_connect_tokens import FakeIssuedConnectTokens
from tests.fakes.fake_password_hasher import FakePasswordHasher
from tests.fakes.fake_revocation_log import FakeRevocationLog
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions
from tests.fakes.fake_sessions import FakeSessions
from tests.fakes.fake_successor_keys import FakeSuccessorKeys
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
    revocation_log: FakeRevocationLog
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
    corbado: FakeCorbadoConnect
    issued_tokens: FakeIssuedConnectTokens
    delete_account_everywhere: DeleteAccountEverywhere
    keys: FakeSuccessorKeys
    identifier_kind: IdentifierKind = IdentifierKind.EMAIL

    def register(self, *, open_to_public: bool) -> Register:
        return Register(self.create_user, open_to_public=open_to_public)


# Users that tests open sessions for directly: a session needs an existing account, as the
# SQL store's foreign key demands.
SEEDED_USER_IDS = ("user-1", "user-2")


def build_world(policy: SessionPolicy = POLICY) -> World:
    clock, users = FakeClock(), FakeUsers()
    for user_id in SEEDED_USER_IDS:
        users.seed(User(user_id, f"{user_id}@seeded.example", user_id, None, clock.now()))
    sessions = FakeSessions(users)
    revocation_log = FakeRevocationLog(sessions)
    issued_tokens = FakeIssuedConnectTokens(users)
    revoked, tokens, hasher = FakeRevokedSessions(), FakeAccessTokens(), FakePasswordHasher()
    audit, corbado = FakeAuditLog(), FakeCorbadoConnect()
    keys = FakeSuccessorKeys()
    start_session = StartSession(sessions, tokens, clock, policy, audit)
    end_session = EndSession(sessions, revoked, clock, policy, audit)
    who_am_i = WhoAmI(users)
    delete_account_everywhere = DeleteAccountEverywhere(
        users,
        sessions,
        issued_tokens,
        corbado,
        FakeAccountErasure(users, sessions, issued_tokens),
        revoked,
        clock,
        policy,
        audit,
        IdentifierKind.EMAIL,
    )
    return World(
        corbado=corbado,
        issued_tokens=issued_tokens,
        delete_account_everywhere=delete_account_everywhere,
        clock=clock,
        users=users,
        sessions=sessions,
        revocation_log=revocation_log,
        revoked=revoked,
        tokens=tokens,
        hasher=hasher,
        policy=policy,
        audit=audit,
        create_user=CreateUser(users, hasher, clock, audit),
        start_session=start_session,
        password_login=PasswordLogin(users, hasher, start_session, audit, clock),
        end_session=end_session,
        refresh=RefreshSession(sessions, tokens, keys, end_session, clock, policy, audit),
        keys=keys,
        authenticate=Authenticate(tokens, revoked, clock, policy),
        who_am_i=who_am_i,
        restore_revocations=RestoreRevocations(revocation_log, revoked, clock, policy),
    )


@pytest.fixture
def world() -> World:
    return build_world()
