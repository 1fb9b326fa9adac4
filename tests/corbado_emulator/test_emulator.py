"""The Corbado emulator over HTTP: auth, the errorRsp envelope, validation, minting, verifying."""

import base64
import json
import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jose import jwt
from litestar import Litestar
from litestar.testing import TestClient

from corbado_emulator import create_emulator_app
from tests.corbado_emulator.emulator_support import (
    API_SECRET,
    AUTH,
    NOW,
    PROJECT_ID,
    Clock,
    assert_envelope,
    passkey_login,
    validation_fields,
    verify,
)

PROTECTED = ["/connectTokens", "/passkey/verifySignedData"]
ALL_ROUTES = [*PROTECTED, "/_emulator/passkeyLogin"]
JSON = {"Content-Type": "application/json"}


# Auth and routing ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROTECTED)
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(f"{PROJECT_ID}:wrong".encode()).decode(),
        "Basic " + base64.b64encode(f"pro-1:{API_SECRET}".encode()).decode(),
        "Basic " + base64.b64encode(API_SECRET.encode()).decode(),
        "Basic !!not-base64!!",
        f"Bearer {API_SECRET}",
    ],
    ids=["missing", "wrong-secret", "wrong-project", "secret-alone", "garbled", "bearer"],
)
async def test_bad_credentials_get_a_login_error(
    emulator: httpx.AsyncClient, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await emulator.post(path, content=b"{}", headers=headers)

    assert_envelope(response, 401, "login_error")
    assert "requestData" in response.json()


async def test_the_plural_path_of_the_guide_is_not_found(emulator: httpx.AsyncClient) -> None:
    response = await emulator.post(
        "/passkeys/verifySignedData",
        json={"signedPasskeyData": "x", "username": "jane@doe.com"},
        auth=AUTH,
    )

    assert_envelope(response, 404, "not_found")


async def test_a_wrong_method_is_not_allowed(emulator: httpx.AsyncClient) -> None:
    response = await emulator.get("/connectTokens", auth=AUTH)

    assert_envelope(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.parametrize("path", ALL_ROUTES)
@pytest.mark.parametrize(
    "body", [b"", b"{", b"\xff", b"[" * 5000], ids=["empty", "cut", "utf8", "deep"]
)
async def test_malformed_json_is_invalid_json(
    emulator: httpx.AsyncClient, path: str, body: bytes
) -> None:
    response = await emulator.post(path, content=body, headers=JSON, auth=AUTH)

    assert_envelope(response, 400, "invalid_json")


async def test_an_oversized_body_is_refused_in_the_envelope(emulator: httpx.AsyncClient) -> None:
    response = await emulator.post("/connectTokens", content=b" " * 70_000, auth=AUTH)

    assert_envelope(response, 413, "validation_error")


# connectTokens ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ([], {"body"}),
        ({}, {"type", "data"}),
        ({"type": "login-init", "data": {"identifier": "j"}}, {"type"}),
        ({"type": "passkey-list"}, {"data"}),
        ({"type": "passkey-list", "data": "j"}, {"data"}),
        ({"type": "passkey-list", "data": {}}, {"data.identifier"}),
        ({"type": "passkey-list", "data": {"identifier": "  "}}, {"data.identifier"}),
        ({"type": "passkey-list", "data": {"identifier": 7}}, {"data.identifier"}),
        ({"type": "passkey-append", "data": {"identifier": "j"}}, {"data.displayName"}),
        (
            {"type": "passkey-append", "data": {"identifier": "j", "displayName": ""}},
            {"data.displayName"},
        ),
        (
            {"type": "passkey-delete", "data": {"identifier": "j", "displayName": 1}},
            {"data.displayName"},
        ),
        (
            {"type": "passkey-login", "data": {"identifier": "j"}, "maxLifetimeInSeconds": 0},
            {"maxLifetimeInSeconds"},
        ),
        (
            {"type": "passkey-login", "data": {"identifier": "j"}, "maxLifetimeInSeconds": True},
            {"maxLifetimeInSeconds"},
        ),
    ],
)
async def test_connect_token_validation_errors_name_the_fields(
    emulator: httpx.AsyncClient, body: object, fields: set[str]
) -> None:
    response = await emulator.post("/connectTokens", json=body, auth=AUTH)

    assert validation_fields(response) == fields


async def test_a_connect_token_has_the_spec_shape(emulator: httpx.AsyncClient) -> None:
    data = {"identifier": "jane@doe.com", "displayName": "Jane Doe"}

    response = await emulator.post(
        "/connectTokens", json={"type": "passkey-append", "data": data}, auth=AUTH
    )

    assert response.status_code == 200
    token = response.json()
    assert re.fullmatch(r"ctk-\d+", token.pop("id"))
    assert re.fullmatch(r"ctk1_[A-Za-z0-9]+", token.pop("secret"))
    assert token == {
        "tokenType": "passkey-append",
        "data": data,
        "connectTokenStatus": "initial",
        "expires": NOW + 3600,
    }


@pytest.mark.parametrize(
    "data",
    [{"identifier": "jane@doe.com"}, {"identifier": "jane@doe.com", "displayName": ""}],
    ids=["without-display-name", "blank-display-name"],
)
async def test_display_name_is_optional_beyond_append(
    emulator: httpx.AsyncClient, data: dict[str, str]
) -> None:
    response = await emulator.post(
        "/connectTokens",
        json={"type": "passkey-list", "data": data, "maxLifetimeInSeconds": 60},
        auth=AUTH,
    )

    assert response.status_code == 200
    assert response.json()["data"] == data
    assert response.json()["expires"] == NOW + 60


# passkeyLogin ----------------------------------------------------------------------------------


async def test_passkey_login_mints_the_documented_jwt(emulator: httpx.AsyncClient) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")

    header = jwt.get_unverified_header(signed)
    claims = jwt.get_unverified_claims(signed)
    assert header.keys() == {"alg", "kid", "typ"}
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    assert re.fullmatch(r"pki-\d+", header["kid"])
    assert claims.keys() == {
        "iss", "sub", "exp", "nbf", "iat", "jti", "processId", "username", "credential",
        "challengeId", "webauthnId", "isCUI",
    }  # fmt: skip
    assert claims["iss"] == PROJECT_ID
    assert re.fullmatch(r"usr-\d+", claims["sub"])
    assert claims["iat"] == NOW
    assert claims["nbf"] == NOW - 10
    assert claims["exp"] == NOW + 300
    assert re.fullmatch(r"[A-Za-z0-9]{30}", claims["jti"])
    assert re.fullmatch(r"[A-Za-z0-9]{20}", claims["processId"])
    assert claims["username"] == ""
    assert re.fullmatch(r"cre-\d+", claims["credential"])
    assert re.fullmatch(r"was-\d+", claims["challengeId"])
    assert claims["webauthnId"] == "jane@doe.com"
    assert claims["isCUI"] is False


async def test_user_and_credential_are_stable_per_identifier(emulator: httpx.AsyncClient) -> None:
    first = jwt.get_unverified_claims(await passkey_login(emulator, "jane@doe.com"))
    again = jwt.get_unverified_claims(await passkey_login(emulator, "jane@doe.com"))
    other = jwt.get_unverified_claims(await passkey_login(emulator, "john@doe.com"))

    assert (again["sub"], again["credential"]) == (first["sub"], first["credential"])
    assert other["sub"] != first["sub"]
    assert other["credential"] != first["credential"]
    assert again["jti"] != first["jti"]


async def test_passkey_login_needs_no_credentials(emulator: httpx.AsyncClient) -> None:
    response = await emulator.post("/_emulator/passkeyLogin", json={"identifier": "jane"})

    assert response.status_code == 200


@pytest.mark.parametrize("body", [{}, {"identifier": ""}, {"identifier": ["jane"]}])
async def test_passkey_login_needs_an_identifier(
    emulator: httpx.AsyncClient, body: dict[str, object]
) -> None:
    response = await emulator.post("/_emulator/passkeyLogin", json=body)

    assert validation_fields(response) == {"identifier"}


# verifySignedData ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"signedPasskeyData", "username"}),
        ({"signedPasskeyData": "x"}, {"username"}),
        ({"signedPasskeyData": None, "username": "jane"}, {"signedPasskeyData"}),
        ({"signedPasskeyData": "x", "username": 1}, {"username"}),
    ],
)
async def test_verify_needs_both_strings(
    emulator: httpx.AsyncClient, body: dict[str, object], fields: set[str]
) -> None:
    response = await emulator.post("/passkey/verifySignedData", json=body, auth=AUTH)

    assert validation_fields(response) == fields


async def test_expired_data_is_an_invalid_challenge(
    emulator: httpx.AsyncClient, clock: Clock
) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")
    clock.now += 300

    assert await verify(emulator, signed, "jane@doe.com") == "invalid_challenge"


async def test_data_is_valid_until_just_before_it_expires(
    emulator: httpx.AsyncClient, clock: Clock
) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")
    clock.now += 299

    assert await verify(emulator, signed, "jane@doe.com") == "success"


async def test_a_mismatched_attempt_burns_the_data(emulator: httpx.AsyncClient) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")

    assert await verify(emulator, signed, "john@doe.com") == "user_mismatch"
    assert await verify(emulator, signed, "jane@doe.com") == "invalid_challenge"


async def test_a_replay_stays_refused_until_and_after_expiry(
    emulator: httpx.AsyncClient, clock: Clock
) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")
    assert await verify(emulator, signed, "jane@doe.com") == "success"

    clock.now += 299
    assert await verify(emulator, signed, "jane@doe.com") == "invalid_challenge"
    clock.now += 1
    assert await verify(emulator, signed, "jane@doe.com") == "invalid_challenge"


async def test_a_bad_signature_burns_nothing(emulator: httpx.AsyncClient) -> None:
    signed = await passkey_login(emulator, "jane@doe.com")
    head, payload, _ = signed.split(".")

    assert await verify(emulator, f"{head}.{payload}.AAAA", "jane@doe.com") == "invalid_signature"
    assert await verify(emulator, signed, "jane@doe.com") == "success"


async def test_data_from_another_emulator_has_an_invalid_signature(
    emulator: httpx.AsyncClient,
) -> None:
    other = create_emulator_app(PROJECT_ID, API_SECRET)
    transport = httpx.ASGITransport(app=other)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://other.test/v2") as c:
        foreign = await passkey_login(c, "jane@doe.com")

    assert await verify(emulator, foreign, "jane@doe.com") == "invalid_signature"


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "forged",
    [
        _segment(b'{"alg":"none"}') + "." + _segment(b'{"webauthnId":"jane@doe.com"}') + ".",
        jwt.encode({"webauthnId": "jane@doe.com"}, API_SECRET, algorithm="HS256"),
        _segment(b"[" * 3000) + "." + _segment(b"{}") + ".c2ln",
        _segment(b'{"alg":"RS256"}') + "." + _segment(b"\xff") + ".c2ln",
    ],
    ids=["alg-none", "hs256", "deep-header", "bad-utf8"],
)
async def test_forged_or_broken_data_has_an_invalid_signature(
    emulator: httpx.AsyncClient, forged: str
) -> None:
    assert await verify(emulator, forged, "jane@doe.com") == "invalid_signature"


# Never a 500 -----------------------------------------------------------------------------------

_FIELDS = st.sampled_from(
    ["type", "data", "identifier", "displayName", "signedPasskeyData", "username",
     "maxLifetimeInSeconds"]
)  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_FIELDS | st.text(), inner),
    max_leaves=12,
)
_BODIES = st.binary(max_size=256) | _JSON.map(lambda v: json.dumps(v).encode())


def test_no_input_makes_the_emulator_fail(app: Litestar) -> None:
    with TestClient(app=app, base_url="http://emulator.test/v2") as client:

        @given(path=st.sampled_from(ALL_ROUTES), body=_BODIES)
        @settings(max_examples=150, deadline=None)
        def check(path: str, body: bytes) -> None:
            response = client.post(path, content=body, headers=JSON, auth=AUTH)
            assert response.status_code in (200, 400)
            if response.status_code == 400:
                assert response.json()["error"]["type"] in ("invalid_json", "validation_error")

        check()
