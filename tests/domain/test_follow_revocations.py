"""FollowRevocations: every process follows the revocation log into its deny-list, from a
position, in pages, waiting a while for a gap in the cursors to fill."""

from dataclasses import dataclass, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.model import Revocation
from domain.usecases.follow_revocations import Followed, FollowRevocations, LogPosition
from tests.domain.conftest import POLICY, World, build_world

TTL = POLICY.revocation_ttl_s
GAP_WAIT_S = 60


def follower(world: World, *, page_size: int = 100) -> FollowRevocations:
    return FollowRevocations(
        world.revocation_log,
        world.revoked,
        world.clock,
        world.policy,
        page_size=page_size,
        gap_wait_s=GAP_WAIT_S,
    )


def append(world: World, session_id: str, revoked_at: int | None = None) -> int:
    """An entry in the log, as `Sessions.revoke` appends it; its cursor."""
    log = world.sessions.log
    cursor = log[-1].cursor + 1 if log else 1
    at = world.clock.now() if revoked_at is None else revoked_at
    log.append(Revocation(cursor, session_id, at))
    return cursor


def late(world: World, session_id: str) -> int:
    """An entry whose transaction took its cursor but has not committed yet."""
    cursor = append(world, session_id)
    world.revocation_log.uncommitted.add(cursor)
    return cursor


def commit(world: World) -> None:
    world.revocation_log.uncommitted.clear()


async def test_a_process_starts_from_the_first_entry_whose_tokens_may_still_be_live() -> None:
    world = build_world()
    now = world.clock.now()
    append(world, "too-old", now - TTL - 1)
    append(world, "oldest-live", now - TTL)
    append(world, "recent", now)

    followed = await follower(world).execute()

    assert followed == Followed(LogPosition(3), denied=2)
    assert world.revoked.entries == {"oldest-live": now + TTL, "recent": now + TTL}


async def test_an_empty_log_starts_at_zero_and_a_quiet_one_at_its_end() -> None:
    world = build_world()
    assert await follower(world).execute() == Followed(LogPosition(0), denied=0)

    append(world, "long-ago", world.clock.now() - TTL - 1)
    assert await follower(world).execute() == Followed(LogPosition(1), denied=0)
    assert world.revoked.entries == {}


async def test_each_round_denies_what_was_appended_since_until_now_plus_the_ttl() -> None:
    world = build_world()
    append(world, "before")
    started = await follower(world).execute()
    world.clock.advance(5)
    append(world, "first")
    append(world, "second")

    followed = await follower(world).execute(started.position)

    assert followed == Followed(LogPosition(3), denied=2)
    now = world.clock.now()
    assert world.revoked.entries == {
        "before": now - 5 + TTL,
        "first": now + TTL,
        "second": now + TTL,
    }
    assert await follower(world).execute(followed.position) == replace(followed, denied=0)


async def test_a_round_reads_every_page_until_a_short_one() -> None:
    for entries in (4, 5):
        world = build_world()
        for number in range(entries):
            append(world, f"s{number}")

        followed = await follower(world, page_size=2).execute(LogPosition(0))

        assert followed == Followed(LogPosition(entries), denied=entries)
        assert len(world.revoked.entries) == entries


async def test_an_entry_committed_after_a_later_one_is_still_denied() -> None:
    world = build_world()
    append(world, "one")
    late(world, "two")
    append(world, "three")
    append(world, "four")

    held = await follower(world).execute(LogPosition(0))

    start = world.clock.now()
    assert held == Followed(LogPosition(1, start, frozenset({3, 4})), denied=3)
    assert set(world.revoked.entries) == {"one", "three", "four"}
    world.clock.advance(1)
    commit(world)

    filled = await follower(world).execute(held.position)

    assert filled == Followed(LogPosition(4), denied=1)
    assert world.revoked.entries["two"] == start + 1 + TTL
    assert world.revoked.entries["four"] == start + TTL


async def test_a_gap_is_waited_for_during_the_gap_wait_then_given_up() -> None:
    world = build_world()
    append(world, "one")
    late(world, "rolled-back")
    append(world, "three")
    start = world.clock.now()
    position = (await follower(world).execute(LogPosition(0))).position
    held = LogPosition(1, start, frozenset({3}))
    assert position == held

    world.clock.advance(GAP_WAIT_S - 1)
    assert await follower(world).execute(position) == Followed(held, denied=0)

    world.clock.advance(1)
    assert await follower(world).execute(position) == Followed(LogPosition(3), denied=0)


async def test_a_gap_above_a_given_up_one_is_waited_for_afresh() -> None:
    world = build_world()
    append(world, "one")
    late(world, "rolled-back")
    append(world, "three")
    start = world.clock.now()
    position = (await follower(world).execute(LogPosition(0))).position
    append(world, "four")
    late(world, "slow")
    append(world, "six")
    world.clock.advance(GAP_WAIT_S)

    followed = await follower(world).execute(position)

    assert followed == Followed(LogPosition(4, start + GAP_WAIT_S, frozenset({6})), denied=2)
    assert set(world.revoked.entries) == {"one", "three", "four", "six"}


async def test_a_filled_gap_leaves_no_wait_behind_for_the_next_one() -> None:
    world = build_world()
    append(world, "one")
    late(world, "two")
    append(world, "three")
    position = (await follower(world).execute(LogPosition(0))).position
    commit(world)
    world.clock.advance(GAP_WAIT_S - 1)
    late(world, "four")
    append(world, "five")

    followed = await follower(world).execute(position)

    # The new gap is waited for from now, not from when the filled one was first seen.
    now = world.clock.now()
    assert followed == Followed(LogPosition(3, now, frozenset({5})), denied=2)


@dataclass(frozen=True)
class Step:
    kind: str  # "append", "late", "commit" or "round"
    seconds: int = 0


steps = st.lists(
    st.one_of(
        st.sampled_from([Step("append"), Step("late"), Step("commit")]),
        st.integers(0, 2).map(lambda seconds: Step("round", seconds)),
    ),
    max_size=25,
)


@settings(max_examples=200, deadline=None)
@given(steps=steps)
async def test_after_each_round_every_committed_entry_is_denied_and_counted_once(
    steps: list[Step],
) -> None:
    # Every late entry commits within the gap wait (the rounds advance at most 50 s in all).
    world = build_world(POLICY)
    follow = follower(world, page_size=3)
    followed = await follow.execute()
    counted = 0
    for number, step in enumerate(steps):
        if step.kind == "append":
            append(world, f"s{number}")
        elif step.kind == "late":
            late(world, f"s{number}")
        elif step.kind == "commit":
            commit(world)
        else:
            world.clock.advance(step.seconds)
            followed = await follow.execute(followed.position)
            counted += followed.denied
            visible = await world.revocation_log.revocations_after(0, 1000)
            now = world.clock.now()
            assert all([await world.revoked.contains(e.session_id, now) for e in visible])
            assert counted == len(visible) == len(world.revoked.entries)
