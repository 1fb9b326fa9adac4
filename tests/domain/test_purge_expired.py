"""PurgeExpired over the fakes: the cut-offs to the second, and that nothing a token, the
deny-list, the session list or the revocation feed still needs is ever removed."""

import contextlib
from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.credentials import new_id
from domain.errors import AuthenticationFailed, InvalidAccessToken
from domain.model import PASSWORD_AMR, IssuedConnectToken, Session
from domain.policy import SessionPolicy
from domain.retention import RetentionCutoffs, retention_cutoffs
from domain.usecases.authenticate import Authenticate
from domain.usecases.list_sessions import ListSessions
from domain.usecases.purge_expired import Purged, PurgeExpired
from domain.usecases.restore_revocations import RestoreRevocations
from tests.contracts.test_sessions_contract import a_chain, a_hash
from tests.domain.conftest import POLICY, World, build_world
from tests.fakes.fake_retention import FakeRetention
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions

# Short spans, so that a few steps reach every end of a session.
SHORT = SessionPolicy(
    access_token_ttl_s=900,
    session_lifetime_s=5_000,
    session_idle_timeout_s=1_200,
    refresh_reuse_grace_s=30,
    clock_leeway_s=30,
)


def purge_of(world: World, batch_size: int = 1000) -> PurgeExpired:
    retention = FakeRetention(world.sessions, world.issued_tokens)
    return PurgeExpired(retention, world.clock, world.policy, batch_size=batch_size)


async def a_session(world: World, user_id: str = "user-1", /, **timestamps: int) -> Session:
    now = world.clock.now()
    session = Session(
        id=new_id(),
        user_id=user_id,
        auth_time=now,
        amr=PASSWORD_AMR,
        created_at=now,
        last_used_at=timestamps.get("last_used_at", now),
        expires_at=timestamps.get("expires_at", now + world.policy.session_lifetime_s),
    )
    assert await world.sessions.create(session, a_hash(), a_chain())
    if "revoked_at" in timestamps:
        assert await world.sessions.revoke(session.id, timestamps["revoked_at"])
    return session


# The cut-offs -----------------------------------------------------------------------------------


def test_the_cutoffs_at_the_default_policy() -> None:
    now = 1_800_000_000

    assert retention_cutoffs(now, SessionPolicy()) == RetentionCutoffs(
        expired_before=now - 30,
        revoked_before=now - 930,
        used_before=now - 1_209_600,
        revocations_before=now - 930,
        connect_tokens_before=now - 30,
    )


@given(
    now=st.integers(min_value=0, max_value=2**40),
    ttl=st.integers(min_value=1, max_value=10**6),
    idle=st.integers(min_value=1, max_value=10**7),
    leeway=st.integers(min_value=0, max_value=300),
)
def test_an_idle_session_stays_while_its_last_access_token_may_be_accepted(
    now: int, ttl: int, idle: int, leeway: int
) -> None:
    policy = SessionPolicy(
        access_token_ttl_s=ttl, session_idle_timeout_s=idle, clock_leeway_s=leeway
    )

    used_before = retention_cutoffs(now, policy).used_before

    assert used_before == min(now - idle, now - ttl - leeway)


# Each kind, to the second -----------------------------------------------------------------------


async def purged_at(world: World, instant: int) -> Purged:
    world.clock.set(instant)
    return await purge_of(world).execute()


async def test_an_expired_session_stays_for_the_leeway_then_goes(world: World) -> None:
    session = await a_session(world, expires_at=world.clock.now() + 100, last_used_at=10**12)
    end = session.expires_at + POLICY.clock_leeway_s

    assert await purged_at(world, end) == Purged()
    assert await world.sessions.get(session.id) is not None
    assert await purged_at(world, end + 1) == Purged(expired_sessions=1)
    assert await world.sessions.get(session.id) is None


async def test_a_revoked_session_stays_while_its_access_tokens_live_then_goes(
    world: World,
) -> None:
    revoked_at = world.clock.now()
    session = await a_session(world, revoked_at=revoked_at)
    end = revoked_at + POLICY.revocation_ttl_s

    assert await purged_at(world, end) == Purged()
    assert await purged_at(world, end + 1) == Purged(revoked_sessions=1)
    assert await world.sessions.get(session.id) is None


async def test_an_idle_session_stays_for_the_idle_timeout_then_goes(world: World) -> None:
    session = await a_session(world)
    end = session.last_used_at + POLICY.session_idle_timeout_s

    assert await purged_at(world, end) == Purged()
    assert await purged_at(world, end + 1) == Purged(idle_sessions=1)


async def test_a_revocation_entry_stays_while_restore_reads_it_then_goes(world: World) -> None:
    revoked_at = world.clock.now()
    first = await a_session(world, revoked_at=revoked_at)
    # A later entry, so that the first is not the newest (the newest always stays).
    await a_session(world, "user-2", revoked_at=revoked_at + 10**6)
    end = revoked_at + POLICY.revocation_ttl_s

    assert (await purged_at(world, end)).revocations == 0
    assert first.id in await world.revocation_log.revoked_since(0)
    assert (await purged_at(world, end + 1)).revocations == 1
    assert first.id not in await world.revocation_log.revoked_since(0)


async def test_a_connect_token_record_stays_for_the_leeway_after_expiry_then_goes(
    world: World,
) -> None:
    expires_at = world.clock.now() + 300
    token = IssuedConnectToken("ctk-1", "ctk1_secret", expires_at)
    assert await world.issued_tokens.record("user-1", token, world.clock.now())
    end = expires_at + POLICY.clock_leeway_s

    assert await purged_at(world, end) == Purged()
    assert await world.issued_tokens.live_for("user-1", expires_at - 1) == ["ctk-1"]
    assert await purged_at(world, end + 1) == Purged(connect_tokens=1)
    assert await world.issued_tokens.live_for("user-1", expires_at - 1) == []


async def test_counts_add_up_over_batches_and_a_session_counts_once(world: World) -> None:
    now = world.clock.now()
    for _ in range(5):
        # Both expired and idle: it counts as expired, the first rule that takes it.
        await a_session(world, expires_at=now - 10**5, last_used_at=now - 10**5)
    for _ in range(3):
        await a_session(world, last_used_at=now - 10**5)

    purged = await purge_of(world, batch_size=2).execute()

    assert purged == Purged(expired_sessions=5, idle_sessions=3)
    assert (purged.sessions, purged.total) == (8, 8)
    assert await purge_of(world, batch_size=2).execute() == Purged()


def test_a_batch_holds_at_least_one_row(world: World) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        purge_of(world, batch_size=0)


# What the rest of the service reads stays as it was ---------------------------------------------

offsets = st.integers(min_value=-5_000, max_value=5_000)


@settings(max_examples=60, deadline=None)
@given(
    shapes=st.lists(st.tuples(offsets, offsets, st.none() | offsets), min_size=1, max_size=8),
)
async def test_a_purge_changes_neither_the_session_list_nor_a_deny_list_restore(
    shapes: list[tuple[int, int, int | None]],
) -> None:
    world = build_world(SHORT)
    now = world.clock.now()
    for last_used, expires, revoked in shapes:
        stamps = {"last_used_at": now + last_used, "expires_at": now + expires}
        if revoked is not None:
            stamps["revoked_at"] = now + revoked
        await a_session(world, **stamps)
    listed = ListSessions(world.sessions, world.clock, world.policy)
    before_list = await listed.execute("user-1")
    before_restore = await restored(world)

    await purge_of(world).execute()

    assert await listed.execute("user-1") == before_list
    assert await restored(world) == before_restore


async def restored(world: World) -> dict[str, int]:
    deny_list = FakeRevokedSessions()
    await RestoreRevocations(world.revocation_log, deny_list, world.clock, world.policy).execute()
    return deny_list.entries


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=1_500), st.sampled_from(["refresh", "logout", "wait"])
    ),
    max_size=15,
)


@settings(max_examples=100, deadline=None)
@given(steps=steps)
# A token issued at the last second of the session, then the first seconds it may go.
@example(steps=[(1_199, "refresh")] * 4 + [(203, "refresh"), (2, "wait"), (29, "wait")])
# A token issued at the instant of the logout.
@example(steps=[(100, "refresh"), (0, "logout"), (901, "wait"), (29, "wait")])
async def test_whatever_a_purge_removed_no_access_token_of_it_is_accepted_any_more(
    steps: list[tuple[int, str]],
) -> None:
    """Were a row removed early, an account deletion or a restarted deny-list would miss a
    token still accepted; judged here without any deny-list, on time alone."""
    world = build_world(SHORT)
    purge = purge_of(world, batch_size=1)
    on_time_alone = Authenticate(world.tokens, FakeRevokedSessions(), world.clock, world.policy)
    pair = await world.start_session.execute("user-1", PASSWORD_AMR)
    session_id = (await world.authenticate.execute(pair.access_token)).session_id
    access_tokens, refresh_token = [pair.access_token], pair.refresh_token
    for advance, action in steps:
        world.clock.advance(advance)
        if action == "refresh":
            with contextlib.suppress(AuthenticationFailed):
                pair = await world.refresh.execute(refresh_token)
                access_tokens.append(pair.access_token)
                refresh_token = pair.refresh_token
        elif action == "logout":
            await world.end_session.execute(session_id, user_id="user-1", reason="logout")
        # Someone else's logout, so that this session's entry is not the newest in the log.
        filler = await a_session(world, "user-2")
        await world.sessions.revoke(filler.id, world.clock.now())

        logged = session_id in await world.revocation_log.revoked_since(0)

        await purge.execute()

        row_gone = await world.sessions.get(session_id) is None
        entry_gone = logged and session_id not in await world.revocation_log.revoked_since(0)
        if row_gone or entry_gone:
            for token in access_tokens:
                with pytest.raises(InvalidAccessToken):
                    await on_time_alone.execute(token)


async def test_in_the_end_only_the_newest_revocation_entry_is_left() -> None:
    world = build_world(SHORT)
    for user_id in ("user-1", "user-2"):
        pair = await world.start_session.execute(user_id, PASSWORD_AMR)
        await world.refresh.execute(pair.refresh_token)
    await world.end_session.execute(
        (await world.sessions.list_for_user("user-1"))[0].id, user_id="user-1", reason="logout"
    )
    await world.issued_tokens.record(
        "user-1", IssuedConnectToken("ctk-1", "ctk1_secret", world.clock.now() + 60), 0
    )
    world.clock.advance(SHORT.session_lifetime_s + SHORT.revocation_ttl_s + 1)

    purged = await purge_of(world).execute()

    assert purged == replace(Purged(), expired_sessions=2, connect_tokens=1)
    assert await world.sessions.list_for_user("user-1") == []
    assert await world.sessions.list_for_user("user-2") == []
    assert len(await world.revocation_log.revoked_since(0)) == 1
