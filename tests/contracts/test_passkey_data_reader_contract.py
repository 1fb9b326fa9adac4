"""The PasskeyDataReader port: claims of data Corbado minted come out; garbage never does."""

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jose import jwt

from adapters.corbado.passkey_data import JosePasskeyDataReader
from domain.errors import PasskeyLoginFailed
from domain.model import PasskeyAssertion
from domain.ports import PasskeyDataReader
from tests.fakes.fake_passkey_data_reader import FakePasskeyDataReader

Mint = Callable[[PasskeyAssertion], str]


def jose_pair() -> tuple[PasskeyDataReader, Mint]:
    def mint(assertion: PasskeyAssertion) -> str:
        claims = {
            "iss": assertion.issuer,
            "sub": assertion.corbado_user_id,
            "exp": assertion.expires_at,
            "credential": assertion.credential_id,
            "webauthnId": assertion.webauthn_id,
        }
        return str(jwt.encode(claims, "not-verified-here", algorithm="HS256"))

    return JosePasskeyDataReader(), mint


def fake_pair() -> tuple[PasskeyDataReader, Mint]:
    reader = FakePasskeyDataReader()

    def mint(assertion: PasskeyAssertion) -> str:
        token = f"fake-spd-{len(assertion.webauthn_id)}-{hash(assertion)}"
        reader.remember(token, assertion)
        return token

    return reader, mint


PAIRS = {"fake": fake_pair, "jose": jose_pair}

assertions = st.builds(
    PasskeyAssertion,
    webauthn_id=st.text(min_size=1, max_size=64).filter(str.strip),
    issuer=st.from_regex(r"pro-[0-9]{5,19}", fullmatch=True),
    expires_at=st.integers(0, 2**40),
    credential_id=st.from_regex(r"cre-[0-9]{1,19}", fullmatch=True),
    corbado_user_id=st.from_regex(r"usr-[0-9]{1,19}", fullmatch=True),
)


@pytest.mark.parametrize("kind", PAIRS)
@settings(max_examples=40, deadline=None)
@given(assertion=assertions)
def test_minted_data_reads_back_as_its_claims(kind: str, assertion: PasskeyAssertion) -> None:
    reader, mint = PAIRS[kind]()
    assert reader.read(mint(assertion)) == assertion


@pytest.mark.parametrize("kind", PAIRS)
@settings(max_examples=60, deadline=None)
@given(garbage=st.text(max_size=200))
def test_garbage_is_a_failed_login(kind: str, garbage: str) -> None:
    reader, _ = PAIRS[kind]()
    with pytest.raises(PasskeyLoginFailed):
        reader.read(garbage)
