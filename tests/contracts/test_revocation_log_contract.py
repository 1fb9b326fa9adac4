"""The RevocationLog contract, run against every backend: what `Sessions.revoke` appended."""

from domain.credentials import new_id
from tests.contracts.conftest import Stores
from tests.contracts.test_sessions_contract import LATER, a_stored_session


async def test_revoked_since_lists_sessions_revoked_at_or_after_the_instant(
    stores: Stores,
) -> None:
    before, at, after, alive = [(await a_stored_session(stores))[0] for _ in range(4)]
    await stores.sessions.revoke(before.id, LATER - 1)
    await stores.sessions.revoke(at.id, LATER)
    await stores.sessions.revoke(after.id, LATER + 1)

    assert sorted(await stores.revocation_log.revoked_since(LATER)) == sorted([at.id, after.id])
    assert alive.id not in await stores.revocation_log.revoked_since(0)


async def test_the_log_pages_by_cursor_in_order(stores: Stores) -> None:
    first, second, third = [(await a_stored_session(stores))[0] for _ in range(3)]
    for offset, session in enumerate((second, first, third)):
        await stores.sessions.revoke(session.id, LATER + offset)
    await stores.sessions.revoke(second.id, LATER + 10)

    page = await stores.revocation_log.revocations_after(0, 2)
    assert [(entry.session_id, entry.revoked_at) for entry in page] == [
        (second.id, LATER),
        (first.id, LATER + 1),
    ]
    rest = await stores.revocation_log.revocations_after(page[-1].cursor, 10)
    assert [entry.session_id for entry in rest] == [third.id]
    assert await stores.revocation_log.revocations_after(rest[-1].cursor, 10) == []


async def test_a_revoke_that_changes_nothing_logs_nothing(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)

    assert await stores.sessions.revoke(new_id(), LATER) is False
    assert await stores.revocation_log.revoked_since(0) == []
    await stores.sessions.revoke(session.id, LATER)
    await stores.sessions.revoke(session.id, LATER + 1)

    assert await stores.revocation_log.revoked_since(0) == [session.id]


async def test_deleting_a_user_keeps_the_log(stores: Stores) -> None:
    session, _ = await a_stored_session(stores)
    await stores.sessions.revoke(session.id, LATER)

    assert await stores.users.delete(session.user_id) is True
    assert await stores.users.delete(session.user_id) is False

    assert await stores.users.by_id(session.user_id) is None
    assert await stores.revocation_log.revoked_since(LATER) == [session.id]
    log = await stores.revocation_log.revocations_after(0, 10)
    assert [entry.session_id for entry in log] == [session.id]


async def test_reading_on_from_the_cursor_before_an_instant_misses_no_entry_since(
    stores: Stores,
) -> None:
    log = stores.revocation_log
    assert await log.cursor_before(0) == 0
    old, at, after, early_clock = [(await a_stored_session(stores))[0] for _ in range(4)]
    await stores.sessions.revoke(old.id, LATER - 1)
    await stores.sessions.revoke(at.id, LATER)
    await stores.sessions.revoke(after.id, LATER + 1)
    # Appended last by a process whose clock is behind: a later cursor, an earlier instant.
    await stores.sessions.revoke(early_clock.id, LATER - 5)
    cursors = {entry.session_id: entry.cursor for entry in await log.revocations_after(0, 10)}

    assert await log.cursor_before(LATER) == cursors[at.id] - 1
    read_on = await log.revocations_after(await log.cursor_before(LATER), 10)
    assert [entry.session_id for entry in read_on] == [at.id, after.id, early_clock.id]
    assert await log.cursor_before(LATER - 5) == cursors[old.id] - 1
    # Nothing revoked since: the highest cursor, so that only what comes next is read.
    assert await log.cursor_before(LATER + 2) == cursors[early_clock.id]
    assert await log.revocations_after(await log.cursor_before(LATER + 2), 10) == []
