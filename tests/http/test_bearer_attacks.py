"""Every access token the service did not issue for a live session gets 401 + WWW-Authenticate."""

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from jose import jwt

from adapters.tokens.signing_keys import SigningKey, generate_private_key_pem, load_signing_keys
from tests.http.conftest import Api

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def our_key(api: Api) -> SigningKey:
    keys: list[SigningKey] = api.container.signing_keys()
    return keys[0]


def assert_refused(api: Api, token: str) -> None:
    response = api.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "invalid_token"


def live_claims(api: Api) -> dict[str, Any]:
    api.register()
    claims: dict[str, Any] = jwt.get_unverified_claims(api.login()["accessToken"])
    return claims


def sign(key: SigningKey, claims: dict[str, Any], **headers: Any) -> str:
    header = {"kid": key.kid, "typ": "at+jwt", **headers}
    return str(jwt.encode(claims, key.private_key, algorithm="ES256", headers=header))


def test_a_resigned_copy_of_a_live_token_is_accepted(api: Api) -> None:
    claims = live_claims(api)
    token = sign(our_key(api), claims)
    response = api.client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic amFuZTpzZWNyZXQ=",
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer WyJhbGciLCJiNjQiXQ.e30.AAAA",  # header ["alg","b64"]: crashed joserfc
        "Bearer ImFsZyBiNjQi.e30.AAAA",  # header "alg b64"
    ],
)
def test_missing_or_malformed_authorization_is_refused(api: Api, authorization: str) -> None:
    response = api.client.get("/auth/me", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_alg_none_is_refused(api: Api) -> None:
    claims = live_claims(api)
    header = {"alg": "none", "typ": "at+jwt", "kid": our_key(api).kid}
    assert_refused(api, f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.")


@pytest.mark.parametrize("encoding", ["pem", "der", "jwk"])
def test_hs256_with_our_public_key_as_secret_is_refused(api: Api, encoding: str) -> None:
    claims = live_claims(api)
    key = our_key(api)
    pem: bytes = key.public_key.to_pem()
    secret = {
        "pem": pem,
        "der": base64.b64decode(b"".join(pem.splitlines()[1:-1])),
        "jwk": json.dumps(key.public_jwk).encode(),
    }[encoding]
    header = b64(json.dumps({"alg": "HS256", "typ": "at+jwt", "kid": key.kid}).encode())
    signing_input = f"{header}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    assert_refused(api, f"{signing_input}.{b64(signature)}")


def test_a_foreign_es256_key_under_our_kid_is_refused(api: Api) -> None:
    claims = live_claims(api)
    foreign = load_signing_keys(generate_private_key_pem())[0]
    token = jwt.encode(
        claims,
        foreign.private_key,
        algorithm="ES256",
        headers={"kid": our_key(api).kid, "typ": "at+jwt"},
    )
    assert_refused(api, token)


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "https://evil.example"),
        ("aud", "another-app"),
        ("exp", 0),
        ("iat", 4_102_444_800),
        ("amr", "pwd"),
    ],
)
def test_wrong_claims_signed_with_our_key_are_refused(api: Api, claim: str, value: Any) -> None:
    claims = live_claims(api)
    claims[claim] = value
    assert_refused(api, sign(our_key(api), claims))


def test_wrong_typ_and_unknown_kid_are_refused(api: Api) -> None:
    claims = live_claims(api)
    assert_refused(api, sign(our_key(api), claims, typ="JWT"))
    assert_refused(api, sign(our_key(api), claims, kid="someone-elses-key"))


def test_a_tampered_payload_is_refused(api: Api) -> None:
    claims = live_claims(api)
    header, _, signature = sign(our_key(api), claims).split(".")
    forged = b64(json.dumps({**claims, "sub": "someone-else"}).encode())
    assert_refused(api, f"{header}.{forged}.{signature}")


def test_a_malleated_signature_of_a_logged_out_token_stays_refused(api: Api) -> None:
    api.register()
    access_token = api.login()["accessToken"]
    assert api.client.post("/auth/logout", headers=api.bearer(access_token)).status_code == 204
    signing_input, signature = access_token.rsplit(".", 1)
    raw = unb64(signature)
    s = int.from_bytes(raw[32:], "big")
    malleated = raw[:32] + (P256_ORDER - s).to_bytes(32, "big")
    assert_refused(api, f"{signing_input}.{b64(malleated)}")
