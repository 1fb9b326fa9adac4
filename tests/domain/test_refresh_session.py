import asyncio
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credentials import refresh_token_hash
from domain.errors import InvalidAccessToken, InvalidRefreshToken, RefreshTokenReused
from domain.model import PASSWORD_AMR, Session, TokenPair
from domain.policy import SessionPolicy
from domain.ports.audit import AuditAction
from domain.refresh_chain import RefreshChain
from domain.usecases.refresh_session import RefreshSession
from tests.domain.conftest import POLICY, World, build_world
from tests.fakes.fake_sessions import FakeSessions


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


@pytest.mark.parametrize(
    "token",
    [
        "never-issued",
        "",
        "a" * 43,  # the shape of a token from before chains, never issued
        f"{'a' * 22}.0.{'b' * 43}",  # the shape of a chain token, of no chain
        f"{'a' * 22}.01.{'b' * 43}",
        f"{'a' * 22}.{10**13}.{'b' * 43}",
    ],
)
async def test_a_token_of_no_session_is_refused(world: World, token: str) -> None:
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(token)


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=120))
async def test_any_text_is_refused_without_harm(token: str) -> None:
    world = build_world()
    pair = await login(world)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(token)
    assert await world.refresh.execute(pair.refresh_token)


@settings(max_examples=60, deadline=None)
@given(delay=st.integers(0, 120), grace=st.integers(0, 60))
async def test_the_predecessor_in_the_window_gets_the_same_successor(
    delay: int, grace: int
) -> None:
    world = build_world(SessionPolicy(**{**POLICY_FIELDS, "refresh_reuse_grace_s": grace}))
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    world.clock.advance(delay)
    if delay < grace:
        again = await world.refresh.execute(first.refresh_token)
        assert again.refresh_token == second.refresh_token
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
    assert [event.action for event in world.audit.events][-2:] == [
        AuditAction.REFRESH_TOKEN_REUSED,
        AuditAction.SESSION_ENDED,
    ]


async def test_once_the_successor_was_presented_the_predecessor_is_reuse_even_in_the_window(
    world: World,
) -> None:
    """The attack this model stops: the client rotated A to B and used B; a thief replaying A a
    second later must not get a chain of its own."""
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    third = await world.refresh.execute(second.refresh_token)
    world.clock.advance(1)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(third.refresh_token)


async def test_a_token_long_rotated_away_is_reuse_for_the_sessions_whole_life(
    world: World,
) -> None:
    first = await login(world)
    pair = first
    for _ in range(20):
        world.clock.advance(POLICY.session_idle_timeout_s - 1)
        pair = await world.refresh.execute(pair.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(pair.refresh_token)


def _with_secret(token: str, secret: str) -> str:
    chain_id, generation, _ = token.split(".")
    return f"{chain_id}.{generation}.{secret}"


def _with_generation(token: str, generation: int) -> str:
    chain_id, _, secret = token.split(".")
    return f"{chain_id}.{generation}.{secret}"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: _with_secret(token, "x" * 43),
        lambda token: _with_generation(token, 2),
        lambda token: _with_generation(token, 7),
    ],
    ids=["wrong secret", "next generation", "far generation"],
)
async def test_a_tampered_token_naming_a_chain_ends_its_session(
    world: World, tamper: Callable[[str], str]
) -> None:
    """Only a holder of one of its tokens knows a chain's id: anything but its current token or
    the predecessor in the window comes from someone who should not be refreshing it."""
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(tamper(second.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(second.refresh_token)


async def test_retries_converge_on_one_successor_and_the_chain_moves_once(world: World) -> None:
    first = await login(world)
    results = await asyncio.gather(*(world.refresh.execute(first.refresh_token) for _ in range(5)))
    assert len({pair.refresh_token for pair in results}) == 1
    third = await world.refresh.execute(results[0].refresh_token)
    world.clock.advance(1)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(first.refresh_token)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(third.refresh_token)


class _LosesTheRace(FakeSessions):
    """A store where another worker advances the chain just before this caller tries to."""

    def __init__(self, inner: FakeSessions, rival: RefreshSession, presented: str) -> None:
        self._inner, self._rival, self._presented = inner, rival, presented
        self.raced = False
        self.winner: TokenPair | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        if not self.raced:
            self.raced = True
            self.winner = await self._rival.execute(self._presented)
        return await self._inner.advance(session_id, from_generation, chain_id_hash, chain)


async def test_losing_the_race_to_advance_gets_the_winners_successor(world: World) -> None:
    first = await login(world)
    racing = _LosesTheRace(world.sessions, world.refresh, first.refresh_token)
    loser = replace(world.refresh, sessions=racing)
    pair = await loser.execute(first.refresh_token)
    assert racing.winner is not None
    assert pair.refresh_token == racing.winner.refresh_token
    assert await world.refresh.execute(pair.refresh_token)


async def test_losing_the_race_without_a_grace_window_is_reuse() -> None:
    world = build_world(SessionPolicy(**{**POLICY_FIELDS, "refresh_reuse_grace_s": 0}))
    first = await login(world)
    racing = _LosesTheRace(world.sessions, world.refresh, first.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await replace(world.refresh, sessions=racing).execute(first.refresh_token)


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


async def test_a_new_key_derives_new_successors_and_the_window_still_converges(
    world: World,
) -> None:
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    world.keys.add("key-2")
    assert (await world.refresh.execute(first.refresh_token)).refresh_token == (
        second.refresh_token
    )
    third = await world.refresh.execute(second.refresh_token)
    world.keys.remove("key-1")
    assert (await world.refresh.execute(second.refresh_token)).refresh_token == (
        third.refresh_token
    )


async def test_a_successor_whose_key_was_removed_is_not_given_again(world: World) -> None:
    first = await login(world)
    second = await world.refresh.execute(first.refresh_token)
    world.keys.add("key-2")
    world.keys.remove("key-1")
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(first.refresh_token)
    assert await world.refresh.execute(second.refresh_token)


async def test_a_session_from_before_chains_is_adopted_by_its_last_token(world: World) -> None:
    legacy = "L" * 43
    now = world.clock.now()
    session = Session("old-session", "user-1", now, PASSWORD_AMR, now, now, now + 3600)
    world.sessions.seed_legacy(session, refresh_token_hash(legacy))
    adopted = await world.refresh.execute(legacy)
    assert adopted.refresh_token.split(".")[1] == "1"
    assert (await world.refresh.execute(legacy)).refresh_token == adopted.refresh_token
    assert (await world.authenticate.execute(adopted.access_token)).session_id == "old-session"
    onward = await world.refresh.execute(adopted.refresh_token)
    with pytest.raises(RefreshTokenReused):
        await world.refresh.execute(legacy)
    with pytest.raises(InvalidRefreshToken):
        await world.refresh.execute(onward.refresh_token)


@settings(max_examples=150, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 45)), min_size=1, max_size=12))
async def test_every_presented_token_is_judged_by_the_one_chain_model(
    steps: list[tuple[int, int]],
) -> None:
    """A reference model in other words: the chain is the list of tokens handed out; only the
    last is current; the one before it is honoured, with the last, while the window since the
    last was handed out is open; anything else ends the session for good."""
    world = build_world()
    issued = [(await login(world)).refresh_token]
    handed_at = world.clock.now()
    alive = True
    for back, wait in steps:
        world.clock.advance(wait)
        index = max(0, len(issued) - 1 - back)
        outcome: TokenPair | Exception
        try:
            outcome = await world.refresh.execute(issued[index])
        except (InvalidRefreshToken, RefreshTokenReused) as error:
            outcome = error
        current = index == len(issued) - 1
        in_window = (
            index == len(issued) - 2
            and world.clock.now() - handed_at < POLICY.refresh_reuse_grace_s
        )
        if not alive:
            assert type(outcome) is InvalidRefreshToken
        elif current:
            assert isinstance(outcome, TokenPair)
            issued.append(outcome.refresh_token)
            handed_at = world.clock.now()
        elif in_window:
            assert isinstance(outcome, TokenPair)
            assert outcome.refresh_token == issued[-1]
        else:
            assert type(outcome) is RefreshTokenReused
            alive = False


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
    assert late.session_expires_in == 60, "a refresh cookie lives as long as its session"
    grant = world.tokens.decode(late.access_token)
    assert grant.expires_at == start + POLICY.session_lifetime_s


async def test_the_pair_given_again_in_the_window_expires_with_the_one_of_the_advance(
    world: World,
) -> None:
    """The session's idle clock starts at the advance; no access token may outlive it."""
    first = await login(world)
    world.clock.advance(60)
    second = await world.refresh.execute(first.refresh_token)
    advanced_at = world.clock.now()
    world.clock.advance(POLICY.refresh_reuse_grace_s - 1)
    again = await world.refresh.execute(first.refresh_token)
    assert again.refresh_token == second.refresh_token
    expected = advanced_at + POLICY.access_token_ttl_s
    assert world.tokens.decode(again.access_token).expires_at == expected
    assert again.expires_in == expected - world.clock.now()
