"""ES256 access tokens: every forgery of docs/security.md ("Forged or confused access tokens")
and decision 0001 is refused."""

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jose import jwt
from joserfc import jws
from joserfc import jwt as joserfc_jwt
from joserfc.errors import UnsupportedAlgorithmError
from joserfc.jwk import ECKey, OctKey, RSAKey

from adapters.tokens.es256_access_tokens import _REGISTRY as JOSERFC_REGISTRY
from adapters.tokens.es256_access_tokens import Es256AccessTokens
from adapters.tokens.signing_keys import generate_private_key_pem, load_signing_keys
from domain.errors import AccessTokenRefusal as Refusal
from domain.errors import InvalidAccessToken
from domain.model import AccessGrant

ISSUER = "https://auth.example.com"
AUDIENCE = "example-app"
OUR_PEM = generate_private_key_pem()
OUR_KEY = load_signing_keys(OUR_PEM)[0]
TOKENS = Es256AccessTokens([OUR_KEY], ISSUER, AUDIENCE)
GRANT = AccessGrant("user-1", "session-1", "jti-1", 1000, 1900, 1000, ("pwd",))


def refusal(token: str, tokens: Es256AccessTokens = TOKENS) -> Refusal:
    """Why `tokens` refuses `token`; fails the test when it is accepted."""
    with pytest.raises(InvalidAccessToken) as refused:
        tokens.decode(token)
    return refused.value.reason


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": 1000,
        "exp": 1900,
        "jti": "jti-1",
        "sid": "session-1",
        "auth_time": 1000,
        "amr": ["pwd"],
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not DROP}


DROP = object()


def ours(payload: dict[str, Any], **headers: Any) -> str:
    header = {"kid": OUR_KEY.kid, "typ": "at+jwt", **headers}
    return str(jwt.encode(payload, OUR_KEY.private_key, algorithm="ES256", headers=header))


def public_pem() -> bytes:
    pem: bytes = OUR_KEY.public_key.to_pem()
    return pem


def public_der() -> bytes:
    loaded = serialization.load_pem_public_key(public_pem())
    return loaded.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def test_our_own_token_is_accepted() -> None:
    assert TOKENS.decode(ours(claims())) == GRANT


def test_issued_header_is_es256_at_jwt_with_the_thumbprint_kid() -> None:
    header = jwt.get_unverified_header(TOKENS.issue(GRANT))
    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid}


def test_alg_none_is_refused() -> None:
    header = b64(json.dumps({"alg": "none", "kid": OUR_KEY.kid, "typ": "at+jwt"}).encode())
    token = f"{header}.{b64(json.dumps(claims()).encode())}."
    assert refusal(token) is Refusal.MALFORMED


@pytest.mark.parametrize(
    "secret",
    [public_pem(), public_der(), json.dumps(OUR_KEY.public_jwk).encode()],
    ids=["pem", "der", "jwk"],
)
def test_hs256_keyed_with_our_public_key_is_refused(secret: bytes) -> None:
    token = jwt.encode(
        claims(), "placeholder", algorithm="HS256", headers={"kid": OUR_KEY.kid, "typ": "at+jwt"}
    )
    signing_input = token.rsplit(".", 1)[0]
    signature = b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
    assert refusal(f"{signing_input}.{signature}") is Refusal.WRONG_ALGORITHM


def test_rs256_with_a_foreign_key_is_refused() -> None:
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = foreign.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    token = jwt.encode(
        claims(), pem, algorithm="RS256", headers={"kid": OUR_KEY.kid, "typ": "at+jwt"}
    )
    assert refusal(token) is Refusal.WRONG_ALGORITHM


def test_es256_with_a_foreign_key_under_our_kid_is_refused() -> None:
    foreign = load_signing_keys(generate_private_key_pem())[0]
    token = jwt.encode(
        claims(),
        foreign.private_key,
        algorithm="ES256",
        headers={"kid": OUR_KEY.kid, "typ": "at+jwt"},
    )
    assert refusal(token) is Refusal.INVALID_SIGNATURE


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"kid": "unknown"}, Refusal.UNKNOWN_KEY),
        ({"kid": None}, Refusal.MALFORMED),
        ({"typ": "JWT"}, Refusal.WRONG_TYPE),
        ({"typ": None}, Refusal.MALFORMED),
        ({"jku": "https://evil.example/jwks"}, Refusal.FORBIDDEN_HEADER),
        ({"x5u": "https://evil.example/cert"}, Refusal.FORBIDDEN_HEADER),
        ({"crit": ["exp"]}, Refusal.FORBIDDEN_HEADER),
        ({"crit": None}, Refusal.FORBIDDEN_HEADER),
        ({"jwk": OUR_KEY.public_jwk}, Refusal.FORBIDDEN_HEADER),
        ({"x5c": []}, Refusal.FORBIDDEN_HEADER),
    ],
    ids=[
        "unknown-kid",
        "no-kid",
        "typ-jwt",
        "no-typ",
        "jku",
        "x5u",
        "crit",
        "crit-null",
        "embedded-jwk",
        "x5c",
    ],
)
def test_headers_we_do_not_issue_are_refused(headers: dict[str, Any], reason: Refusal) -> None:
    header = {"kid": OUR_KEY.kid, "typ": "at+jwt", **headers}
    header = {name: value for name, value in header.items() if value is not None or name == "crit"}
    token = jwt.encode(claims(), OUR_KEY.private_key, algorithm="ES256", headers=header)
    if "typ" not in header:
        # jose adds typ JWT when none is given; strip it to test a header without one.
        token = _rewrite_header(token, lambda h: {k: v for k, v in h.items() if k != "typ"})
    assert refusal(token) is reason


def _rewrite_header(token: str, change: Any) -> str:
    header_b64, payload, signature = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(header_b64 + "=="))
    return f"{b64(json.dumps(change(header)).encode())}.{payload}.{signature}"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"iss": "https://evil.example"}, Refusal.WRONG_ISSUER),
        ({"aud": "another-app"}, Refusal.WRONG_AUDIENCE),
        ({"aud": ["another-app"]}, Refusal.WRONG_AUDIENCE),
    ],
    ids=["issuer", "audience", "audience-list"],
)
def test_tokens_for_another_issuer_or_audience_are_refused(
    changes: dict[str, Any], reason: Refusal
) -> None:
    assert refusal(ours(claims(**changes))) is reason


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": DROP},
        {"aud": DROP},
        {"sub": DROP},
        {"jti": DROP},
        {"sid": DROP},
        {"exp": DROP},
        {"iat": DROP},
        {"auth_time": DROP},
        {"amr": DROP},
        {"exp": "1900"},
        {"iat": "1000"},
        {"iat": True},
        {"exp": None},
        {"auth_time": 1.5},
        {"amr": "pwd"},
        {"amr": [1]},
        {"sub": 7},
        {"sid": ""},
    ],
    ids=repr,
)
def test_claims_we_do_not_issue_are_refused(changes: dict[str, Any]) -> None:
    assert refusal(ours(claims(**changes))) is Refusal.MALFORMED_CLAIMS


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token + "=",
        lambda token: " " + token,
        lambda token: token.replace(".", "..", 1),
        lambda token: token.rsplit(".", 1)[0] + ".",
        lambda token: token + ".extra",
        lambda token: token[:-2] + "+/",
    ],
    ids=["padding", "whitespace", "empty-part", "no-signature", "four-parts", "base64-not-url"],
)
def test_anything_but_three_base64url_parts_is_refused(change: Any) -> None:
    assert refusal(change(ours(claims()))) is Refusal.MALFORMED


# Deep enough to exhaust the parser's recursion, short enough to pass the length cap.
NESTED = "[" * 1200 + "]" * 1200


def signed_by_us(header: bytes, payload: bytes) -> str:
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature: bytes = OUR_KEY.private_key.sign(signing_input.encode())
    return f"{signing_input}.{b64(signature)}"


def test_a_deeply_nested_header_is_refused_not_a_crash() -> None:
    header = f'{{"alg":"ES256","typ":"at+jwt","kid":"{OUR_KEY.kid}","x":{NESTED}}}'
    token = signed_by_us(header.encode(), json.dumps(claims()).encode())
    assert refusal(token) is Refusal.MALFORMED


def test_deeply_nested_claims_under_our_signature_are_refused_not_a_crash() -> None:
    header = json.dumps({"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid})
    payload = json.dumps(claims())[:-1] + f',"x":{NESTED}}}'
    token = signed_by_us(header.encode(), payload.encode())
    assert refusal(token) is Refusal.MALFORMED_CLAIMS


def test_a_tampered_payload_is_refused() -> None:
    header, _, signature = ours(claims()).split(".")
    forged = b64(json.dumps(claims(sub="admin")).encode())
    assert refusal(f"{header}.{forged}.{signature}") is Refusal.INVALID_SIGNATURE


def test_an_overlong_token_is_refused_before_parsing() -> None:
    assert refusal(ours(claims(padding="x" * 5000))) is Refusal.TOO_LONG


def test_a_retired_key_no_longer_verifies_and_a_published_next_key_does() -> None:
    next_key = load_signing_keys(generate_private_key_pem())[0]
    old_signer = Es256AccessTokens([OUR_KEY, next_key], ISSUER, AUDIENCE)
    new_signer = Es256AccessTokens([next_key, OUR_KEY], ISSUER, AUDIENCE)
    retired = Es256AccessTokens([next_key], ISSUER, AUDIENCE)
    old_token = old_signer.issue(GRANT)
    assert new_signer.decode(old_token) == GRANT
    assert old_signer.decode(new_signer.issue(GRANT)) == GRANT
    assert refusal(old_token, retired) is Refusal.UNKNOWN_KEY


@settings(max_examples=100, deadline=None)
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "jku", "zip"]), st.text(max_size=8)
    ),
    payload=st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(), st.none())),
)
def test_arbitrary_unsigned_tokens_only_ever_raise_invalid_access_token(
    header: dict[str, str], payload: dict[str, Any]
) -> None:
    token = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}.{b64(b'sig')}"
    with pytest.raises(InvalidAccessToken):
        TOKENS.decode(token)


BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def with_trailing_bits(part: str, bits: int) -> str | None:
    """`part` with some of its last character's unused low bits set: the same bytes, spelled
    differently; None when the part has no unused bits (a multiple of 3 bytes)."""
    unused = {0: 0, 2: 4, 3: 2}[len(part) % 4]
    if unused == 0:
        return None
    index = BASE64URL.index(part[-1]) | (1 + bits % ((1 << unused) - 1))
    return part[:-1] + BASE64URL[index]


@settings(max_examples=200, deadline=None)
@given(
    subject=st.text(min_size=1, max_size=40),
    which=st.sampled_from(["header", "payload", "signature"]),
    bits=st.integers(min_value=0, max_value=14),
)
def test_non_canonical_base64url_parts_are_refused_even_under_our_signature(
    subject: str, which: str, bits: int
) -> None:
    header = json.dumps({"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid}).encode()
    parts = {"header": b64(header), "payload": b64(json.dumps(claims(sub=subject)).encode())}
    if which != "signature":
        changed = with_trailing_bits(parts[which], bits)
        assume(changed is not None)
        assert changed is not None
        assert changed != parts[which]
        parts[which] = changed
    signing_input = f"{parts['header']}.{parts['payload']}"
    signature = b64(OUR_KEY.private_key.sign(signing_input.encode()))
    canonical_bytes = base64.urlsafe_b64decode(signature + "==")
    if which == "signature":
        # 64 bytes: 86 characters, the last one with four unused bits.
        changed = with_trailing_bits(signature, bits)
        assert changed is not None
        assert changed != signature
        assert base64.urlsafe_b64decode(changed + "==") == canonical_bytes
        signature = changed
    expected = {
        "header": Refusal.MALFORMED,
        "payload": Refusal.MALFORMED_CLAIMS,
        "signature": Refusal.INVALID_SIGNATURE,
    }
    assert refusal(f"{signing_input}.{signature}") is expected[which]


@settings(max_examples=50, deadline=None)
@given(subject=st.text(min_size=1, max_size=40))
def test_canonical_tokens_of_any_length_are_accepted(subject: str) -> None:
    grant = AccessGrant(subject, "session-1", "jti-1", 1000, 1900, 1000, ("pwd",))
    assert TOKENS.decode(TOKENS.issue(grant)) == grant


# What verifying with joserfc (decision 0015) could newly let through: each of these is refused.


@pytest.mark.parametrize("general", [False, True], ids=["flattened", "general"])
def test_a_jws_json_serialization_of_our_own_token_is_refused(general: bool) -> None:
    header, payload, signature = TOKENS.issue(GRANT).split(".")
    member = {"protected": header, "signature": signature}
    document: Any = (
        {"payload": payload, "signatures": [member]} if general else {"payload": payload, **member}
    )
    # The same signature in the other serialization verifies: only its form is refused.
    jws.deserialize_json(document, ECKey.import_key(OUR_KEY.verifying_key), algorithms=["ES256"])
    assert refusal(json.dumps(document)) is Refusal.MALFORMED


def test_an_unencoded_payload_header_is_refused_even_under_our_signature() -> None:
    # RFC 7797: with `b64: false` named in `crit` the payload is signed as it stands. Signed
    # over base64url text it reads as our claims to anyone who ignores `b64`.
    header = {"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid, "b64": False, "crit": ["b64"]}
    assert refusal(signed_by_us(json.dumps(header).encode(), json.dumps(claims()).encode())) is (
        Refusal.FORBIDDEN_HEADER
    )


def test_b64_false_without_crit_is_refused_even_under_our_signature() -> None:
    header = {"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid, "b64": False}
    token = signed_by_us(json.dumps(header).encode(), json.dumps(claims()).encode())
    assert refusal(token) is Refusal.MALFORMED


@pytest.mark.parametrize(
    "alg", ["none", "None", "NONE", "es256", "ES256 ", "HS256", "ES384", "EdDSA", "ES256K"]
)
def test_any_alg_but_exactly_es256_is_refused_even_under_our_signature(alg: str) -> None:
    header = {"alg": alg, "typ": "at+jwt", "kid": OUR_KEY.kid}
    token = signed_by_us(json.dumps(header).encode(), json.dumps(claims()).encode())
    assert refusal(token) is Refusal.WRONG_ALGORITHM


@pytest.mark.parametrize("alg", ["none", "HS256", "RS256", "PS256", "ES384", "EdDSA", "ES256K"])
def test_joserfc_itself_is_allowed_no_algorithm_but_es256(alg: str) -> None:
    # The second lock behind our header rule: joserfc would refuse the algorithm on its own.
    with pytest.raises(UnsupportedAlgorithmError):
        JOSERFC_REGISTRY.get_alg(alg)


@pytest.mark.parametrize(
    ("key", "alg"),
    [
        (RSAKey.generate_key(2048, auto_kid=True), "RS256"),
        (ECKey.generate_key("P-384", auto_kid=True), "ES384"),
        (OctKey.generate_key(256, auto_kid=True), "HS256"),
    ],
    ids=["rsa", "p384", "oct"],
)
def test_a_kid_naming_a_key_of_another_type_is_refused(key: Any, alg: str) -> None:
    header = {"alg": alg, "typ": "at+jwt", "kid": key.kid}
    token = joserfc_jwt.encode(header, claims(), key, algorithms=[alg])
    assert refusal(token) is Refusal.UNKNOWN_KEY


@pytest.mark.parametrize(
    "header",
    [
        '["alg"]',
        '"alg"',
        '["alg","b64"]',
        '"alg b64"',
        f'{{"alg":"ES256","typ":"at+jwt","kid":["{OUR_KEY.kid}"]}}',
        f'{{"alg":["ES256"],"typ":"at+jwt","kid":"{OUR_KEY.kid}"}}',
        f'{{"alg":"ES256","typ":1,"kid":"{OUR_KEY.kid}"}}',
    ],
    ids=["array", "string", "array-b64", "string-b64", "kid-array", "alg-array", "typ-number"],
)
def test_a_header_of_the_wrong_shape_is_refused_not_a_crash(header: str) -> None:
    token = signed_by_us(header.encode(), json.dumps(claims()).encode())
    assert refusal(token) is Refusal.MALFORMED
    # Signed or not: the header is judged before any signature.
    unsigned = token.rpartition(".")[0] + ".AAAA"
    assert refusal(unsigned) is Refusal.MALFORMED


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
HEADER_NAMES = ["alg", "kid", "typ", "b64", "crit", "jku", "jwk", "x5u", "x5c", "cty", "zip"]
PLAUSIBLE = st.sampled_from(["ES256", "at+jwt", "AT+JWT", "application/at+jwt", "b64", "https://a"])


@settings(max_examples=300, deadline=None)
@given(changes=st.dictionaries(st.sampled_from(HEADER_NAMES), JSON_VALUES | PLAUSIBLE, max_size=3))
def test_a_header_under_our_signature_passes_only_as_we_issue_it(changes: dict[str, Any]) -> None:
    header = {"alg": "ES256", "typ": "at+jwt", "kid": OUR_KEY.kid, **changes}
    token = signed_by_us(json.dumps(header).encode(), json.dumps(claims()).encode())
    try:
        grant = TOKENS.decode(token)
    except InvalidAccessToken:
        return
    assert grant == GRANT
    assert header["alg"] == "ES256"
    assert header["kid"] == OUR_KEY.kid
    assert str(header["typ"]).lower() in {"at+jwt", "application/at+jwt"}
    assert not {"jku", "jwk", "x5u", "x5c", "crit"} & header.keys()
    assert header.get("b64", True) is True
