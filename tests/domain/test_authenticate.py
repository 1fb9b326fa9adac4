import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import AccessTokenRefusal as Refusal
from domain.errors import InvalidAccessToken
from domain.model import PASSWORD_AMR, AccessGrant
from tests.domain.conftest import POLICY, World, build_world

NOW = 1_800_000_000
LEEWAY = POLICY.clock_leeway_s
TTL = POLICY.access_token_ttl_s


def grant(issued_at: int, expires_at: int, auth_time: int) -> AccessGrant:
    return AccessGrant("user-1", "session-1", "jti", issued_at, expires_at, auth_time, PASSWORD_AMR)


@settings(max_examples=200, deadline=None)
@given(
    issued_at=st.integers(NOW - 2 * TTL, NOW + 2 * LEEWAY),
    lifetime=st.integers(-10, TTL + 10),
    auth_age=st.integers(-10, 10_000),
)
async def test_time_rules_accept_exactly_the_tokens_we_would_issue(
    issued_at: int, lifetime: int, auth_age: int
) -> None:
    world = build_world()
    expires_at, auth_time = issued_at + lifetime, issued_at - auth_age
    token = world.tokens.issue(grant(issued_at, expires_at, auth_time))
    # The first rule a token breaks is the reason it is refused for.
    broken = [
        (expires_at <= NOW - LEEWAY, Refusal.EXPIRED),
        (issued_at > NOW + LEEWAY, Refusal.NOT_YET_VALID),
        (lifetime > TTL, Refusal.LIFETIME_TOO_LONG),
        (auth_time > issued_at, Refusal.BAD_AUTH_TIME),
    ]
    reasons = [reason for breaks, reason in broken if breaks]
    if not reasons:
        principal = await world.authenticate.execute(token)
        assert (principal.user_id, principal.session_id) == ("user-1", "session-1")
    else:
        with pytest.raises(InvalidAccessToken) as refused:
            await world.authenticate.execute(token)
        assert refused.value.reason is reasons[0]


async def test_expiry_boundary_is_exp_plus_leeway(world: World) -> None:
    token = world.tokens.issue(grant(NOW - TTL, NOW, NOW - TTL))
    world.clock.set(NOW + LEEWAY - 1)
    assert await world.authenticate.execute(token)
    world.clock.set(NOW + LEEWAY)
    with pytest.raises(InvalidAccessToken) as refused:
        await world.authenticate.execute(token)
    assert refused.value.reason is Refusal.EXPIRED


async def test_an_ended_session_refuses_its_tokens_at_once_until_they_expire(world: World) -> None:
    pair = await world.start_session.execute("user-1", PASSWORD_AMR)
    principal = await world.authenticate.execute(pair.access_token)
    await world.end_session.execute(
        principal.session_id, user_id=principal.user_id, reason="logout"
    )
    with pytest.raises(InvalidAccessToken) as refused:
        await world.authenticate.execute(pair.access_token)
    assert refused.value.reason is Refusal.SESSION_ENDED
    assert world.revoked.entries[principal.session_id] == NOW + POLICY.revocation_ttl_s


async def test_who_am_i_refuses_a_token_that_outlived_its_user(world: World) -> None:
    with pytest.raises(InvalidAccessToken) as refused:
        await world.who_am_i.execute("deleted-user")
    assert refused.value.reason is Refusal.SESSION_ENDED


async def test_restart_restores_recent_revocations_only(world: World) -> None:
    old = await world.authenticate.execute(
        (await world.start_session.execute("user-1", PASSWORD_AMR)).access_token
    )
    await world.end_session.execute(old.session_id, user_id=old.user_id, reason="logout")
    world.clock.advance(POLICY.revocation_ttl_s + 1)
    recent_pair = await world.start_session.execute("user-1", PASSWORD_AMR)
    recent = await world.authenticate.execute(recent_pair.access_token)
    await world.end_session.execute(recent.session_id, user_id=recent.user_id, reason="logout")
    world.revoked.entries.clear()
    assert await world.restore_revocations.execute() == 1
    assert set(world.revoked.entries) == {recent.session_id}
    with pytest.raises(InvalidAccessToken) as refused:
        await world.authenticate.execute(recent_pair.access_token)
    assert refused.value.reason is Refusal.SESSION_ENDED
