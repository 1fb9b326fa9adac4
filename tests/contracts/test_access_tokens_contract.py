"""The AccessTokens port: what one side issues, it decodes; nothing else passes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.tokens.es256_access_tokens import Es256AccessTokens
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from domain.errors import AccessTokenRefusal, InvalidAccessToken
from domain.model import AccessGrant
from domain.ports import AccessTokens
from tests.fakes.fake_access_tokens import FakeAccessTokens

KINDS = ["fake", "es256"]
KEYS = load_signing_keys(generate_private_key_pem())


def make(kind: str) -> AccessTokens:
    if kind == "fake":
        return FakeAccessTokens()
    return Es256AccessTokens(KEYS, issuer="https://auth.example.com", audience="example-app")


identifiers = st.text(min_size=1, max_size=40)
grants = st.builds(
    AccessGrant,
    subject=identifiers,
    session_id=identifiers,
    token_id=identifiers,
    issued_at=st.integers(0, 2**40),
    expires_at=st.integers(0, 2**40),
    auth_time=st.integers(0, 2**40),
    amr=st.lists(st.sampled_from(["pwd", "hwk", "user", "mfa"]), max_size=3).map(tuple),
)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=30, deadline=None)
@given(grant=grants)
def test_an_issued_token_decodes_to_its_grant(kind: str, grant: AccessGrant) -> None:
    tokens = make(kind)
    assert tokens.decode(tokens.issue(grant)) == grant


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=50, deadline=None)
@given(garbage=st.text(max_size=300))
def test_anything_not_issued_is_refused(kind: str, garbage: str) -> None:
    with pytest.raises(InvalidAccessToken) as refused:
        make(kind).decode(garbage)
    assert refused.value.reason is AccessTokenRefusal.MALFORMED


@pytest.mark.parametrize("kind", KINDS)
def test_a_token_of_another_issuer_instance_is_refused(kind: str) -> None:
    grant = AccessGrant("u", "s", "j", 1, 2, 1, ("pwd",))
    token = make(kind).issue(grant)
    with pytest.raises(InvalidAccessToken) as refused:
        make(kind).decode(token + "x")
    assert refused.value.reason is AccessTokenRefusal.INVALID_SIGNATURE
