"""The audit trail: each security-relevant action leaves one event saying who, which session,
how and why (`domain/ports/audit.py`; operators read it as docs/operations.md describes)."""

import pytest

from domain.errors import (
    AccountClosed,
    InvalidCredentials,
    PasskeyLoginFailed,
    RefreshTokenReused,
)
from domain.model import (
    PASSKEY_AMR,
    PASSWORD_AMR,
    PasskeyAssertion,
    SessionOrigin,
    VerificationResult,
)
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.end_own_session import EndOwnSession
from domain.usecases.forget_passkey import ForgetPasskey
from domain.usecases.list_sessions import ListSessions
from tests.domain.conftest import PASSWORD, World
from tests.fakes.fake_passkey_data_reader import FakePasskeyDataReader

EMAIL = "jane@example.com"
PROJECT = "pro-123"
# A seeded user (conftest) has no password: one who only ever used passkeys.
PASSKEY_ONLY_USER = "user-1"
LEEWAY = 30


def failed_login(reason: str, user_id: str | None = None, method: str = "password") -> AuditEvent:
    return AuditEvent(AuditAction.LOGIN_FAILED, user_id=user_id, method=method, reason=reason)


def session_ended(user_id: str, session_id: str, reason: str) -> AuditEvent:
    return AuditEvent(
        AuditAction.SESSION_ENDED, user_id=user_id, session_id=session_id, reason=reason
    )


async def test_registration_names_the_new_user(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    assert world.audit.events == [AuditEvent(AuditAction.USER_REGISTERED, user_id=user.id)]


# Password logins ------------------------------------------------------------------------------


async def test_a_password_login_names_user_session_and_method(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    pair = await world.password_login.execute(EMAIL, PASSWORD)
    principal = await world.authenticate.execute(pair.access_token)
    assert world.audit.events[-1] == AuditEvent(
        AuditAction.LOGIN_SUCCEEDED,
        user_id=user.id,
        session_id=principal.session_id,
        method="password",
    )


@pytest.mark.parametrize("email", ["nobody@example.com", "not an email"])
async def test_an_unknown_email_is_audited_without_a_user(world: World, email: str) -> None:
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(email, PASSWORD)
    assert world.audit.events == [failed_login("unknown_email")]


async def test_a_wrong_password_names_the_user(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(EMAIL, "not the password")
    assert world.audit.events[-1] == failed_login("wrong_password", user.id)


async def test_a_password_for_an_account_without_one_says_so(world: World) -> None:
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(f"{PASSKEY_ONLY_USER}@seeded.example", PASSWORD)
    assert world.audit.events == [failed_login("no_password", PASSKEY_ONLY_USER)]


async def test_a_password_login_to_an_account_being_deleted_names_the_user(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(EMAIL, PASSWORD)
    assert world.audit.events[-1] == failed_login("account_being_deleted", user.id)


# Passkey logins -------------------------------------------------------------------------------


class Passkeys:
    """CompleteLogin over the world's audit log, with data the test makes up."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.reader = FakePasskeyDataReader()
        self.complete = CompleteLogin(
            self.reader,
            world.corbado,
            world.users,
            world.start_session,
            world.clock,
            world.audit,
            project_id=PROJECT,
            identifier_kind=world.identifier_kind,
            clock_leeway_s=LEEWAY,
        )

    def data(self, email: str = EMAIL, *, issuer: str = PROJECT, expires_in: int = 300) -> str:
        token = f"spd-{email}-{issuer}-{expires_in}"
        expires_at = self.world.clock.now() + expires_in
        self.reader.remember(token, PasskeyAssertion(email, issuer, expires_at, "cre-1", "usr-1"))
        return token

    async def refused(self, data: str) -> AuditEvent:
        with pytest.raises(PasskeyLoginFailed):
            await self.complete.execute(data)
        return self.world.audit.events[-1]


@pytest.fixture
def passkeys(world: World) -> Passkeys:
    return Passkeys(world)


async def test_a_passkey_login_names_user_session_and_method(
    world: World, passkeys: Passkeys
) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    world.corbado.answer_next_verification(VerificationResult.SUCCESS)
    pair = await passkeys.complete.execute(passkeys.data())
    principal = await world.authenticate.execute(pair.access_token)
    assert principal.amr == PASSKEY_AMR
    assert world.audit.events[-1] == AuditEvent(
        AuditAction.LOGIN_SUCCEEDED,
        user_id=user.id,
        session_id=principal.session_id,
        method="passkey",
    )


async def test_passkey_data_that_is_not_a_jwt(passkeys: Passkeys) -> None:
    assert await passkeys.refused("garbage") == failed_login("not_a_jwt", method="passkey")


async def test_passkey_data_of_another_project(passkeys: Passkeys) -> None:
    refusal = await passkeys.refused(passkeys.data(issuer="pro-999"))
    assert refusal == failed_login("other_project", method="passkey")


async def test_expired_passkey_data(passkeys: Passkeys) -> None:
    refusal = await passkeys.refused(passkeys.data(expires_in=-LEEWAY))
    assert refusal == failed_login("expired", method="passkey")


@pytest.mark.parametrize(
    "result", [r for r in VerificationResult if r is not VerificationResult.SUCCESS]
)
async def test_corbado_refusals_give_corbados_reason(
    world: World, passkeys: Passkeys, result: VerificationResult
) -> None:
    await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    world.corbado.answer_next_verification(result)
    refusal = await passkeys.refused(passkeys.data())
    assert refusal == failed_login(result.value, method="passkey")


async def test_a_passkey_of_no_known_user(world: World, passkeys: Passkeys) -> None:
    world.corbado.answer_next_verification(VerificationResult.SUCCESS)
    refusal = await passkeys.refused(passkeys.data("stranger@example.com"))
    assert refusal == failed_login("unknown_user", method="passkey")


async def test_a_passkey_login_to_an_account_being_deleted(
    world: World, passkeys: Passkeys
) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane")
    await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
    world.corbado.answer_next_verification(VerificationResult.SUCCESS)
    refusal = await passkeys.refused(passkeys.data())
    assert refusal == failed_login("account_being_deleted", method="passkey")


# Ended sessions -------------------------------------------------------------------------------


async def test_a_logout_names_user_session_and_reason_once(world: World) -> None:
    pair = await world.start_session.execute("user-1", PASSWORD_AMR)
    principal = await world.authenticate.execute(pair.access_token)
    for _ in range(2):
        await world.end_session.execute(principal.session_id, user_id="user-1", reason="logout")
    ended = [e for e in world.audit.events if e.action is AuditAction.SESSION_ENDED]
    assert ended == [session_ended("user-1", principal.session_id, "logout")]


async def test_each_way_of_ending_sessions_gives_its_reason(world: World) -> None:
    listing = ListSessions(world.sessions, world.clock, world.policy)

    async def login(credential: str | None = None) -> str:
        amr = PASSKEY_AMR if credential else PASSWORD_AMR
        origin = SessionOrigin(credential_id=credential)
        pair = await world.start_session.execute("user-1", amr, origin)
        return (await world.authenticate.execute(pair.access_token)).session_id

    own, by_passkey, rest = await login(), await login("cre-1"), await login()
    await EndOwnSession(listing, world.end_session).execute("user-1", own)
    await ForgetPasskey(listing, world.end_session).execute("user-1", "cre-1")
    await EndAllSessions(listing, world.end_session).execute("user-1")
    assert [e for e in world.audit.events if e.action is AuditAction.SESSION_ENDED] == [
        session_ended("user-1", own, "ended_by_user"),
        session_ended("user-1", by_passkey, "passkey_deleted"),
        session_ended("user-1", rest, "all_sessions"),
    ]


async def test_a_reused_refresh_token_names_the_session_it_ends(world: World) -> None:
    first = await world.start_session.execute("user-1", PASSWORD_AMR)
    session_id = (await world.authenticate.execute(first.access_token)).session_id
    await world.refresh.execute(first.refresh_token)
    world.clock.advance(world.policy.refresh_reuse_grace_s + 1)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)
    assert world.audit.events[-2:] == [
        AuditEvent(AuditAction.REFRESH_TOKEN_REUSED, user_id="user-1", session_id=session_id),
        session_ended("user-1", session_id, "refresh_token_reused"),
    ]


async def test_a_session_refused_for_a_closed_account_is_not_audited_as_a_login(
    world: World,
) -> None:
    with pytest.raises(AccountClosed):
        await world.start_session.execute("no-such-user", PASSWORD_AMR)
    assert world.audit.events == []
