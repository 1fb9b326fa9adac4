"""Why a Bearer token was refused, as the metric label: each rule of `Authenticate` has its own.

`token_refusals.py` reads the reason from the domain's message, so these messages are part of
what operators see (`access_token_refusals_total{reason}`, docs/operations.md).
"""

import pytest

from domain.errors import InvalidAccessToken
from domain.model import PASSWORD_AMR, AccessGrant
from entrypoints.web.token_refusals import refusal_reason
from tests.domain.conftest import POLICY, build_world
from tests.fakes.fake_clock import START as NOW

LEEWAY, TTL = POLICY.clock_leeway_s, POLICY.access_token_ttl_s


@pytest.mark.parametrize(
    ("issued_at", "expires_at", "auth_time", "reason"),
    [
        (NOW - TTL - LEEWAY, NOW - LEEWAY, NOW - TTL - LEEWAY, "expired"),
        (NOW + LEEWAY + 1, NOW + LEEWAY + 1 + TTL, NOW + LEEWAY + 1, "not_yet_valid"),
        (NOW, NOW + TTL + 1, NOW, "lifetime_too_long"),
        (NOW, NOW + TTL, NOW + 1, "bad_auth_time"),
    ],
)
async def test_each_time_rule_has_its_own_reason(
    issued_at: int, expires_at: int, auth_time: int, reason: str
) -> None:
    world = build_world()
    grant = AccessGrant("user-1", "s-1", "jti", issued_at, expires_at, auth_time, PASSWORD_AMR)
    with pytest.raises(InvalidAccessToken) as refused:
        await world.authenticate.execute(world.tokens.issue(grant))
    assert refusal_reason(refused.value) == reason


async def test_a_token_of_an_ended_session_says_so() -> None:
    world = build_world()
    pair = await world.start_session.execute("user-1", PASSWORD_AMR)
    principal = await world.authenticate.execute(pair.access_token)
    await world.end_session.execute(principal.session_id, user_id="user-1", reason="logout")
    with pytest.raises(InvalidAccessToken) as refused:
        await world.authenticate.execute(pair.access_token)
    assert refusal_reason(refused.value) == "session_ended"
