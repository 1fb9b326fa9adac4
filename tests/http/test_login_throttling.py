"""Login throttling by account (decision 0008): only failures count, per (account, client) and
per account from every client; an owner is never refused below the account-wide cap, and a
client holding a device token for the account is exempt from it.

Clients are played by `X-Test-Peer` (see test_rate_limits). Each test starts at the first
second of a window on the app's FakeClock.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.tokens.device_tokens import DEVICE_TOKEN_TTL_S
from entrypoints.configuration.settings import ACCOUNT_WIDE_FACTOR, RateLimitSettings
from tests.http.conftest import PASSWORD, Api, dev_settings, error_of, running_app
from tests.http.test_rate_limits import WINDOW, peer_from_header, start_of_window

PER_ACCOUNT_CLIENT = 2
CAP = ACCOUNT_WIDE_FACTOR * PER_ACCOUNT_CLIENT
LIMITS = RateLimitSettings(
    login_per_ip=1000,
    login_per_account=PER_ACCOUNT_CLIENT,
    register_per_ip=1000,
    refresh_per_ip=1000,
    passkey_per_ip=1000,
)
OWNER = "203.0.113.7"
WRONG = "wrong password"


@pytest.fixture
def throttled(tmp_path: Path) -> Iterator[Api]:
    with running_app(dev_settings(tmp_path, rate_limits=LIMITS), wrap=peer_from_header) as api:
        start_of_window(api)
        api.register()
        yield api


def attempt(
    api: Api,
    peer: str,
    password: str = WRONG,
    email: str = "jane@example.com",
    device_token: str | None = None,
) -> Any:
    body: dict[str, Any] = {"email": email, "password": password}
    if device_token is not None:
        body["deviceToken"] = device_token
    return api.client.post("/auth/login", json=body, headers={"X-Test-Peer": peer})


def strangers_fail(api: Api, failures: int, email: str = "jane@example.com") -> None:
    """`failures` wrong passwords, each client using up its own allowance."""
    for n in range(failures):
        peer = f"198.51.100.{n // PER_ACCOUNT_CLIENT}"
        assert attempt(api, peer, email=email).status_code == 401


def test_successful_logins_do_not_count(throttled: Api) -> None:
    # Was: every attempt counted, so the owner's own logins ran into 429.
    statuses = {attempt(throttled, OWNER, PASSWORD).status_code for _ in range(CAP + 5)}
    assert statuses == {200}
    assert attempt(throttled, OWNER).status_code == 401


def test_a_success_refunds_its_own_attempt_and_failures_stay(throttled: Api) -> None:
    assert attempt(throttled, OWNER).status_code == 401
    for _ in range(3 * PER_ACCOUNT_CLIENT):
        assert attempt(throttled, OWNER, PASSWORD).status_code == 200
    for _ in range(PER_ACCOUNT_CLIENT - 1):
        assert attempt(throttled, OWNER).status_code == 401
    # The failures alone reached the allowance of this (account, client): checked no more.
    assert attempt(throttled, OWNER, PASSWORD).status_code == 429


def test_failures_count_per_account_and_client_and_refusals_are_not_checked(
    throttled: Api,
) -> None:
    for _ in range(PER_ACCOUNT_CLIENT):
        assert attempt(throttled, "192.0.2.1").status_code == 401
    refused = attempt(throttled, "192.0.2.1", PASSWORD)
    assert refused.status_code == 429
    assert error_of(refused) == "rate_limited"
    assert refused.headers["Retry-After"] == str(WINDOW)
    assert attempt(throttled, "192.0.2.1", email="john@example.com").status_code == 401
    throttled.clock.advance(WINDOW)
    assert attempt(throttled, "192.0.2.1", PASSWORD).status_code == 200


def test_strangers_below_the_cap_never_refuse_the_owner(throttled: Api) -> None:
    strangers_fail(throttled, CAP - 1)
    assert attempt(throttled, OWNER, PASSWORD).status_code == 200


def test_the_account_wide_cap_stops_a_botnet_and_spares_known_devices(throttled: Api) -> None:
    device_token = throttled.login()["deviceToken"]
    strangers_fail(throttled, CAP)
    # A new client, even with the right password, waits for the window: the botnet is stopped.
    assert attempt(throttled, "192.0.2.200").status_code == 429
    assert attempt(throttled, OWNER, PASSWORD).status_code == 429
    # The owner's known device is not.
    known = attempt(throttled, OWNER, PASSWORD, device_token=device_token)
    assert known.status_code == 200, known.text
    # Other accounts are not affected.
    throttled.register("john@example.com", "John")
    assert attempt(throttled, OWNER, PASSWORD, email="john@example.com").status_code == 200


def test_a_known_device_still_has_its_own_failure_allowance(throttled: Api) -> None:
    device_token = throttled.login()["deviceToken"]
    for _ in range(PER_ACCOUNT_CLIENT):
        assert attempt(throttled, "192.0.2.9", device_token=device_token).status_code == 401
    # From any address: a stolen device token does not buy a botnet more guesses.
    assert attempt(throttled, "192.0.2.10", device_token=device_token).status_code == 429


@pytest.mark.parametrize(
    "device_token",
    [
        "dt1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "not-a-device-token",
    ],
    ids=["forged", "garbage"],
)
def test_a_forged_device_token_earns_no_exemption(throttled: Api, device_token: str) -> None:
    strangers_fail(throttled, CAP)
    response = attempt(throttled, OWNER, PASSWORD, device_token=device_token)
    assert response.status_code == 429


def test_a_device_token_is_bound_to_its_account(throttled: Api) -> None:
    janes = throttled.login()["deviceToken"]
    throttled.register("john@example.com", "John")
    strangers_fail(throttled, CAP, email="john@example.com")
    john = attempt(throttled, OWNER, PASSWORD, email="john@example.com", device_token=janes)
    assert john.status_code == 429


def test_a_device_token_expires(throttled: Api) -> None:
    device_token = throttled.login()["deviceToken"]
    throttled.clock.advance(DEVICE_TOKEN_TTL_S)
    start_of_window(throttled)
    strangers_fail(throttled, CAP)
    assert attempt(throttled, OWNER, PASSWORD, device_token=device_token).status_code == 429


def test_every_login_answer_carries_a_fresh_device_token(throttled: Api) -> None:
    first = throttled.login()
    second = attempt(throttled, OWNER, PASSWORD, device_token=first["deviceToken"]).json()
    assert first["deviceToken"] != second["deviceToken"]
    assert first["deviceToken"].startswith("dt1.")
