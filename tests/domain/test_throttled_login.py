"""A password login behind the login throttle: counted before the password is checked, and only
a refusal of the credentials keeps its count (decision 0008)."""

import pytest

from domain.errors import InvalidCredentials, RateLimited, StoreUnavailable
from domain.protection.login_throttle import LoginThrottle, account_key
from domain.protection.rate_limits import RateLimiter
from domain.usecases.throttled_login import ThrottledLogin
from tests.domain.conftest import PASSWORD, World, build_world
from tests.fakes.fake_device_tokens import FakeDeviceTokens
from tests.fakes.fake_rate_limit_counters import FakeRateLimitCounters
from tests.fakes.fake_rate_limit_events import FakeRateLimitEvents

PER_CLIENT = 2
ACCOUNT_WIDE = 5
EMAIL = "jane@example.com"
CLIENT = "198.51.100.7"
JANE = account_key(EMAIL)
PER_CLIENT_KEY = f"login-account-client:{JANE}:{CLIENT}"
PER_ACCOUNT_KEY = f"login-account:{JANE}"


class Throttled:
    def __init__(self) -> None:
        self.world: World = build_world()
        self.counters = FakeRateLimitCounters()
        self.devices = FakeDeviceTokens()
        limiter = RateLimiter(self.counters, self.world.clock, FakeRateLimitEvents())
        throttle = LoginThrottle(
            limiter,
            self.devices,
            self.world.clock,
            per_account_client=PER_CLIENT,
            per_account=ACCOUNT_WIDE,
        )
        self.login = ThrottledLogin(throttle, self.world.password_login)

    async def attempt(
        self, password: str, *, device_token: str | None = None, user_agent: str | None = None
    ) -> str:
        result = await self.login.execute(
            EMAIL, password, client=CLIENT, device_token=device_token, user_agent=user_agent
        )
        principal = await self.world.authenticate.execute(result.pair.access_token)
        session = await self.world.sessions.get(principal.session_id)
        assert session is not None
        assert session.user_agent == user_agent
        return result.device_token

    def count(self, key: str) -> int:
        return sum(n for (counted, _), n in self.counters.counts.items() if counted == key)


@pytest.fixture
async def throttled() -> Throttled:
    throttled = Throttled()
    await throttled.world.create_user.execute(EMAIL, PASSWORD, "Jane")
    return throttled


async def test_a_success_gives_the_count_back_and_a_device_token(throttled: Throttled) -> None:
    device_token = await throttled.attempt(PASSWORD, user_agent="Firefox")
    device = throttled.devices.verify(device_token, JANE, throttled.world.clock.now())
    assert device is not None
    assert device.device_id == "device-1"
    assert throttled.devices.issued == 1
    assert throttled.count(PER_CLIENT_KEY) == 0
    assert throttled.count(PER_ACCOUNT_KEY) == 0


async def test_refused_credentials_keep_their_count(throttled: Throttled) -> None:
    with pytest.raises(InvalidCredentials):
        await throttled.attempt("wrong password")
    assert throttled.count(PER_CLIENT_KEY) == 1
    assert throttled.count(PER_ACCOUNT_KEY) == 1
    assert throttled.devices.issued == 0


async def test_once_throttled_not_even_the_right_password_is_checked(
    throttled: Throttled,
) -> None:
    for _ in range(PER_CLIENT):
        with pytest.raises(InvalidCredentials):
            await throttled.attempt("wrong password")
    throttled.world.hasher.verified.clear()
    with pytest.raises(RateLimited):
        await throttled.attempt(PASSWORD)
    assert throttled.world.hasher.verified == []
    assert throttled.count(PER_CLIENT_KEY) == PER_CLIENT


async def test_a_failure_of_another_kind_gives_the_count_back(
    throttled: Throttled, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def outage(email: str) -> None:
        raise StoreUnavailable("the database is away")

    monkeypatch.setattr(throttled.world.users, "by_email", outage)
    with pytest.raises(StoreUnavailable):
        await throttled.attempt(PASSWORD)
    assert throttled.count(PER_CLIENT_KEY) == 0
    assert throttled.count(PER_ACCOUNT_KEY) == 0
    assert throttled.devices.issued == 0


async def test_a_device_token_counts_the_device_instead_of_the_address(
    throttled: Throttled,
) -> None:
    device_token = await throttled.attempt(PASSWORD)
    with pytest.raises(InvalidCredentials):
        await throttled.attempt("wrong password", device_token=device_token)
    assert throttled.count(f"login-account-client:{JANE}:device:device-1") == 1
    assert throttled.count(PER_CLIENT_KEY) == 0
    assert throttled.count(PER_ACCOUNT_KEY) == 0
