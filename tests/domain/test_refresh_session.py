import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import InvalidAccessToken, InvalidRefreshToken, RefreshTokenReused
from domain.model import PASSWORD_AMR, TokenPair
from domain.policy import SessionPolicy
from tests.domain.conftest import POLICY, World, build_world


async def login(world: World) -> TokenPair:
    return await world.start_session.execute("user-1", PASSWORD_AMR)


async def test_refresh_rotates_and_keeps_the_session(world: World) -> None:
    first = await login(world)
    world.clock.advance(60)
    second = await world.refresh.execute(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    before = await world.authenticate.execute(first.access_token)
    after = await world.authenticate.execute(second.access_token)
    assert after.session_id == before.session_id
    assert after.auth_time == before.auth_time


async def test_an_unknown_refresh_token_is_refused(world: World) -> None:
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute("never-issued")


@settings(max_examples=60, deadline=None)
@given(delay=st.integers(0, 120), grace=st.integers(0, 60))
async def test_replay_inside_the_grace_window_gets_a_pair_of_the_same_session(
    delay: int, grace: int
) -> None:
    world = build_world(SessionPolicy(**{**POLICY_FIELDS, "refresh_reuse_grace_s": grace}))
    first = await login(world)
    await world.refresh.execute(first.refresh_token)
    world.clock.advance(delay)
    if delay < grace:
        again = await world.refresh.execute(first.refresh_token)
        principal = await world.authenticate.execute(again.access_token)
        assert (
            principal.session_id
            == (await world.authenticate.execute(first.access_token)).session_id
        )
    else:
        with pytest.raises(RefreshTokenReused):
            await world.refresh.execute(first.refresh_token)
        with pytest.raises(InvalidAccessToken):
            await world.authenticate.execute(first.access_token)


POLICY_FIELDS = {
    "access_token_ttl_s": POLICY.access_token_ttl_s,
    "session_lifetime_s": POLICY.session_lifetime_s,
    "session_idle_timeout_s": POLICY.session_idle_timeout_s,
    "clock_leeway_s": POLICY.clock_leeway_s,
}


async def test_reuse_after_the_window_revokes_every_token_of_the_session(world: World) -> None:
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    world.clock.advance(POLICY.refresh_reuse_grace_s)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(second.refresh_token)
    with pytest.raises(InvalidAccessToken):
        await world.authenticate.execute(second.access_token)


async def test_a_second_replay_inside_the_window_is_theft(world: World) -> None:
    first = await login(world)
    await world.refresh.execute(first.refresh_token)
    assert await world.refresh.execute(first.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)


async def test_grace_pairs_each_keep_working(world: World) -> None:
    first = await login(world)
    tab_a = await world.refresh.execute(first.refresh_token)
    tab_b = await world.refresh.execute(first.refresh_token)
    world.clock.advance(120)
    assert await world.refresh.execute(tab_a.refresh_token)
    assert await world.refresh.execute(tab_b.refresh_token)


async def test_concurrent_refreshes_both_succeed_within_grace_and_rotate_once(world: World) -> None:
    first = await login(world)
    results = await asyncio.gather(
        world.refresh.execute(first.refresh_token), world.refresh.execute(first.refresh_token)
    )
    assert results[0].refresh_token != results[1].refresh_token


async def test_concurrent_refreshes_without_grace_let_exactly_one_win() -> None:
    world = build_world(SessionPolicy(**{**POLICY_FIELDS, "refresh_reuse_grace_s": 0}))
    first = await login(world)
    results = await asyncio.gather(
        world.refresh.execute(first.refresh_token),
        world.refresh.execute(first.refresh_token),
        return_exceptions=True,
    )
    assert sum(isinstance(result, TokenPair) for result in results) == 1
    assert sum(isinstance(result, RefreshTokenReused) for result in results) == 1


@settings(max_examples=60, deadline=None)
@given(idle=st.integers(0, 2 * POLICY.session_idle_timeout_s))
async def test_a_session_idle_too_long_cannot_be_refreshed(idle: int) -> None:
    world = build_world()
    first = await login(world)
    world.clock.advance(idle)
    if idle < POLICY.session_idle_timeout_s:
        assert await world.refresh.execute(first.refresh_token)
    else:
        with pytest.raises(InvalidRefreshToken):
            await world.refresh.execute(first.refresh_token)


async def test_a_session_ends_at_its_absolute_lifetime_however_active(world: World) -> None:
    start = world.clock.now()
    pair = await login(world)
    step = POLICY.session_idle_timeout_s - 1
    while world.clock.now() + step < start + POLICY.session_lifetime_s:
        world.clock.advance(step)
        pair = await world.refresh.execute(pair.refresh_token)
    world.clock.set(start + POLICY.session_lifetime_s)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)


async def test_a_logged_out_session_cannot_be_refreshed(world: World) -> None:
    pair = await login(world)
    principal = await world.authenticate.execute(pair.access_token)
    await world.end_session.execute(
        principal.session_id, user_id=principal.user_id, reason="logout"
    )
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)


async def test_an_access_token_never_outlives_its_session() -> None:
    lifetime = POLICY.session_lifetime_s
    world = build_world(SessionPolicy(**{**POLICY_FIELDS, "session_idle_timeout_s": lifetime}))
    start = world.clock.now()
    pair = await login(world)
    world.clock.set(start + POLICY.session_lifetime_s - 60)
    late = await world.refresh.execute(pair.refresh_token)
    assert late.expires_in == 60
    grant = world.tokens.decode(late.access_token)
    assert grant.expires_at == start + POLICY.session_lifetime_s
