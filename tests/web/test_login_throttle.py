"""The login throttle on its own: parallel guesses each take their count before any password is
checked, so no more than the allowance ever get through."""

import asyncio

import pytest

from adapters.memory_rate_limits import InMemoryRateLimitCounters
from adapters.observability.prometheus_metrics import PrometheusMetrics as Metrics
from adapters.tokens.device_tokens import HmacDeviceTokens, device_token_keys
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from entrypoints.protection.login_throttle import LoginAdmission, LoginThrottle, account_key
from entrypoints.protection.rate_limits import RateLimited, RateLimiter
from entrypoints.settings import ACCOUNT_WIDE_FACTOR, RateLimitSettings
from tests.fakes.fake_clock import FakeClock

WINDOW = 60
PER_CLIENT = 3


@pytest.fixture
def throttle() -> LoginThrottle:
    clock = FakeClock(1_800_000_000 - 1_800_000_000 % WINDOW)
    limiter = RateLimiter(InMemoryRateLimitCounters(), clock, Metrics())
    keys = device_token_keys(load_signing_keys(generate_private_key_pem()))
    settings = RateLimitSettings(login_per_account=PER_CLIENT)
    return LoginThrottle(limiter, HmacDeviceTokens(keys), clock, settings)


async def admitted(throttle: LoginThrottle, client: str) -> LoginAdmission | None:
    try:
        return await throttle.admit("jane@example.com", client, None)
    except RateLimited:
        return None


async def test_parallel_guesses_from_one_client_get_only_the_allowance(
    throttle: LoginThrottle,
) -> None:
    results = await asyncio.gather(*(admitted(throttle, "198.51.100.1") for _ in range(20)))
    assert sum(result is not None for result in results) == PER_CLIENT


async def test_parallel_guesses_from_a_botnet_get_only_the_account_wide_cap(
    throttle: LoginThrottle,
) -> None:
    clients = [f"198.51.100.{n}" for n in range(100)]
    results = await asyncio.gather(*(admitted(throttle, client) for client in clients))
    assert sum(result is not None for result in results) == ACCOUNT_WIDE_FACTOR * PER_CLIENT


async def test_a_refused_attempt_leaves_no_count_behind(throttle: LoginThrottle) -> None:
    for _ in range(PER_CLIENT):
        assert await admitted(throttle, "198.51.100.1") is not None
    for _ in range(5):
        assert await admitted(throttle, "198.51.100.1") is None
    # Nine more clients fill the account-wide cap exactly: the refusals above took nothing.
    for n in range(2, 2 + ACCOUNT_WIDE_FACTOR - 1):
        for _ in range(PER_CLIENT):
            assert await admitted(throttle, f"198.51.100.{n}") is not None
    assert await admitted(throttle, "198.51.100.99") is None


async def test_the_account_is_its_normalised_email() -> None:
    assert account_key(" Jane@Example.COM ") == account_key("jane@example.com")
    assert account_key("jane@example.com") != account_key("john@example.com")
    assert "jane" not in account_key("jane@example.com")
