"""Account deletion: Corbado first, then one local step; a mark keeps everything else out."""

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

import pytest

from domain.errors import (
    AccountClosed,
    AccountNotFound,
    CorbadoError,
    CorbadoTimeout,
    CorbadoUnavailable,
    DeletionInterrupted,
    InvalidAccessToken,
    InvalidCredentials,
    InvalidRefreshToken,
    PasskeyLoginFailed,
)
from domain.model import (
    ConnectTokenType,
    IdentifierKind,
    IssuedConnectToken,
    PasskeyAssertion,
    Principal,
    Session,
    TokenPair,
    User,
)
from domain.ports.audit import AuditAction, AuditEvent
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.delete_account_as_operator import DeleteAccountAsOperator
from domain.usecases.delete_account_everywhere import DELETION_LEASE_S
from domain.usecases.issue_connect_token import IssueConnectToken
from tests.domain.conftest import PASSWORD, World
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.fakes.fake_passkey_data_reader import FakePasskeyDataReader

EMAIL = "jane@example.com"
PROJECT = "pro-123"


async def a_user_with_a_session(world: World) -> tuple[User, TokenPair, Principal]:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane Doe")
    pair = await world.password_login.execute(EMAIL, PASSWORD)
    return user, pair, await world.authenticate.execute(pair.access_token)


def issuer(world: World, corbado: FakeCorbadoConnect | None = None) -> IssueConnectToken:
    corbado = corbado or world.corbado
    return IssueConnectToken(
        world.who_am_i,
        corbado,
        corbado,
        world.issued_tokens,
        world.clock,
        world.policy,
        IdentifierKind.EMAIL,
    )


def passkey_login(world: World) -> tuple[CompleteLogin, Callable[[], str]]:
    reader = FakePasskeyDataReader()
    complete = CompleteLogin(
        reader,
        world.corbado,
        world.users,
        world.start_session,
        world.clock,
        world.audit,
        project_id=PROJECT,
        identifier_kind=IdentifierKind.EMAIL,
        clock_leeway_s=world.policy.clock_leeway_s,
    )

    def data() -> str:
        token = world.corbado.mint(EMAIL)
        assertion = PasskeyAssertion(EMAIL, PROJECT, world.clock.now() + 300, "cre-1", "usr-1")
        reader.remember(token, assertion)
        return token

    return complete, data


def failure_reasons(world: World) -> list[str | None]:
    return [e.reason for e in world.audit.events if e.action is AuditAction.LOGIN_FAILED]


# The whole deletion ---------------------------------------------------------------------------


async def test_deletion_reaches_corbado_before_anything_local_goes(world: World) -> None:
    user, pair, principal = await a_user_with_a_session(world)
    issue = issuer(world)
    await issue.execute(principal, ConnectTokenType.PASSKEY_APPEND)
    await issue.execute(principal, ConnectTokenType.PASSKEY_LIST)
    [corbado_user] = await world.corbado.user_ids_for(EMAIL)
    world.corbado.calls.clear()

    deleted = await world.delete_account_everywhere.execute(user, session_id=principal.session_id)

    assert world.corbado.calls == [
        ("delete_connect_token", "ctk-1"),
        ("delete_connect_token", "ctk-2"),
        ("user_ids_for", EMAIL),
        ("delete_user", corbado_user),
    ]
    assert world.corbado.live_tokens == set()
    assert await world.corbado.user_ids_for(EMAIL) == []
    assert (deleted.connect_tokens_deleted, deleted.corbado_users_deleted) == (2, 1)
    assert deleted.ended_session_ids == (principal.session_id,)
    assert await world.users.by_id(user.id) is None
    assert await world.issued_tokens.live_for(user.id, world.clock.now()) == []
    with pytest.raises(InvalidAccessToken):
        await world.authenticate.execute(pair.access_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)
    assert world.audit.events[-2:] == [
        AuditEvent(
            AuditAction.SESSION_ENDED,
            user_id=user.id,
            session_id=principal.session_id,
            reason="account_deleted",
        ),
        AuditEvent(
            AuditAction.ACCOUNT_DELETED,
            user_id=user.id,
            session_id=principal.session_id,
            removed=(
                "user, 1 sessions, their refresh tokens, 2 connect tokens and 1 Corbado users"
            ),
        ),
    ]


async def test_every_session_is_denied_and_logged_as_revoked(world: World) -> None:
    user, _, first = await a_user_with_a_session(world)
    second = await world.authenticate.execute(
        (await world.password_login.execute(EMAIL, PASSWORD)).access_token
    )

    deleted = await world.delete_account_everywhere.execute(user)

    assert set(deleted.ended_session_ids) == {first.session_id, second.session_id}
    until = world.clock.now() + world.policy.revocation_ttl_s
    assert world.revoked.entries == {first.session_id: until, second.session_id: until}
    logged = await world.revocation_log.revocations_after(0, 10)
    assert {entry.session_id for entry in logged} == {first.session_id, second.session_id}


async def test_a_session_the_listing_missed_is_still_denied_once_erased(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    user, _, seen = await a_user_with_a_session(world)
    missed = await world.authenticate.execute(
        (await world.password_login.execute(EMAIL, PASSWORD)).access_token
    )
    listing = world.sessions.list_for_user

    async def lagging_listing(user_id: str) -> list[Session]:  # a replica behind, say
        return [s for s in await listing(user_id) if s.id != missed.session_id]

    monkeypatch.setattr(world.sessions, "list_for_user", lagging_listing)
    await world.delete_account_everywhere.execute(user)
    until = world.clock.now() + world.policy.revocation_ttl_s
    assert world.revoked.entries == {seen.session_id: until, missed.session_id: until}


@pytest.mark.parametrize(
    ("mark", "being_deleted"), [(None, False), (1_000, False), (1_001, True), (2_000, True)]
)
def test_a_deletion_mark_stands_until_its_instant(mark: int | None, being_deleted: bool) -> None:
    user = User("user-1", EMAIL, "Jane", None, 0, deletion_pending_until=mark)
    assert user.is_being_deleted(1_000) is being_deleted


async def test_expired_connect_tokens_are_not_sent_to_corbado(world: World) -> None:
    user, _, _ = await a_user_with_a_session(world)
    now = world.clock.now()
    await world.issued_tokens.record(user.id, IssuedConnectToken("ctk-old", "s", now), now)
    await world.issued_tokens.record(user.id, IssuedConnectToken("ctk-live", "s", now + 1), now)

    await world.delete_account_everywhere.execute(user)

    deleted = [call[1] for call in world.corbado.calls if call[0] == "delete_connect_token"]
    assert deleted == ["ctk-live"]


# When Corbado cannot confirm --------------------------------------------------------------------


@pytest.mark.parametrize("failing", ["delete_connect_token", "user_ids_for", "delete_user"])
@pytest.mark.parametrize(
    "error",
    [CorbadoUnavailable("down"), CorbadoTimeout("slow")],
    ids=["unavailable", "timeout"],
)
async def test_a_corbado_failure_leaves_the_account_exactly_as_it_was(
    world: World, failing: str, error: CorbadoError
) -> None:
    user, pair, principal = await a_user_with_a_session(world)
    await issuer(world).execute(principal, ConnectTokenType.PASSKEY_APPEND)
    _fail_on(world.corbado, failing, error)

    with pytest.raises(type(error)):
        await world.delete_account_everywhere.execute(user)

    assert await world.users.by_id(user.id) == user
    assert world.revoked.entries == {}
    assert await world.revocation_log.revocations_after(0, 10) == []
    assert await world.authenticate.execute(pair.access_token) == principal
    assert await world.refresh.execute(pair.refresh_token)
    assert await world.password_login.execute(EMAIL, PASSWORD)
    # ... and a retry starts again and finishes.
    deleted = await world.delete_account_everywhere.execute(user)
    assert await world.users.by_id(user.id) is None
    assert len(deleted.ended_session_ids) == 2  # the first (refreshed) and the new login


def _fail_on(corbado: FakeCorbadoConnect, operation: str, error: CorbadoError) -> None:
    original: Callable[..., Awaitable[object]] = getattr(corbado, operation)

    async def failing(*args: object) -> object:
        setattr(corbado, operation, original)
        raise error

    setattr(corbado, operation, failing)


async def test_a_cancelled_deletion_lifts_the_mark(world: World) -> None:
    user, _, _ = await a_user_with_a_session(world)
    started = asyncio.Event()

    async def hang(identifier: str) -> list[str]:
        started.set()
        await asyncio.Event().wait()
        return []

    world.corbado.user_ids_for = hang  # type: ignore[method-assign]
    deletion = asyncio.create_task(world.delete_account_everywhere.execute(user))
    await started.wait()
    deletion.cancel()
    with pytest.raises(asyncio.CancelledError):
        await deletion

    assert await world.users.by_id(user.id) == user
    assert await world.password_login.execute(EMAIL, PASSWORD)


async def test_a_deletion_that_outlives_its_mark_stops_before_the_local_step(
    world: World,
) -> None:
    user, _, _ = await a_user_with_a_session(world)
    original = world.corbado.user_ids_for

    async def slow(identifier: str) -> list[str]:
        world.clock.advance(DELETION_LEASE_S)
        return await original(identifier)

    world.corbado.user_ids_for = slow  # type: ignore[method-assign]

    with pytest.raises(DeletionInterrupted):
        await world.delete_account_everywhere.execute(user)

    # Nothing local was removed and the owner can log in again; the sessions' current access
    # tokens stay denied (that step runs just before the local one, so a crash between the two
    # cannot leave a deleted account's token undenied).
    assert await world.users.by_id(user.id) == user
    assert len(await world.sessions.list_for_user(user.id)) == 1
    assert await world.revocation_log.revocations_after(0, 10) == []
    assert await world.password_login.execute(EMAIL, PASSWORD)


# While the mark stands --------------------------------------------------------------------------


async def test_while_the_account_is_being_deleted_nothing_is_granted(world: World) -> None:
    user, pair, principal = await a_user_with_a_session(world)
    complete, data = passkey_login(world)
    signed = data()
    await world.users.mark_for_deletion(user.id, world.clock.now() + 60)

    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(EMAIL, PASSWORD)
    with pytest.raises(PasskeyLoginFailed):
        await complete.execute(signed)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)
    with pytest.raises(AccountClosed):
        await issuer(world).execute(principal, ConnectTokenType.PASSKEY_APPEND)
    assert failure_reasons(world) == ["account_being_deleted", "account_being_deleted"]
    assert world.corbado.live_tokens == set()
    # A mark left behind by a deletion that died lapses by itself.
    world.clock.advance(60)
    assert await world.password_login.execute(EMAIL, PASSWORD)
    assert await world.refresh.execute(pair.refresh_token)


async def test_a_login_that_raced_the_mark_gets_no_session(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane Doe")
    original_verify = world.hasher.verify

    async def verify_while_deletion_begins(password_hash: str, password: str) -> bool:
        # The user was read before the mark; the session would be written after it.
        await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
        return await original_verify(password_hash, password)

    world.hasher.verify = verify_while_deletion_begins  # type: ignore[method-assign]

    with pytest.raises(InvalidCredentials):
        await world.password_login.execute(EMAIL, PASSWORD)

    assert await world.sessions.list_for_user(user.id) == []
    assert failure_reasons(world) == ["account_being_deleted"]
    assert world.audit.events[-1].user_id == user.id
    assert AuditAction.LOGIN_SUCCEEDED not in world.audit.actions


async def test_a_passkey_login_that_raced_the_mark_gets_no_session(world: World) -> None:
    user = await world.create_user.execute(EMAIL, PASSWORD, "Jane Doe")
    complete, data = passkey_login(world)
    signed = data()
    original_verify = world.corbado.verify_signed_passkey_data

    async def verify_while_deletion_begins(signed_data: str, username: str) -> object:
        result = await original_verify(signed_data, username)
        await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
        return result

    world.corbado.verify_signed_passkey_data = verify_while_deletion_begins  # type: ignore[method-assign, assignment]

    with pytest.raises(PasskeyLoginFailed):
        await complete.execute(signed)

    assert await world.sessions.list_for_user(user.id) == []
    assert failure_reasons(world) == ["account_being_deleted"]


async def test_a_connect_token_issued_as_deletion_began_is_deleted_at_once(
    world: World,
) -> None:
    user, _, principal = await a_user_with_a_session(world)
    original_create = world.corbado.create_connect_token

    async def create_while_deletion_begins(*args: object) -> IssuedConnectToken:
        token = await original_create(*args)  # type: ignore[arg-type]
        await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
        return token

    world.corbado.create_connect_token = create_while_deletion_begins  # type: ignore[method-assign, assignment]

    with pytest.raises(AccountClosed):
        await issuer(world).execute(principal, ConnectTokenType.PASSKEY_APPEND)

    assert world.corbado.deleted_tokens == ["ctk-1"]
    assert await world.issued_tokens.live_for(user.id, world.clock.now()) == []


async def test_a_failed_cleanup_of_such_a_token_still_refuses_the_caller(world: World) -> None:
    user, _, principal = await a_user_with_a_session(world)
    await world.users.mark_for_deletion(user.id, world.clock.now() + 60)
    # The cached profile has not seen the mark yet: the store's refusal is what counts.
    stale = IssueConnectToken(
        _StaleWhoAmI(user),  # type: ignore[arg-type]
        world.corbado,
        world.corbado,
        world.issued_tokens,
        world.clock,
        world.policy,
        IdentifierKind.EMAIL,
    )
    _fail_on(world.corbado, "delete_connect_token", CorbadoUnavailable("down"))

    with pytest.raises(AccountClosed):
        await stale.execute(principal, ConnectTokenType.PASSKEY_LIST)


class _StaleWhoAmI:
    def __init__(self, user: User) -> None:
        self._user = user

    async def execute(self, user_id: str) -> User:
        return self._user


# Concurrent deletions and the operator's command ------------------------------------------------


async def test_two_deletions_at_once_both_finish(world: World) -> None:
    user, _, _ = await a_user_with_a_session(world)
    original = world.corbado.user_ids_for

    async def interleaved(identifier: str) -> list[str]:
        await asyncio.sleep(0)  # let the other deletion run up to here too
        return await original(identifier)

    world.corbado.user_ids_for = interleaved  # type: ignore[method-assign]

    first, second = await asyncio.gather(
        world.delete_account_everywhere.execute(user), world.delete_account_everywhere.execute(user)
    )

    assert await world.users.by_id(user.id) is None
    assert len(first.ended_session_ids) + len(second.ended_session_ids) == 1


async def test_a_deleted_account_cannot_be_deleted_again(world: World) -> None:
    user, _, _ = await a_user_with_a_session(world)
    await world.delete_account_everywhere.execute(user)

    with pytest.raises(AccountClosed):
        await world.delete_account_everywhere.execute(user)


@pytest.mark.parametrize("email", ["nobody@example.com", "not an address", ""])
async def test_the_operator_deletes_by_email_and_hears_of_unknown_ones(
    world: World, email: str
) -> None:
    delete_user = DeleteAccountAsOperator(world.users, world.delete_account_everywhere)
    user, _, _ = await a_user_with_a_session(world)

    with pytest.raises(AccountNotFound):
        await delete_user.execute(email)

    deleted = await delete_user.execute("  Jane@Example.COM ")
    assert deleted.user_id == user.id
    assert await world.users.by_id(user.id) is None
    assert world.audit.events[-1].session_id is None


async def test_with_user_ids_as_identifiers_corbado_is_asked_by_id(world: World) -> None:
    user, _, _ = await a_user_with_a_session(world)
    close = dataclasses.replace(
        world.delete_account_everywhere, identifier_kind=IdentifierKind.USER_ID
    )

    await close.execute(user)

    assert ("user_ids_for", user.id) in world.corbado.calls
