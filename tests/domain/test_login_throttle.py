"""Login throttling per account (decision 0008): parallel guesses each take their count before
any password is checked, so no more than the allowance ever get through; a device token exempts
its client from the account-wide cap; success and other failures give the count back."""

import asyncio
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RateLimited
from domain.protection.login_throttle import LoginAdmission, LoginThrottle, account_key
from domain.protection.rate_limits import RateLimiter, Reservation
from tests.fakes.fake_clock import FakeClock
from tests.fakes.fake_device_tokens import FakeDeviceTokens
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents

START = 1_800_000_000 - 1_800_000_000 % 60
PER_CLIENT = 3
ACCOUNT_WIDE = 30
EMAIL = "jane@example.com"
JANE = account_key(EMAIL)


class World:
    def __init__(self) -> None:
        self.clock = FakeClock(START)
        self.counters = FakeRateLimitCounters()
        self.devices = FakeDeviceTokens()
        limiter = RateLimiter(self.counters, self.clock, FakeRateLimitEvents())
        self.throttle = LoginThrottle(
            limiter,
            self.devices,
            self.clock,
            per_account_client=PER_CLIENT,
            per_account=ACCOUNT_WIDE,
        )

    async def admitted(self, client: str, device: str | None = None) -> LoginAdmission | None:
        try:
            return await self.throttle.admit(EMAIL, client, device)
        except RateLimited:
            return None

    def count(self, key: str) -> int:
        return self.counters.counts.get((key, START), 0)


@pytest.fixture
def world() -> World:
    return World()


async def test_parallel_guesses_from_one_client_get_only_the_allowance(world: World) -> None:
    results = await asyncio.gather(*(world.admitted("198.51.100.1") for _ in range(20)))
    assert sum(result is not None for result in results) == PER_CLIENT


async def test_parallel_guesses_from_a_botnet_get_only_the_account_wide_cap(world: World) -> None:
    clients = [f"198.51.100.{n}" for n in range(100)]
    results = await asyncio.gather(*(world.admitted(client) for client in clients))
    assert sum(result is not None for result in results) == ACCOUNT_WIDE


async def test_an_attempt_counts_per_account_and_client_and_per_account(world: World) -> None:
    admission = await world.throttle.admit(EMAIL, "198.51.100.1", None)
    assert admission == LoginAdmission(
        JANE,
        (
            Reservation(f"login-account-client:{JANE}:198.51.100.1", START),
            Reservation(f"login-account:{JANE}", START),
        ),
    )


async def test_a_refused_attempt_leaves_no_count_behind(world: World) -> None:
    for _ in range(PER_CLIENT):
        assert await world.admitted("198.51.100.1") is not None
    for _ in range(5):
        assert await world.admitted("198.51.100.1") is None
    assert world.count(f"login-account:{JANE}") == PER_CLIENT
    for n in range(2, 2 + ACCOUNT_WIDE // PER_CLIENT - 1):
        for _ in range(PER_CLIENT):
            assert await world.admitted(f"198.51.100.{n}") is not None
    # The account-wide cap is full: a new client is refused, and its per-client count goes back.
    assert await world.admitted("198.51.100.99") is None
    assert world.count(f"login-account-client:{JANE}:198.51.100.99") == 0


async def test_a_device_token_counts_per_device_and_skips_the_account_wide_cap(
    world: World,
) -> None:
    token = world.devices.issue(JANE, START)
    for n in range(ACCOUNT_WIDE):
        await world.admitted(f"198.51.100.{n}")
    admission = await world.admitted("203.0.113.1", token)
    assert admission == LoginAdmission(
        JANE, (Reservation(f"login-account-client:{JANE}:device:device-1", START),)
    )


async def test_a_token_for_another_account_counts_as_none(world: World) -> None:
    token = world.devices.issue(account_key("john@example.com"), START)
    admission = await world.admitted("198.51.100.1", token)
    assert admission is not None
    assert len(admission.counted) == 2


async def test_an_empty_device_token_is_no_device(world: World) -> None:
    admission = await world.admitted("198.51.100.1", "")
    assert admission is not None
    assert admission.counted[0] == Reservation(f"login-account-client:{JANE}:198.51.100.1", START)


async def test_a_success_gives_the_counts_back_and_a_device_token(world: World) -> None:
    admission = await world.throttle.admit(EMAIL, "198.51.100.1", None)
    world.clock.advance(5)
    token = await world.throttle.succeeded(admission)
    assert token == f"device-1|{JANE}|{START + 5 + 3600}"
    assert world.count(f"login-account-client:{JANE}:198.51.100.1") == 0
    assert world.count(f"login-account:{JANE}") == 0


async def test_a_refund_gives_every_count_back(world: World) -> None:
    admission = await world.throttle.admit(EMAIL, "198.51.100.1", None)
    await world.throttle.refund(admission)
    assert world.counters.counts == {
        (f"login-account-client:{JANE}:198.51.100.1", START): 0,
        (f"login-account:{JANE}", START): 0,
    }


def test_the_account_is_its_normalised_email_hashed() -> None:
    assert account_key(" Jane@Example.COM ") == JANE
    assert hashlib.sha256(b"jane@example.com").hexdigest()[:32] == JANE
    assert account_key("john@example.com") != JANE


def test_an_email_the_domain_refuses_is_hashed_as_sent() -> None:
    assert account_key("not an email") == hashlib.sha256(b"not an email").hexdigest()[:32]


def test_an_email_with_a_lone_surrogate_is_hashed_as_its_code_points() -> None:
    email = "\ud800@example.com"
    expected = hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    assert account_key(email) == expected


@given(st.text())
def test_any_text_names_an_account(email: str) -> None:
    key = account_key(email)
    assert len(key) == 32
    assert int(key, 16) >= 0
