"""The Sessions contract, run against every backend."""

import asyncio
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credentials import new_id, new_refresh_token, refresh_token_hash
from domain.model import PASSKEY_AMR, RefreshTokenRecord, Session, User
from tests.contracts.conftest import StoreFactory, Stores

NOW = 1_700_000_000
LATER = NOW + 60

instants = st.integers(min_value=0, max_value=2**63 - 1)


def a_hash() -> str:
    return refresh_token_hash(new_refresh_token())


def a_session(user_id: str, *, amr: tuple[str, ...] = PASSKEY_AMR, at: int = NOW) -> Session:
    return Session(
        id=new_id(),
        user_id=user_id,
        auth_time=at,
        amr=amr,
        created_at=at,
        last_used_at=at,
        expires_at=at + 86_400,
    )


def _storable(text: str) -> bool:
    return "\x00" not in text


async def a_user(stores: Stores) -> str:
    """Sessions belong to a stored user."""
    user_id = new_id()
    await stores.users.add(User(user_id, f"{user_id}@example.com", "Ada", None, NOW))
    return user_id


async def a_stored_session(stores: Stores) -> tuple[Session, str]:
    """A new session and the hash of its first refresh token."""
    session = a_session(await a_user(stores))
    first_hash = a_hash()
    await stores.sessions.create(session, first_hash)
    return session, first_hash


@settings(max_examples=25, deadline=None)
@given(
    amr=st.lists(st.text()).map(tuple),
    auth_time=instants,
    created_at=instants,
    last_used_at=instants,
    expires_at=instants,
    revoked_at=st.none() | instants,
    origin=st.lists(st.none() | st.text(max_size=256).filter(_storable), min_size=3, max_size=3),
)
async def test_a_session_round_trips_exactly(
    store_factory: StoreFactory,
    amr: tuple[str, ...],
    auth_time: int,
    created_at: int,
    last_used_at: int,
    expires_at: int,
    revoked_at: int | None,
    origin: list[str | None],
) -> None:
    async with store_factory() as stores:
        session = Session(
            new_id(),
            await a_user(stores),
            auth_time,
            amr,
            created_at,
            last_used_at,
            expires_at,
            revoked_at,
            *origin,
        )
        first_hash = a_hash()

        await stores.sessions.create(session, first_hash)

        assert await stores.sessions.get(session.id) == session
        assert await stores.sessions.find_refresh(first_hash) == RefreshTokenRecord(session, None)


async def test_unknown_sessions_and_hashes_are_none(stores: Stores) -> None:
    await a_stored_session(stores)

    assert await stores.sessions.get(new_id()) is None
    assert await stores.sessions.find_refresh(a_hash()) is None


async def test_rotate_succeeds_once_and_then_changes_nothing(stores: Stores) -> None:
    session, first_hash = await a_stored_session(stores)
    second_hash, third_hash = a_hash(), a_hash()

    assert await stores.sessions.rotate(first_hash, second_hash, LATER) is True
    assert await stores.sessions.rotate(first_hash, third_hash, LATER + 1) is False

    used = replace(session, last_used_at=LATER)
    assert await stores.sessions.find_refresh(first_hash) == RefreshTokenRecord(used, LATER)
    assert await stores.sessions.find_refresh(second_hash) == RefreshTokenRecord(used, None)
    assert await stores.sessions.find_refresh(third_hash) is None


async def test_a_rotated_in_token_rotates_in_turn(stores: Stores) -> None:
    _, first_hash = await a_stored_session(stores)
    second_hash, third_hash = a_hash(), a_hash()
    await stores.sessions.rotate(first_hash, second_hash, LATER)

    assert await stores.sessions.rotate(second_hash, third_hash, LATER + 1) is True


async def test_rotating_an_unknown_hash_changes_nothing(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)
    new_hash = a_hash()

    assert await stores.sessions.rotate(a_hash(), new_hash, LATER) is False

    assert await stores.sessions.find_refresh(new_hash) is None
    assert await stores.sessions.get(session.id) == session


async def test_of_racing_rotations_of_one_token_exactly_one_wins(stores: Stores) -> None:
    _, first_hash = await a_stored_session(stores)
    new_hashes = [a_hash() for _ in range(5)]

    won = await asyncio.gather(
        *(stores.sessions.rotate(first_hash, new_hash, LATER) for new_hash in new_hashes)
    )

    assert sorted(won) == [False, False, False, False, True]
    winner = new_hashes[won.index(True)]
    assert [h for h in new_hashes if await stores.sessions.find_refresh(h)] == [winner]


async def test_a_rotated_token_gets_exactly_one_reissue(stores: Stores) -> None:
    session, first_hash = await a_stored_session(stores)
    await stores.sessions.rotate(first_hash, a_hash(), LATER)
    extra_hash, second_extra = a_hash(), a_hash()

    assert await stores.sessions.reissue(first_hash, extra_hash, LATER + 5) is True
    assert await stores.sessions.reissue(first_hash, second_extra, LATER + 6) is False

    used = replace(session, last_used_at=LATER + 5)
    assert await stores.sessions.find_refresh(extra_hash) == RefreshTokenRecord(used, None)
    assert await stores.sessions.find_refresh(first_hash) == RefreshTokenRecord(used, LATER)
    assert await stores.sessions.find_refresh(second_extra) is None


async def test_an_unrotated_or_unknown_token_gets_no_reissue(stores: Stores) -> None:
    _, first_hash = await a_stored_session(stores)

    assert await stores.sessions.reissue(first_hash, a_hash(), LATER) is False
    assert await stores.sessions.reissue(a_hash(), a_hash(), LATER) is False


async def test_revoke_keeps_the_first_revocation_time(stores: Stores) -> None:
    session, first_hash = await a_stored_session(stores)

    assert await stores.sessions.revoke(session.id, LATER) is True
    assert await stores.sessions.revoke(session.id, LATER + 30) is False

    revoked = replace(session, revoked_at=LATER)
    assert await stores.sessions.get(session.id) == revoked
    assert await stores.sessions.find_refresh(first_hash) == RefreshTokenRecord(revoked, None)


async def test_revoking_an_unknown_session_changes_nothing(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)

    assert await stores.sessions.revoke(new_id(), LATER) is False

    assert await stores.sessions.get(session.id) == session
    assert await stores.sessions.revoked_since(0) == []


async def test_revoked_since_lists_sessions_revoked_at_or_after_the_instant(
    stores: Stores,
) -> None:
    before, at, after, alive = [(await a_stored_session(stores))[0] for _ in range(4)]
    await stores.sessions.revoke(before.id, LATER - 1)
    await stores.sessions.revoke(at.id, LATER)
    await stores.sessions.revoke(after.id, LATER + 1)

    assert sorted(await stores.sessions.revoked_since(LATER)) == sorted([at.id, after.id])
    assert alive.id not in await stores.sessions.revoked_since(0)


async def test_sessions_are_independent(stores: Stores) -> None:
    mine, my_hash = await a_stored_session(stores)
    theirs, their_hash = await a_stored_session(stores)

    await stores.sessions.rotate(my_hash, a_hash(), LATER)
    await stores.sessions.revoke(mine.id, LATER)

    assert await stores.sessions.get(theirs.id) == theirs
    assert await stores.sessions.find_refresh(their_hash) == RefreshTokenRecord(theirs, None)


async def test_list_for_user_holds_the_users_unrevoked_sessions(stores: Stores) -> None:
    user_id = await a_user(stores)
    kept, ended = a_session(user_id), a_session(user_id)
    for session in (kept, ended):
        await stores.sessions.create(session, a_hash())
    await a_stored_session(stores)
    await stores.sessions.revoke(ended.id, LATER)

    assert await stores.sessions.list_for_user(user_id) == [kept]
    assert await stores.sessions.list_for_user(new_id()) == []


async def test_the_revocation_log_pages_by_cursor_in_order(stores: Stores) -> None:
    first, second, third = [(await a_stored_session(stores))[0] for _ in range(3)]
    for offset, session in enumerate((second, first, third)):
        await stores.sessions.revoke(session.id, LATER + offset)
    await stores.sessions.revoke(second.id, LATER + 10)

    page = await stores.sessions.revocations_after(0, 2)
    assert [(entry.session_id, entry.revoked_at) for entry in page] == [
        (second.id, LATER),
        (first.id, LATER + 1),
    ]
    rest = await stores.sessions.revocations_after(page[-1].cursor, 10)
    assert [entry.session_id for entry in rest] == [third.id]
    assert await stores.sessions.revocations_after(rest[-1].cursor, 10) == []


async def test_deleting_a_user_keeps_the_revocation_log(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)
    await stores.sessions.revoke(session.id, LATER)

    assert await stores.users.delete(session.user_id) is True
    assert await stores.users.delete(session.user_id) is False

    assert await stores.users.by_id(session.user_id) is None
    assert await stores.sessions.revoked_since(LATER) == [session.id]
    assert [entry.session_id for entry in await stores.sessions.revocations_after(0, 10)] == [
        session.id
    ]
