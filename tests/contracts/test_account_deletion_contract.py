"""The contracts account deletion relies on, run against every backend: the deletion mark on
users, sessions and connect tokens refused while it stands, and the one-transaction erasure."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import DeletionInterrupted
from domain.model import IssuedConnectToken
from tests.contracts.conftest import StoreFactory, Stores
from tests.contracts.test_sessions_contract import NOW, a_chain, a_hash, a_session, a_user

UNTIL = NOW + 600


def a_token(token_id: str = "ctk-1", *, expires_at: int = NOW + 3600) -> IssuedConnectToken:  # noqa: S107 - an id
    return IssuedConnectToken(token_id, f"ctk1_secret_{token_id}", expires_at)


# The mark ---------------------------------------------------------------------------------------


async def test_marking_an_unknown_user_says_so(stores: Stores) -> None:
    assert await stores.users.mark_for_deletion("no-such-user", UNTIL) is False


async def test_the_mark_shows_on_the_user_until_it_is_cleared(stores: Stores) -> None:
    user_id = await a_user(stores)

    assert await stores.users.mark_for_deletion(user_id, UNTIL) is True
    marked = await stores.users.by_id(user_id)
    assert marked is not None
    assert marked.deletion_pending_until == UNTIL
    by_email = await stores.users.by_email(marked.email)
    assert by_email is not None
    assert by_email.deletion_pending_until == UNTIL

    await stores.users.clear_deletion_mark(user_id)
    cleared = await stores.users.by_id(user_id)
    assert cleared is not None
    assert cleared.deletion_pending_until is None


# Sessions and connect tokens while the mark stands ----------------------------------------------


async def test_no_session_is_created_for_an_unknown_user(stores: Stores) -> None:
    session = a_session("no-such-user")

    assert await stores.sessions.create(session, a_hash(), a_chain()) is False
    assert await stores.sessions.get(session.id) is None


@settings(max_examples=20, deadline=None)
@given(offset=st.integers(min_value=-600, max_value=600))
@example(offset=-1)  # the last second of the mark
@example(offset=0)  # the mark has just lapsed
async def test_a_session_is_created_only_once_the_mark_has_lapsed(
    store_factory: StoreFactory, offset: int
) -> None:
    async with store_factory() as stores:
        user_id = await a_user(stores)
        await stores.users.mark_for_deletion(user_id, UNTIL)
        session = a_session(user_id, at=UNTIL + offset)
        first_hash = a_hash()

        created = await stores.sessions.create(session, first_hash, a_chain())

        assert created is (offset >= 0)
        assert (await stores.sessions.get(session.id) is not None) is created
        assert (await stores.sessions.find_chain(first_hash) is not None) is created


async def test_a_refresh_token_carries_its_accounts_mark(stores: Stores) -> None:
    user_id = await a_user(stores)
    first_hash = a_hash()
    await stores.sessions.create(a_session(user_id), first_hash, a_chain())

    unmarked = await stores.sessions.find_chain(first_hash)
    await stores.users.mark_for_deletion(user_id, UNTIL)
    marked = await stores.sessions.find_chain(first_hash)

    assert unmarked is not None
    assert unmarked.account_deletion_pending_until is None
    assert marked is not None
    assert marked.account_deletion_pending_until == UNTIL


async def test_connect_tokens_are_recorded_only_for_an_open_account(stores: Stores) -> None:
    user_id = await a_user(stores)

    assert await stores.issued_tokens.record("no-such-user", a_token(), NOW) is False
    assert await stores.issued_tokens.record(user_id, a_token("ctk-1"), NOW) is True
    await stores.users.mark_for_deletion(user_id, UNTIL)
    assert await stores.issued_tokens.record(user_id, a_token("ctk-2"), UNTIL - 1) is False
    assert await stores.issued_tokens.record(user_id, a_token("ctk-3"), UNTIL) is True

    assert await stores.issued_tokens.live_for(user_id, NOW) == ["ctk-1", "ctk-3"]


async def test_live_tokens_are_the_unexpired_ones_of_the_user_once_each(stores: Stores) -> None:
    user_id, other = await a_user(stores), await a_user(stores)
    for token in (
        a_token("ctk-b", expires_at=NOW + 1),
        a_token("ctk-a", expires_at=NOW + 1),
        a_token("ctk-a", expires_at=NOW + 5),  # an upstream may repeat ids
        a_token("ctk-expired", expires_at=NOW),
    ):
        await stores.issued_tokens.record(user_id, token, NOW - 10)
    await stores.issued_tokens.record(other, a_token("ctk-other"), NOW)

    assert await stores.issued_tokens.live_for(user_id, NOW) == ["ctk-a", "ctk-b"]
    assert await stores.issued_tokens.live_for(user_id, NOW + 1) == ["ctk-a"]
    await stores.issued_tokens.forget(user_id, "ctk-a")
    assert await stores.issued_tokens.live_for(user_id, NOW) == ["ctk-b"]
    assert await stores.issued_tokens.live_for(other, NOW) == ["ctk-other"]


# The erasure ------------------------------------------------------------------------------------


async def test_erasing_an_unknown_user_reports_it_gone(stores: Stores) -> None:
    assert await stores.erasure.erase("no-such-user", NOW) is None


@pytest.mark.parametrize("mark", [None, NOW], ids=["never-marked", "lapsed"])
async def test_without_a_standing_mark_nothing_is_erased(stores: Stores, mark: int | None) -> None:
    user_id = await a_user(stores)
    session = a_session(user_id, at=NOW - 10)
    await stores.sessions.create(session, a_hash(), a_chain())
    if mark is not None:
        await stores.users.mark_for_deletion(user_id, mark)

    with pytest.raises(DeletionInterrupted):
        await stores.erasure.erase(user_id, NOW)

    assert await stores.users.by_id(user_id) is not None
    stored = await stores.sessions.get(session.id)
    assert stored is not None
    assert stored.revoked_at is None
    assert await stores.revocation_log.revocations_after(0, 10) == []


async def test_erasure_revokes_every_session_into_the_log_and_removes_the_account(
    stores: Stores,
) -> None:
    user_id, other = await a_user(stores), await a_user(stores)
    live, already_ended = a_session(user_id), a_session(user_id)
    live_hash = a_hash()
    await stores.sessions.create(live, live_hash, a_chain())
    await stores.sessions.create(already_ended, a_hash(), a_chain())
    await stores.sessions.revoke(already_ended.id, NOW)
    others_session = a_session(other)
    await stores.sessions.create(others_session, a_hash(), a_chain())
    await stores.issued_tokens.record(user_id, a_token(), NOW)
    await stores.users.mark_for_deletion(user_id, UNTIL)

    ended = await stores.erasure.erase(user_id, NOW + 5)

    assert ended == (live.id,)
    log = await stores.revocation_log.revocations_after(0, 10)
    assert [(entry.session_id, entry.revoked_at) for entry in log] == [
        (already_ended.id, NOW),
        (live.id, NOW + 5),
    ]
    assert await stores.users.by_id(user_id) is None
    assert await stores.sessions.get(live.id) is None
    assert await stores.sessions.find_chain(live_hash) is None
    assert await stores.sessions.list_for_user(user_id) == []
    assert await stores.issued_tokens.live_for(user_id, NOW) == []
    assert await stores.users.by_id(other) is not None
    assert await stores.sessions.get(others_session.id) is not None
    assert await stores.erasure.erase(user_id, NOW + 6) is None
