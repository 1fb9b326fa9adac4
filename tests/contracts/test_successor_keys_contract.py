"""The SuccessorKeys contract, run against the fake and the HMAC keys derived from signing keys."""

import re
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from adapters.tokens.successor_keys import HmacSuccessorKeys
from domain.ports import SuccessorKeys
from tests.fakes.fake_successor_keys import FakeSuccessorKeys


def _hmac_keys() -> tuple[SuccessorKeys, SuccessorKeys]:
    """Keys A and B (A derives new successors), and keys B alone."""
    first, second = (load_signing_keys(generate_private_key_pem())[0] for _ in range(2))
    return HmacSuccessorKeys([first, second]), HmacSuccessorKeys([second])


def _fake_keys() -> tuple[SuccessorKeys, SuccessorKeys]:
    both = FakeSuccessorKeys("key-b", "key-a")
    return both, FakeSuccessorKeys("key-b")


@pytest.fixture(scope="module", params=[_hmac_keys, _fake_keys], ids=["hmac", "fake"])
def keys(request: pytest.FixtureRequest) -> tuple[SuccessorKeys, SuccessorKeys]:
    build: Callable[[], tuple[SuccessorKeys, SuccessorKeys]] = request.param
    return build()


@given(text=st.text(max_size=200))
def test_a_key_derives_one_43_character_base64url_secret_per_text(
    keys: tuple[SuccessorKeys, SuccessorKeys], text: str
) -> None:
    both, _ = keys
    key_id = both.current_key_id()
    secret = both.derive(key_id, text)
    assert secret is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert both.derive(key_id, text) == secret
    assert both.derive(key_id, text + "x") != secret


def test_each_key_derives_its_own_secrets_and_an_unknown_key_none(
    keys: tuple[SuccessorKeys, SuccessorKeys],
) -> None:
    both, only_second = keys
    current, other = both.current_key_id(), only_second.current_key_id()
    assert current != other
    assert both.derive(current, "token") != both.derive(other, "token")
    # A key derives the same secrets wherever it is configured.
    assert both.derive(other, "token") == only_second.derive(other, "token")
    assert only_second.derive(current, "token") is None
