"""Device tokens: issued for an account, valid only for it, until they expire, under our keys."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.tokens.device_tokens import (
    DEVICE_TOKEN_TTL_S,
    HmacDeviceTokens,
    device_token_keys,
)
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys

KEY, NEXT_KEY = (load_signing_keys(generate_private_key_pem())[0] for _ in range(2))
TOKENS = HmacDeviceTokens(device_token_keys([KEY]))
NOW = 1_800_000_000


def test_a_token_is_valid_for_its_account_until_it_expires() -> None:
    token = TOKENS.issue("account-a", NOW)
    device = TOKENS.verify(token, "account-a", NOW + DEVICE_TOKEN_TTL_S - 1)
    assert device is not None
    assert device.expires_at == NOW + DEVICE_TOKEN_TTL_S
    assert TOKENS.verify(token, "account-a", NOW + DEVICE_TOKEN_TTL_S) is None


def test_a_token_is_bound_to_its_account() -> None:
    assert TOKENS.verify(TOKENS.issue("account-a", NOW), "account-b", NOW) is None


def test_every_token_names_a_new_device() -> None:
    first, second = (TOKENS.verify(TOKENS.issue("a", NOW), "a", NOW) for _ in range(2))
    assert first is not None
    assert second is not None
    assert first.device_id != second.device_id


def test_the_same_signing_key_derives_the_same_key_and_another_does_not() -> None:
    again = HmacDeviceTokens(
        device_token_keys(load_signing_keys(KEY.private_key.to_pem().decode()))
    )
    other = HmacDeviceTokens(device_token_keys([NEXT_KEY]))
    token = TOKENS.issue("a", NOW)
    assert again.verify(token, "a", NOW) is not None
    assert other.verify(token, "a", NOW) is None


def test_tokens_survive_a_key_rotation_until_the_old_key_is_removed() -> None:
    rotated = HmacDeviceTokens(device_token_keys([NEXT_KEY, KEY]))
    token = TOKENS.issue("a", NOW)
    assert rotated.verify(token, "a", NOW) is not None
    assert HmacDeviceTokens(device_token_keys([NEXT_KEY])).verify(token, "a", NOW) is None


def test_a_longer_expiry_cannot_be_forged() -> None:
    prefix, payload, mac = TOKENS.issue("a", NOW).split(".")
    forged_payload = payload[:-4] + "____"
    assert TOKENS.verify(f"{prefix}.{forged_payload}.{mac}", "a", NOW) is None


def test_a_non_canonical_spelling_is_refused() -> None:
    token = TOKENS.issue("a", NOW)
    # The MAC is 32 bytes: 43 characters, the last with two unused bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(token[-1]) | 1]
    assert TOKENS.verify(token[:-1] + twin, "a", NOW) is None


@settings(max_examples=200, deadline=None)
@given(token=st.text(max_size=200), account=st.text(max_size=40))
def test_any_text_is_refused_without_an_exception(token: str, account: str) -> None:
    assert TOKENS.verify(token, account, NOW) is None


def test_no_keys_no_tokens() -> None:
    with pytest.raises(ValueError, match="key"):
        HmacDeviceTokens([])
