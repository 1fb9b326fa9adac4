"""The Sessions contract, run against every backend."""

import asyncio
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credentials import new_id, refresh_token_hash
from domain.model import PASSKEY_AMR, ChainRecord, Session, User
from domain.refresh_chain import RefreshChain, first_token
from tests.contracts.conftest import StoreFactory, Stores

NOW = 1_700_000_000
LATER = NOW + 60

instants = st.integers(min_value=0, max_value=2**63 - 1)


def a_hash() -> str:
    return refresh_token_hash(first_token().text)


def a_chain(generation: int = 0, at: int = NOW) -> RefreshChain:
    previous = None if generation == 0 else a_hash()
    key_id = None if generation == 0 else "key-1"
    return RefreshChain(generation, a_hash(), previous, at, key_id)


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
    """A new session and the hash of its refresh chain's id."""
    session = a_session(await a_user(stores))
    chain_id_hash = a_hash()
    await stores.sessions.create(session, chain_id_hash, a_chain())
    return session, chain_id_hash


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
        chain_id_hash, chain = a_hash(), a_chain()

        assert await stores.sessions.create(session, chain_id_hash, chain) is True

        assert await stores.sessions.get(session.id) == session
        assert await stores.sessions.find_chain(chain_id_hash) == ChainRecord(session, chain)


@settings(max_examples=25, deadline=None)
@given(
    generation=st.integers(0, 2**62),
    advanced_at=instants,
    previous=st.booleans(),
    key_id=st.none() | st.text(min_size=1, max_size=64).filter(_storable),
)
async def test_a_chain_round_trips_exactly(
    store_factory: StoreFactory,
    generation: int,
    advanced_at: int,
    previous: bool,
    key_id: str | None,
) -> None:
    async with store_factory() as stores:
        session = a_session(await a_user(stores))
        chain_id_hash = a_hash()
        chain = RefreshChain(
            generation, a_hash(), a_hash() if previous else None, advanced_at, key_id
        )

        await stores.sessions.create(session, chain_id_hash, chain)

        assert await stores.sessions.find_chain(chain_id_hash) == ChainRecord(session, chain)


async def test_unknown_sessions_and_hashes_are_none(stores: Stores) -> None:
    _, chain_id_hash = await a_stored_session(stores)

    assert await stores.sessions.get(new_id()) is None
    assert await stores.sessions.find_chain(a_hash()) is None
    assert await stores.sessions.find_legacy(a_hash()) is None
    assert await stores.sessions.find_legacy(chain_id_hash) is None


async def test_advance_moves_the_chain_once_from_a_generation(stores: Stores) -> None:
    session, chain_id_hash = await a_stored_session(stores)
    second, other = a_chain(1, LATER), a_chain(1, LATER + 1)

    assert await stores.sessions.advance(session.id, 0, chain_id_hash, second) is True
    assert await stores.sessions.advance(session.id, 0, chain_id_hash, other) is False

    used = replace(session, last_used_at=LATER)
    assert await stores.sessions.find_chain(chain_id_hash) == ChainRecord(used, second)
    assert await stores.sessions.advance(session.id, 1, chain_id_hash, a_chain(2, LATER + 2))


async def test_advancing_an_unknown_or_revoked_session_changes_nothing(stores: Stores) -> None:
    session, chain_id_hash = await a_stored_session(stores)
    assert await stores.sessions.advance(new_id(), 0, a_hash(), a_chain(1, LATER)) is False

    await stores.sessions.revoke(session.id, LATER)

    assert await stores.sessions.advance(session.id, 0, chain_id_hash, a_chain(1, LATER)) is False
    record = await stores.sessions.find_chain(chain_id_hash)
    assert record is not None
    assert record.chain.generation == 0
    assert record.session.last_used_at == NOW


async def test_advance_can_give_the_chain_its_id(stores: Stores) -> None:
    """How a session from before chains gets one when its last token is adopted."""
    session, old_id_hash = await a_stored_session(stores)
    new_id_hash, adopted = a_hash(), a_chain(1, LATER)

    assert await stores.sessions.advance(session.id, 0, new_id_hash, adopted) is True

    assert await stores.sessions.find_chain(old_id_hash) is None
    assert await stores.sessions.find_chain(new_id_hash) == ChainRecord(
        replace(session, last_used_at=LATER), adopted
    )


async def test_of_racing_advances_from_one_generation_exactly_one_wins(stores: Stores) -> None:
    session, chain_id_hash = await a_stored_session(stores)
    chains = [a_chain(1, LATER) for _ in range(5)]

    won = await asyncio.gather(
        *(stores.sessions.advance(session.id, 0, chain_id_hash, chain) for chain in chains)
    )

    assert sorted(won) == [False, False, False, False, True]
    record = await stores.sessions.find_chain(chain_id_hash)
    assert record is not None
    assert record.chain == chains[won.index(True)]


async def test_revoke_keeps_the_first_revocation_time(stores: Stores) -> None:
    session, chain_id_hash = await a_stored_session(stores)

    assert await stores.sessions.revoke(session.id, LATER) is True
    assert await stores.sessions.revoke(session.id, LATER + 30) is False

    revoked = replace(session, revoked_at=LATER)
    assert await stores.sessions.get(session.id) == revoked
    record = await stores.sessions.find_chain(chain_id_hash)
    assert record is not None
    assert record.session == revoked


async def test_revoking_an_unknown_session_changes_nothing(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)

    assert await stores.sessions.revoke(new_id(), LATER) is False

    assert await stores.sessions.get(session.id) == session


async def test_sessions_are_independent(stores: Stores) -> None:
    mine, my_hash = await a_stored_session(stores)
    theirs, their_hash = await a_stored_session(stores)
    their_chain = await stores.sessions.find_chain(their_hash)

    await stores.sessions.advance(mine.id, 0, my_hash, a_chain(1, LATER))
    await stores.sessions.revoke(mine.id, LATER)

    assert await stores.sessions.get(theirs.id) == theirs
    assert await stores.sessions.find_chain(their_hash) == their_chain


async def test_list_for_user_holds_the_users_unrevoked_sessions(stores: Stores) -> None:
    user_id = await a_user(stores)
    kept, ended = a_session(user_id), a_session(user_id)
    for session in (kept, ended):
        await stores.sessions.create(session, a_hash(), a_chain())
    await a_stored_session(stores)
    await stores.sessions.revoke(ended.id, LATER)

    assert await stores.sessions.list_for_user(user_id) == [kept]
    assert await stores.sessions.list_for_user(new_id()) == []
