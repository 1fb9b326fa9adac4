"""The DeviceTokens port: a token names a device of one account until it expires."""

import pytest

from adapters.tokens.device_tokens import HmacDeviceTokens, device_token_keys
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from domain.ports import DeviceTokens
from tests.fakes.fake_device_tokens import FakeDeviceTokens

NOW = 1_800_000_000
TTL_S = 3600


@pytest.fixture(params=["fake", "hmac"])
def tokens(request: pytest.FixtureRequest) -> DeviceTokens:
    if request.param == "fake":
        return FakeDeviceTokens()
    keys = device_token_keys(load_signing_keys(generate_private_key_pem()))
    return HmacDeviceTokens(keys, ttl_s=TTL_S)


def test_a_token_names_a_device_of_its_account(tokens: DeviceTokens) -> None:
    token = tokens.issue("account-a", NOW)
    device = tokens.verify(token, "account-a", NOW + TTL_S - 1)
    assert device is not None
    assert device.device_id


def test_two_logins_are_two_devices(tokens: DeviceTokens) -> None:
    first = tokens.verify(tokens.issue("account-a", NOW), "account-a", NOW)
    second = tokens.verify(tokens.issue("account-a", NOW), "account-a", NOW)
    assert first is not None
    assert second is not None
    assert first.device_id != second.device_id


def test_a_token_is_nothing_for_another_account(tokens: DeviceTokens) -> None:
    assert tokens.verify(tokens.issue("account-a", NOW), "account-b", NOW) is None


def test_a_token_expires(tokens: DeviceTokens) -> None:
    assert tokens.verify(tokens.issue("account-a", NOW), "account-a", NOW + TTL_S) is None


@pytest.mark.parametrize("garbage", ["", "dt1", "dt1..", "device-1", "x" * 200])
def test_garbage_names_no_device(tokens: DeviceTokens, garbage: str) -> None:
    assert tokens.verify(garbage, "account-a", NOW) is None
