"""The Retention contract, run against every backend: exactly the rows before a bound go, a
batch at a time, and the other ports see them gone; the revocation feed keeps its order."""

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.model import Session
from domain.ports import Retention
from tests.contracts.conftest import StoreFactory, Stores
from tests.contracts.test_account_deletion_contract import a_token
from tests.contracts.test_sessions_contract import NOW, a_chain, a_hash, a_session, a_user

BOUND = NOW + 10_000
# Far from every bound, so that only the timestamp under test decides.
FAR = BOUND + 1_000_000

Delete = Callable[[int, int], Awaitable[int]]


async def a_session_with(
    stores: Stores,
    *,
    expires_at: int = FAR,
    last_used_at: int = FAR,
    revoked_at: int | None = None,
) -> Session:
    """A stored session with these timestamps (revoked through the port, into the log)."""
    session = replace(
        a_session(await a_user(stores)), expires_at=expires_at, last_used_at=last_used_at
    )
    assert await stores.sessions.create(session, a_hash(), a_chain())
    if revoked_at is not None:
        assert await stores.sessions.revoke(session.id, revoked_at)
    return session


# Each session rule: the port method, and the timestamps that put a session at an instant.
SESSION_RULES: dict[str, tuple[Callable[[Retention], Delete], Callable[[int], dict[str, Any]]]] = {
    "expired": (lambda r: r.delete_expired_sessions, lambda at: {"expires_at": at}),
    "revoked": (lambda r: r.delete_revoked_sessions, lambda at: {"revoked_at": at}),
    "idle": (lambda r: r.delete_idle_sessions, lambda at: {"last_used_at": at}),
}


async def drain(delete: Delete, before: int, limit: int) -> list[int]:
    """Every batch's count, until a batch comes back short."""
    counts = [await delete(before, limit)]
    while counts[-1] == limit:
        counts.append(await delete(before, limit))
    return counts


async def stored(stores: Stores, sessions: list[Session]) -> set[str]:
    return {session.id for session in sessions if await stores.sessions.get(session.id)}


# Sessions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted(SESSION_RULES))
async def test_a_session_goes_a_second_before_the_bound_and_stays_at_it(
    stores: Stores, rule: str
) -> None:
    method, at = SESSION_RULES[rule]
    before, on, after = [await a_session_with(stores, **at(BOUND + d)) for d in (-1, 0, 1)]

    assert await method(stores.retention)(BOUND, 100) == 1

    assert await stored(stores, [before, on, after]) == {on.id, after.id}
    assert await stores.sessions.list_for_user(before.user_id) == []
    assert await method(stores.retention)(BOUND, 100) == 0


@settings(max_examples=15, deadline=None)
@given(
    rule=st.sampled_from(sorted(SESSION_RULES)),
    offsets=st.lists(st.integers(min_value=-2, max_value=2), min_size=1, max_size=6),
    limit=st.integers(min_value=1, max_value=4),
)
@example(rule="idle", offsets=[-1, -1, -1, -1], limit=2)  # a batch exactly full, then an empty one
async def test_exactly_the_sessions_before_the_bound_go_batch_by_batch(
    store_factory: StoreFactory, rule: str, offsets: list[int], limit: int
) -> None:
    method, at = SESSION_RULES[rule]
    async with store_factory() as stores:
        made = [await a_session_with(stores, **at(BOUND + d)) for d in offsets]
        kept = {session.id for session, d in zip(made, offsets, strict=True) if d >= 0}

        counts = await drain(method(stores.retention), BOUND, limit)

        assert all(count <= limit for count in counts)
        assert sum(counts) == len(made) - len(kept)
        assert await stored(stores, made) == kept


async def test_a_live_session_is_never_taken_for_a_revoked_one(stores: Stores) -> None:
    live = await a_session_with(stores, expires_at=FAR, last_used_at=NOW)

    assert await stores.retention.delete_revoked_sessions(FAR, 100) == 0
    assert await stores.sessions.get(live.id) == live


async def test_removing_a_revoked_session_leaves_its_revocation_entry(stores: Stores) -> None:
    session = await a_session_with(stores, revoked_at=BOUND - 1)

    assert await stores.retention.delete_revoked_sessions(BOUND, 100) == 1

    [entry] = await stores.revocation_log.revocations_after(0, 10)
    assert (entry.session_id, entry.revoked_at) == (session.id, BOUND - 1)
    assert await stores.revocation_log.revoked_since(BOUND - 1) == [session.id]


async def test_the_rules_are_independent(stores: Stores) -> None:
    expired = await a_session_with(stores, expires_at=BOUND - 1)
    revoked = await a_session_with(stores, revoked_at=BOUND - 1)
    idle = await a_session_with(stores, last_used_at=BOUND - 1)
    everyone = [expired, revoked, idle]

    assert await stores.retention.delete_expired_sessions(BOUND, 100) == 1
    assert await stored(stores, everyone) == {revoked.id, idle.id}
    assert await stores.retention.delete_revoked_sessions(BOUND, 100) == 1
    assert await stored(stores, everyone) == {idle.id}
    assert await stores.retention.delete_idle_sessions(BOUND, 100) == 1
    assert await stored(stores, everyone) == set()


# The revocation log -----------------------------------------------------------------------------


async def revoked_at(stores: Stores, *instants: int) -> list[str]:
    """Revoke one new session at each instant, in this order; their ids."""
    return [(await a_session_with(stores, revoked_at=at)).id for at in instants]


async def logged(stores: Stores) -> list[str]:
    return [entry.session_id for entry in await stores.revocation_log.revocations_after(0, 1000)]


async def test_revocation_entries_before_the_bound_go_and_the_rest_stay(stores: Stores) -> None:
    ids = await revoked_at(stores, BOUND - 2, BOUND - 1, BOUND, BOUND + 1)

    assert await stores.retention.delete_revocations(BOUND, 100) == 2

    assert await logged(stores) == ids[2:]
    # What restoring the deny-list reads from the bound on is all still there.
    assert sorted(await stores.revocation_log.revoked_since(BOUND)) == sorted(ids[2:])
    assert await stores.retention.delete_revocations(BOUND, 100) == 0


async def test_the_newest_entry_stays_however_old_and_new_cursors_stay_above_it(
    stores: Stores,
) -> None:
    first, second, newest = await revoked_at(stores, BOUND - 3, BOUND - 2, BOUND - 1)
    [*_, newest_entry] = await stores.revocation_log.revocations_after(0, 10)

    assert await stores.retention.delete_revocations(BOUND, 100) == 2
    assert await logged(stores) == [newest]

    [later] = await revoked_at(stores, BOUND + 5)
    [*_, later_entry] = await stores.revocation_log.revocations_after(0, 10)
    assert later_entry.session_id == later
    assert later_entry.cursor > newest_entry.cursor
    # Now the old one is no longer the newest, and goes.
    assert await stores.retention.delete_revocations(BOUND, 100) == 1
    assert await logged(stores) == [later]
    assert first not in await logged(stores)
    assert second not in await logged(stores)


async def test_a_feed_client_whose_cursor_was_purged_reads_on_without_a_gap(
    stores: Stores,
) -> None:
    ids = await revoked_at(stores, BOUND - 3, BOUND - 2, BOUND - 1)
    entries = await stores.revocation_log.revocations_after(0, 10)
    behind, caught_up = entries[0].cursor, entries[-1].cursor

    await stores.retention.delete_revocations(BOUND, 100)
    [new] = await revoked_at(stores, BOUND + 1)

    assert [e.session_id for e in await stores.revocation_log.revocations_after(behind, 10)] == [
        ids[-1],
        new,
    ]
    assert [e.session_id for e in await stores.revocation_log.revocations_after(caught_up, 10)] == [
        new
    ]


@settings(max_examples=15, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=-2, max_value=2), min_size=1, max_size=6),
    limit=st.integers(min_value=1, max_value=4),
)
async def test_exactly_the_old_entries_but_the_newest_go_batch_by_batch(
    store_factory: StoreFactory, offsets: list[int], limit: int
) -> None:
    async with store_factory() as stores:
        ids = await revoked_at(stores, *(BOUND + d for d in offsets))
        newest = len(ids) - 1
        kept = [
            sid
            for i, (sid, d) in enumerate(zip(ids, offsets, strict=True))
            if d >= 0 or i == newest
        ]

        counts = await drain(stores.retention.delete_revocations, BOUND, limit)

        assert sum(counts) == len(ids) - len(kept)
        assert await logged(stores) == kept


# Connect tokens ---------------------------------------------------------------------------------


async def test_connect_token_records_go_a_second_before_the_bound(stores: Stores) -> None:
    user_id = await a_user(stores)
    for token_id, d in (("ctk-a", -1), ("ctk-b", 0), ("ctk-c", 1)):
        assert await stores.issued_tokens.record(
            user_id, a_token(token_id, expires_at=BOUND + d), NOW
        )

    assert await stores.retention.delete_connect_tokens(BOUND, 100) == 1

    assert await stores.issued_tokens.live_for(user_id, NOW) == ["ctk-b", "ctk-c"]
    assert await stores.retention.delete_connect_tokens(BOUND, 100) == 0


async def test_connect_token_records_go_in_batches(stores: Stores) -> None:
    user_id = await a_user(stores)
    for index in range(5):
        await stores.issued_tokens.record(user_id, a_token(f"ctk-{index}", expires_at=NOW), NOW)

    assert await drain(stores.retention.delete_connect_tokens, BOUND, 2) == [2, 2, 1]
    assert await stores.issued_tokens.live_for(user_id, 0) == []
