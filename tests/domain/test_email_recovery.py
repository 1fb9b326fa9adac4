"""Proving an address and recovering an account through mailed links, on the fakes."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from domain.email_links import RESEND_INTERVAL_S, EmailLinks, EmailPurpose, Mail
from domain.errors import (
    AccountClosed,
    CorbadoUnavailable,
    EmailNotConfigured,
    InvalidAccessToken,
    InvalidCredentials,
    InvalidEmail,
    InvalidEmailToken,
    InvalidPassword,
    RateLimited,
)
from domain.model import (
    PASSWORD_AMR,
    ConnectTokenType,
    CorbadoPasskey,
    IdentifierKind,
    Principal,
    Session,
    User,
)
from domain.ports.audit import AuditAction, AuditEvent
from domain.protection.rate_limits import RateLimiter
from domain.usecases.complete_recovery import CompleteRecovery
from domain.usecases.end_all_sessions import EndAllSessions
from domain.usecases.issue_connect_token import IssueConnectToken
from domain.usecases.list_sessions import ListSessions
from domain.usecases.request_recovery import RequestRecovery
from domain.usecases.request_verification import RequestVerification
from domain.usecases.send_email_link import SendEmailLink
from domain.usecases.verify_email import VerifyEmail
from tests.domain.conftest import PASSWORD, World, build_world
from tests.fakes.fake_background_work import FakeBackgroundWork
from tests.fakes.fake_email_tokens import FakeEmailTokens
from tests.fakes.fake_mailer import FakeMailer
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents

EMAIL = "jane@example.com"
NEW_PASSWORD = "a brand new passphrase"
TTL_S = 900
PER_ACCOUNT = 3
LINKS = EmailLinks("https://app.example/#{purpose}={token}")
HOUR = 3600


@dataclass
class Mailing:
    """The world, with what mailed links need."""

    world: World
    tokens: FakeEmailTokens
    mailer: FakeMailer
    background: FakeBackgroundWork
    request_verification: RequestVerification
    verify: VerifyEmail
    request_recovery: RequestRecovery
    complete: CompleteRecovery

    def token_of(self, mail: Mail) -> str:
        return mail.link.rpartition("=")[2]

    async def mailed(self) -> list[Mail]:
        await self.background.run_all()
        return self.mailer.sent


def build(*, enabled: bool = True, world: World | None = None) -> Mailing:
    world = world or build_world()
    tokens, mailer, background = FakeEmailTokens(world.users), FakeMailer(), FakeBackgroundWork()
    limiter = RateLimiter(FakeRateLimitCounters(), world.clock, FakeRateLimitEvents(), HOUR)
    sender = SendEmailLink(
        tokens,
        mailer,
        background,
        limiter,
        world.clock,
        LINKS,
        per_account=PER_ACCOUNT,
        token_ttl_s=TTL_S,
    )
    list_sessions = ListSessions(world.sessions, world.clock, world.policy)
    complete = CompleteRecovery(
        tokens,
        world.users,
        world.hasher,
        EndAllSessions(list_sessions, world.end_session),
        world.issued_tokens,
        world.corbado,
        world.start_session,
        world.clock,
        world.audit,
        identifier_kind=world.identifier_kind,
        enabled=enabled,
    )
    return Mailing(
        world,
        tokens,
        mailer,
        background,
        RequestVerification(world.who_am_i, sender, enabled=enabled),
        VerifyEmail(tokens, world.users, world.clock, world.audit, enabled=enabled),
        RequestRecovery(world.users, sender, world.clock, enabled=enabled),
        complete,
    )


@pytest.fixture
def mailing() -> Mailing:
    return build()


async def logged_in(mailing: Mailing, email: str = EMAIL) -> tuple[User, Principal]:
    world = mailing.world
    user = await world.create_user.execute(email, PASSWORD, "Jane Doe")
    pair = await world.password_login.execute(email, PASSWORD)
    return user, await world.authenticate.execute(pair.access_token)


async def recovery_token(mailing: Mailing, email: str = EMAIL) -> str:
    await mailing.request_recovery.execute(email)
    [*_, mail] = await mailing.mailed()
    assert mail.purpose is EmailPurpose.RECOVER
    return mailing.token_of(mail)


# Proving an address ---------------------------------------------------------------------------


async def test_a_verification_link_is_mailed_after_the_answer_and_proves_the_address(
    mailing: Mailing,
) -> None:
    user, principal = await logged_in(mailing)

    await mailing.request_verification.execute(principal)
    assert mailing.mailer.sent == []
    assert mailing.background.names == ["verification mail"]
    [mail] = await mailing.mailed()
    assert (mail.to, mail.purpose) == (EMAIL, EmailPurpose.VERIFY)
    assert mail.link.startswith("https://app.example/#verify=")

    mailing.world.clock.advance(5)
    await mailing.verify.execute(mailing.token_of(mail))

    proven = await mailing.world.users.by_id(user.id)
    assert proven is not None
    assert proven.email_verified_at == mailing.world.clock.now()
    assert mailing.world.audit.events[-1] == AuditEvent(AuditAction.EMAIL_VERIFIED, user_id=user.id)


async def test_a_verification_token_works_once(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    [mail] = await mailing.mailed()
    await mailing.verify.execute(mailing.token_of(mail))

    with pytest.raises(InvalidEmailToken):
        await mailing.verify.execute(mailing.token_of(mail))


async def test_a_verification_token_expires_after_its_lifetime(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    [mail] = await mailing.mailed()

    mailing.world.clock.advance(TTL_S)
    with pytest.raises(InvalidEmailToken):
        await mailing.verify.execute(mailing.token_of(mail))


async def test_a_verification_token_works_until_the_last_second_of_its_lifetime(
    mailing: Mailing,
) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    [mail] = await mailing.mailed()

    mailing.world.clock.advance(TTL_S - 1)
    await mailing.verify.execute(mailing.token_of(mail))


async def test_the_first_proof_is_the_one_kept(mailing: Mailing) -> None:
    user, _ = await logged_in(mailing)
    await mailing.world.users.prove_email(user.id, 100)
    await mailing.world.users.prove_email(user.id, 200)

    proven = await mailing.world.users.by_id(user.id)
    assert proven is not None
    assert proven.email_verified_at == 100


async def test_a_proven_address_is_mailed_nothing_and_not_counted(mailing: Mailing) -> None:
    user, principal = await logged_in(mailing)
    await mailing.world.users.prove_email(user.id, mailing.world.clock.now())

    for _ in range(PER_ACCOUNT + 1):
        await mailing.request_verification.execute(principal)

    assert await mailing.mailed() == []
    assert mailing.background.names == []


async def test_a_recovery_token_proves_nothing_at_verification(mailing: Mailing) -> None:
    await logged_in(mailing)
    token = await recovery_token(mailing)

    with pytest.raises(InvalidEmailToken):
        await mailing.verify.execute(token)
    assert await mailing.tokens.holder(_hash(token), EmailPurpose.RECOVER, _now(mailing))


async def test_a_repeated_request_mails_once_within_the_resend_interval(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    await mailing.background.run_all()
    mailing.world.clock.advance(RESEND_INTERVAL_S)
    await mailing.request_verification.execute(principal)
    assert len(await mailing.mailed()) == 1

    mailing.world.clock.advance(1)
    await mailing.request_verification.execute(principal)
    [first, second] = await mailing.mailed()
    assert first.link != second.link
    # The newer link replaces the older one.
    with pytest.raises(InvalidEmailToken):
        await mailing.verify.execute(mailing.token_of(first))
    await mailing.verify.execute(mailing.token_of(second))


async def test_mail_to_one_address_is_limited_per_window(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    for _ in range(PER_ACCOUNT):
        await mailing.request_verification.execute(principal)
        await mailing.background.run_all()
        mailing.world.clock.advance(RESEND_INTERVAL_S + 1)
    assert len(mailing.mailer.sent) == PER_ACCOUNT

    with pytest.raises(RateLimited) as refused:
        await mailing.request_verification.execute(principal)
    assert refused.value.limit == "mail-account"
    # Recovery counts against the same address, and another address has its own allowance.
    with pytest.raises(RateLimited):
        await mailing.request_recovery.execute(" Jane@Example.com ")
    await mailing.request_recovery.execute("john@example.com")


async def test_nothing_works_where_no_mail_is_sent() -> None:
    mailing = build(enabled=False)
    _, principal = await logged_in(mailing)

    with pytest.raises(EmailNotConfigured):
        await mailing.request_verification.execute(principal)
    with pytest.raises(EmailNotConfigured):
        await mailing.verify.execute("token")
    with pytest.raises(EmailNotConfigured):
        await mailing.request_recovery.execute(EMAIL)
    with pytest.raises(EmailNotConfigured):
        await mailing.complete.execute("token", NEW_PASSWORD)
    assert mailing.background.names == []


async def test_a_verification_token_used_meanwhile_is_refused(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    [mail] = await mailing.mailed()
    token = mailing.token_of(mail)
    racing = mailing.tokens.use

    async def used_first(token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        await racing(token_hash, purpose, now)
        return await racing(token_hash, purpose, now)

    mailing.tokens.use = used_first  # type: ignore[method-assign]
    with pytest.raises(InvalidEmailToken):
        await mailing.verify.execute(token)


# Asking for recovery --------------------------------------------------------------------------


async def test_recovery_mails_a_link_to_a_known_address(mailing: Mailing) -> None:
    await logged_in(mailing)

    await mailing.request_recovery.execute("  JANE@example.com")
    assert mailing.background.names == ["recovery mail"]
    [mail] = await mailing.mailed()

    assert (mail.to, mail.purpose) == (EMAIL, EmailPurpose.RECOVER)
    assert mail.link.startswith("https://app.example/#recover=")


async def test_recovery_does_the_same_work_for_an_unknown_address(mailing: Mailing) -> None:
    await mailing.request_recovery.execute("nobody@example.com")

    assert mailing.background.names == ["recovery mail"]
    assert await mailing.mailed() == []


async def test_recovery_mails_nothing_for_an_account_being_deleted(mailing: Mailing) -> None:
    user, _ = await logged_in(mailing)
    await mailing.world.users.mark_for_deletion(user.id, mailing.world.clock.now() + 1)

    await mailing.request_recovery.execute(EMAIL)

    assert await mailing.mailed() == []


async def test_recovery_refuses_what_cannot_be_an_address(mailing: Mailing) -> None:
    with pytest.raises(InvalidEmail):
        await mailing.request_recovery.execute("not an address")
    assert mailing.background.names == []


# Completing recovery --------------------------------------------------------------------------


async def test_recovery_replaces_the_password_proves_the_address_and_logs_in(
    mailing: Mailing,
) -> None:
    user, _ = await logged_in(mailing)
    token = await recovery_token(mailing)
    mailing.world.clock.advance(10)

    pair = await mailing.complete.execute(token, NEW_PASSWORD, "Firefox")

    world = mailing.world
    recovered = await world.users.by_id(user.id)
    assert recovered is not None
    assert recovered.email_verified_at == world.clock.now()
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(EMAIL, PASSWORD)
    await world.password_login.execute(EMAIL, NEW_PASSWORD)
    principal = await world.authenticate.execute(pair.access_token)
    assert (principal.user_id, principal.amr, principal.auth_time) == (
        user.id,
        PASSWORD_AMR,
        world.clock.now(),
    )
    session = await world.sessions.get(principal.session_id)
    assert session is not None
    assert session.user_agent == "Firefox"


async def test_recovery_ends_every_earlier_session(mailing: Mailing) -> None:
    user, principal = await logged_in(mailing)
    other = await mailing.world.password_login.execute(EMAIL, PASSWORD)
    token = await recovery_token(mailing)

    pair = await mailing.complete.execute(token, NEW_PASSWORD)

    world = mailing.world
    with pytest.raises(InvalidAccessToken):
        await world.authenticate.execute(other.access_token)
    assert (await world.sessions.get(principal.session_id) or _missing_session()).revoked_at
    live = await ListSessions(world.sessions, world.clock, world.policy).execute(user.id)
    assert [session.id for session in live] == [
        (await world.authenticate.execute(pair.access_token)).session_id
    ]
    ended_reasons = {
        event.reason for event in world.audit.events if event.action is AuditAction.SESSION_ENDED
    }
    assert ended_reasons == {"account_recovered"}


async def test_no_session_opens_while_corbado_is_asked(mailing: Mailing) -> None:
    user, _ = await logged_in(mailing)
    token = await recovery_token(mailing)
    world = mailing.world
    refused: list[bool] = []
    listing = world.corbado.user_ids_for

    async def login_meanwhile(identifier: str) -> list[str]:
        with pytest.raises(InvalidCredentials):
            await world.password_login.execute(EMAIL, PASSWORD)
        refused.append(True)
        return await listing(identifier)

    world.corbado.user_ids_for = login_meanwhile  # type: ignore[method-assign]
    pair = await mailing.complete.execute(token, NEW_PASSWORD)

    assert refused == [True]
    new = await world.authenticate.execute(pair.access_token)
    assert [s.id for s in await world.sessions.list_for_user(user.id)] == [new.session_id]


async def test_recovery_deletes_the_live_connect_tokens_at_corbado(mailing: Mailing) -> None:
    world = mailing.world
    _, principal = await logged_in(mailing)
    issue = IssueConnectToken(
        world.who_am_i,
        world.corbado,
        world.corbado,
        world.issued_tokens,
        world.clock,
        world.policy,
        IdentifierKind.EMAIL,
    )
    await issue.execute(principal, ConnectTokenType.PASSKEY_APPEND)
    await issue.execute(principal, ConnectTokenType.PASSKEY_LIST)
    token = await recovery_token(mailing)

    await mailing.complete.execute(token, NEW_PASSWORD)

    assert world.corbado.deleted_tokens == ["ctk-1", "ctk-2"]
    assert world.corbado.live_tokens == set()
    assert await world.issued_tokens.live_for(principal.user_id, world.clock.now()) == []
    assert world.audit.events[-2].removed == "2 connect tokens and 0 passkeys"


async def test_recovery_deletes_every_passkey_of_an_address_never_proven(mailing: Mailing) -> None:
    world = mailing.world
    await logged_in(mailing)
    first = world.corbado.add_passkey(EMAIL, world.clock.now() - 100)
    second = world.corbado.add_passkey(EMAIL, world.clock.now())
    planted = world.corbado.mint(EMAIL, credential_id=first.credential_id)
    token = await recovery_token(mailing)

    await mailing.complete.execute(token, NEW_PASSWORD)

    assert await world.corbado.passkeys_of(first.corbado_user_id) == []
    assert ("delete_passkey", first.corbado_user_id, first.credential_id) in world.corbado.calls
    assert ("delete_passkey", second.corbado_user_id, second.credential_id) in world.corbado.calls
    assert await world.corbado.verify_signed_passkey_data(planted, EMAIL) != "success"
    assert world.audit.events[-2] == AuditEvent(
        AuditAction.ACCOUNT_RECOVERED,
        user_id=(await world.users.by_email(EMAIL) or _missing()).id,
        removed="0 connect tokens and 2 passkeys",
    )


async def test_recovery_keeps_the_passkeys_added_after_the_proof(mailing: Mailing) -> None:
    world = mailing.world
    user, _ = await logged_in(mailing)
    proven_at = world.clock.now()
    before = world.corbado.add_passkey(EMAIL, proven_at - 1)
    at_the_proof = world.corbado.add_passkey(EMAIL, proven_at)
    after = world.corbado.add_passkey(EMAIL, proven_at + 1)
    await world.users.prove_email(user.id, proven_at)
    world.clock.advance(10)
    token = await recovery_token(mailing)

    await mailing.complete.execute(token, NEW_PASSWORD)

    assert await world.corbado.passkeys_of(after.corbado_user_id) == [after]
    assert {before.credential_id, at_the_proof.credential_id}.isdisjoint(
        {p.credential_id for p in await world.corbado.passkeys_of(after.corbado_user_id)}
    )
    recovered = await world.users.by_id(user.id)
    assert recovered is not None
    assert recovered.email_verified_at == proven_at


async def test_recovery_finds_the_passkeys_by_user_id_where_that_is_the_identifier() -> None:
    world = build_world()
    world.identifier_kind = IdentifierKind.USER_ID
    mailing = build(world=world)
    user, _ = await logged_in(mailing)
    planted = world.corbado.add_passkey(user.id, world.clock.now())
    token = await recovery_token(mailing)

    await mailing.complete.execute(token, NEW_PASSWORD)

    assert await world.corbado.passkeys_of(planted.corbado_user_id) == []


async def test_a_recovery_token_works_once(mailing: Mailing) -> None:
    await logged_in(mailing)
    token = await recovery_token(mailing)
    await mailing.complete.execute(token, NEW_PASSWORD)

    with pytest.raises(InvalidEmailToken):
        await mailing.complete.execute(token, "yet another passphrase")
    await mailing.world.password_login.execute(EMAIL, NEW_PASSWORD)


async def test_an_expired_recovery_token_changes_nothing(mailing: Mailing) -> None:
    await logged_in(mailing)
    token = await recovery_token(mailing)
    mailing.world.clock.advance(TTL_S)

    with pytest.raises(InvalidEmailToken):
        await mailing.complete.execute(token, NEW_PASSWORD)
    await mailing.world.password_login.execute(EMAIL, PASSWORD)
    assert mailing.world.corbado.calls == []


async def test_a_verification_token_recovers_nothing(mailing: Mailing) -> None:
    _, principal = await logged_in(mailing)
    await mailing.request_verification.execute(principal)
    [mail] = await mailing.mailed()

    with pytest.raises(InvalidEmailToken):
        await mailing.complete.execute(mailing.token_of(mail), NEW_PASSWORD)
    await mailing.world.password_login.execute(EMAIL, PASSWORD)


async def test_a_bad_new_password_changes_nothing_and_keeps_the_token(mailing: Mailing) -> None:
    await logged_in(mailing)
    token = await recovery_token(mailing)

    with pytest.raises(InvalidPassword):
        await mailing.complete.execute(token, "short")
    await mailing.complete.execute(token, NEW_PASSWORD)


async def test_corbado_down_changes_nothing_here_and_keeps_the_token(mailing: Mailing) -> None:
    await logged_in(mailing)
    mailing.world.corbado.add_passkey(EMAIL, mailing.world.clock.now())
    token = await recovery_token(mailing)
    mailing.world.corbado.fail_next_call(CorbadoUnavailable("down"))

    with pytest.raises(CorbadoUnavailable):
        await mailing.complete.execute(token, NEW_PASSWORD)
    await mailing.world.password_login.execute(EMAIL, PASSWORD)

    await mailing.complete.execute(token, NEW_PASSWORD)
    await mailing.world.password_login.execute(EMAIL, NEW_PASSWORD)


async def test_no_recovery_for_an_account_being_deleted(mailing: Mailing) -> None:
    user, _ = await logged_in(mailing)
    token = await recovery_token(mailing)
    await mailing.world.users.mark_for_deletion(user.id, mailing.world.clock.now() + 1)

    with pytest.raises(AccountClosed):
        await mailing.complete.execute(token, NEW_PASSWORD)


async def test_a_recovery_token_used_meanwhile_is_refused(mailing: Mailing) -> None:
    await logged_in(mailing)
    token = await recovery_token(mailing)
    racing = mailing.tokens.recover

    async def used_first(token_hash: str, password_hash: str, now: int) -> str | None:
        await racing(token_hash, "fake-v2$rehto", now)
        return await racing(token_hash, password_hash, now)

    mailing.tokens.recover = used_first  # type: ignore[method-assign]
    with pytest.raises(InvalidEmailToken):
        await mailing.complete.execute(token, NEW_PASSWORD)


async def test_a_token_of_a_deleted_account_is_refused(mailing: Mailing) -> None:
    user, _ = await logged_in(mailing)
    token = await recovery_token(mailing)
    await mailing.world.users.delete(user.id)

    with pytest.raises(InvalidEmailToken):
        await mailing.complete.execute(token, NEW_PASSWORD)


def _hash(token: str) -> str:
    from domain.email_links import email_token_hash

    return email_token_hash(token)


def _now(mailing: Mailing) -> int:
    return mailing.world.clock.now()


def _missing() -> User:
    raise AssertionError("the user should exist")


def _missing_session() -> Session:
    raise AssertionError("the session should exist")


async def test_earlier_sessions_end_before_corbado_is_asked(mailing: Mailing) -> None:
    world = mailing.world
    await logged_in(mailing)
    earlier = await world.password_login.execute(EMAIL, PASSWORD)
    token = await recovery_token(mailing)
    refused: list[bool] = []
    listing = world.corbado.user_ids_for

    async def act_meanwhile(identifier: str) -> list[str]:
        try:
            await world.authenticate.execute(earlier.access_token)
        except InvalidAccessToken:
            refused.append(True)
        return await listing(identifier)

    world.corbado.user_ids_for = act_meanwhile  # type: ignore[method-assign]
    await mailing.complete.execute(token, NEW_PASSWORD)

    assert refused == [True]


async def test_an_earlier_holder_gets_no_way_back_in_while_corbado_is_asked(
    mailing: Mailing,
) -> None:
    # The earlier holder of an unproven address sees its session end when the owner recovers,
    # and logs in again at once with the password it chose, for a passkey-append token that
    # would let it add a passkey after the recovery. Neither may outlive the recovery.
    world = mailing.world
    user, _ = await logged_in(mailing)
    token = await recovery_token(mailing)
    issue = IssueConnectToken(
        world.who_am_i,
        world.corbado,
        world.corbado,
        world.issued_tokens,
        world.clock,
        world.policy,
        IdentifierKind.EMAIL,
    )
    refused: list[type[Exception]] = []
    listing = world.corbado.passkeys_of

    async def back_in_meanwhile(corbado_user_id: str) -> list[CorbadoPasskey]:
        try:
            pair = await world.password_login.execute(EMAIL, PASSWORD)
            principal = await world.authenticate.execute(pair.access_token)
            await issue.execute(principal, ConnectTokenType.PASSKEY_APPEND)
        except (AccountClosed, InvalidCredentials) as closed:
            refused.append(type(closed))
        return await listing(corbado_user_id)

    world.corbado.add_passkey(EMAIL, world.clock.now())
    world.corbado.passkeys_of = back_in_meanwhile  # type: ignore[method-assign]
    pair = await mailing.complete.execute(token, NEW_PASSWORD)

    assert world.corbado.live_tokens == set()
    assert refused == [InvalidCredentials]
    new = await world.authenticate.execute(pair.access_token)
    assert [s.id for s in await world.sessions.list_for_user(user.id)] == [new.session_id]
    recovered = await world.users.by_id(user.id)
    assert recovered is not None
    assert recovered.deletion_pending_until is None
