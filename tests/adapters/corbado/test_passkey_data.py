"""JosePasskeyDataReader: reads the claims of any JWT-shaped input, refuses everything else."""

import base64
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jose import jwt

from adapters.corbado.passkey_data import MAX_WEBAUTHN_ID_LENGTH, JosePasskeyDataReader
from domain.errors import PasskeyLoginFailed
from domain.model import MAX_SIGNED_PASSKEY_DATA_LENGTH, PasskeyAssertion

READER = JosePasskeyDataReader()
CLAIMS: dict[str, object] = {
    "iss": "pro-7815296293940881620",
    "sub": "usr-676138078732345317",
    "exp": 1753209073,
    "nbf": 1753208763,
    "iat": 1753208773,
    "jti": "bMjoybgDCBAXolHtmioNsytyVCaRKn",
    "processId": "JcZmmaSRQI1VPDTZMmV1",
    "username": "",
    "credential": "cre-13566630052040460774",
    "challengeId": "was-5436378850176376218",
    "webauthnId": "jane@doe.com",
    "isCUI": False,
}


def token(claims: dict[str, object]) -> str:
    signed: str = jwt.encode(claims, "any-key", algorithm="HS256", headers={"kid": "pki-1"})
    return signed


def segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def with_claims(**changes: object) -> dict[str, object]:
    return {**CLAIMS, **changes}


def without(name: str) -> dict[str, object]:
    return {k: v for k, v in CLAIMS.items() if k != name}


def test_reads_the_documented_claims() -> None:
    assert READER.read(token(CLAIMS)) == PasskeyAssertion(
        webauthn_id="jane@doe.com",
        issuer="pro-7815296293940881620",
        expires_at=1753209073,
        credential_id="cre-13566630052040460774",
        corbado_user_id="usr-676138078732345317",
    )


def test_credential_and_subject_are_optional() -> None:
    minimal = {"iss": "pro-1", "exp": 1, "webauthnId": "jane"}

    assertion = READER.read(token(minimal))

    assert assertion.credential_id is None
    assert assertion.corbado_user_id is None


def test_the_longest_webauthn_id_is_read() -> None:
    longest = "j" * MAX_WEBAUTHN_ID_LENGTH

    assert READER.read(token(with_claims(webauthnId=longest))).webauthn_id == longest


@pytest.mark.parametrize(
    "claims",
    [
        without("webauthnId"),
        with_claims(webauthnId=None),
        with_claims(webauthnId=""),
        with_claims(webauthnId=42),
        with_claims(webauthnId=["jane@doe.com"]),
        with_claims(webauthnId={"id": "jane@doe.com"}),
        with_claims(webauthnId="j" * (MAX_WEBAUTHN_ID_LENGTH + 1)),
        with_claims(webauthnId="jane\ud800"),
        without("iss"),
        with_claims(iss=7),
        without("exp"),
        with_claims(exp=True),
        with_claims(exp=1753209073.5),
        with_claims(exp="1753209073"),
        with_claims(credential=1),
        with_claims(sub=["usr-1"]),
    ],
)
def test_unusable_claims_are_refused(claims: dict[str, object]) -> None:
    with pytest.raises(PasskeyLoginFailed):
        READER.read(token(claims))


@given(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.lists(st.text())))
def test_any_non_string_webauthn_id_is_refused(webauthn_id: object) -> None:
    with pytest.raises(PasskeyLoginFailed):
        READER.read(token(with_claims(webauthnId=webauthn_id)))


def test_overlong_input_is_refused_before_decoding() -> None:
    padded = token(with_claims(padding="x" * MAX_SIGNED_PASSKEY_DATA_LENGTH))

    with pytest.raises(PasskeyLoginFailed) as raised:
        READER.read(padded)

    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d",
        "!!!.???.###",
        segment(b"[]") + "." + segment(json.dumps(CLAIMS).encode()) + ".c2ln",
        segment(b'{"alg":"HS256"}') + "." + segment(b'["jane"]') + ".c2ln",
        segment(b'{"alg":"HS256"}') + "." + segment(b"\xff\xfe") + ".c2ln",
        segment(b'{"alg":"HS256"}') + "." + segment(b"[" * 2000 + b"]" * 2000) + ".c2ln",
        segment(b"[" * 2000 + b"]" * 2000) + "." + segment(b"{}") + ".c2ln",
        "\ud800.\ud800.\ud800",
    ],
    ids=[
        "empty", "text", "two-parts", "four-parts", "bad-base64", "array-header", "array-claims",
        "bad-utf8", "deep-claims", "deep-header", "surrogates",
    ],
)  # fmt: skip
def test_what_is_not_a_jwt_is_refused(data: str) -> None:
    with pytest.raises(PasskeyLoginFailed):
        READER.read(data)


_SEGMENTS = st.binary(max_size=64).map(segment) | st.text(max_size=64)
_JWT_SHAPED = st.lists(_SEGMENTS, min_size=1, max_size=4).map(".".join)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
_JSON_PAYLOADS = _JSON.map(
    lambda value: segment(b'{"alg":"HS256"}') + "." + segment(json.dumps(value).encode()) + ".c2ln"
)


@given(st.text() | _JWT_SHAPED | _JSON_PAYLOADS)
def test_no_input_raises_anything_but_a_failed_login(data: str) -> None:
    with contextlib.suppress(PasskeyLoginFailed):
        READER.read(data)
