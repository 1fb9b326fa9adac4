"""Register, login, me, refresh and logout through HTTP, as a client sees them.

The session flows run in both transports: the refresh token in the JSON body, and in the
browser's `HttpOnly` cookie (`tests/http/transports.py`).
"""

import pytest
from jose import jwt

from tests.http.conftest import PASSWORD, Api, error_of
from tests.http.transports import BOTH, Transport, cleared, sends_no_cookie


def test_register_answers_201_with_the_normalised_user(api: Api) -> None:
    body = {"email": " Jane@Example.com ", "password": PASSWORD, "displayName": "Jane Doe"}
    response = api.client.post("/auth/register", json=body)
    assert response.status_code == 201
    user = response.json()
    assert set(user) == {"userId", "email", "displayName", "emailVerified"}
    assert user["emailVerified"] is False
    assert (user["email"], user["displayName"]) == ("jane@example.com", "Jane Doe")


def test_register_twice_is_409(api: Api) -> None:
    api.register()
    body = {"email": "JANE@example.com", "password": PASSWORD, "displayName": "Jane"}
    response = api.client.post("/auth/register", json=body)
    assert response.status_code == 409
    assert error_of(response) == "email_taken"


NFC = "jos\u00e9@x.example"
NFD = "jose\u0301@x.example"


@pytest.mark.parametrize(
    ("first", "second"), [(NFC, NFD), (NFD, NFC), (NFC, "JOSE\u0301@X.example")]
)
def test_another_unicode_spelling_of_a_registered_email_is_409(
    api: Api, first: str, second: str
) -> None:
    assert api.register(first)["email"] == NFC
    body = {"email": second, "password": PASSWORD, "displayName": "Other"}
    response = api.client.post("/auth/register", json=body)
    assert response.status_code == 409
    assert error_of(response) == "email_taken"


@pytest.mark.parametrize(("registered", "typed"), [(NFC, NFD), (NFD, "JOS\u00c9@x.example")])
def test_login_with_another_unicode_spelling_reaches_the_same_account(
    api: Api, registered: str, typed: str
) -> None:
    user = api.register(registered)
    tokens = api.login(typed)
    me = api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    assert me.json()["userId"] == user["userId"]


def test_an_email_that_folds_past_254_characters_is_400(api: Api) -> None:
    body = {"email": "\u00df" * 124 + "@x.example", "password": PASSWORD, "displayName": "J"}
    response = api.client.post("/auth/register", json=body)
    assert response.status_code == 400
    assert error_of(response) == "invalid_email"


@pytest.fixture(params=BOTH, ids=lambda transport: transport.name)
def transport(request: pytest.FixtureRequest) -> Transport:
    chosen: Transport = request.param
    return chosen


def test_login_returns_a_bearer_pair_that_is_not_cached(api: Api, transport: Transport) -> None:
    api.register()
    response = api.client.post(
        "/auth/login",
        json={"email": "jane@example.com", "password": PASSWORD},
        headers=transport.headers,
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    tokens = response.json()
    in_body = {"accessToken", "tokenType", "expiresIn", "deviceToken"}
    assert set(tokens) == (in_body if transport.in_cookie else in_body | {"refreshToken"})
    assert tokens["tokenType"] == "Bearer"
    assert tokens["expiresIn"] == 900
    assert transport.issued(response)


def test_unknown_email_and_wrong_password_look_the_same(api: Api) -> None:
    api.register()
    unknown = api.client.post("/auth/login", json={"email": "x@example.com", "password": PASSWORD})
    wrong = api.client.post(
        "/auth/login", json={"email": "jane@example.com", "password": "nope-nope"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert error_of(unknown) == "invalid_credentials"


def test_me_names_the_logged_in_user(api: Api) -> None:
    user = api.register()
    tokens = api.login()
    response = api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    assert response.status_code == 200
    assert response.json() == user


def test_access_token_carries_the_documented_claims(api: Api) -> None:
    user = api.register()
    tokens = api.login()
    jwks = api.client.get("/.well-known/jwks.json")
    assert "max-age" in jwks.headers["cache-control"]
    claims = jwt.decode(
        tokens["accessToken"],
        jwks.json(),
        algorithms=["ES256"],
        audience="connect-backend-dev",
        issuer="http://127.0.0.1:8000",
    )
    assert set(claims) == {"iss", "aud", "sub", "iat", "exp", "jti", "sid", "auth_time", "amr"}
    assert claims["sub"] == user["userId"]
    assert claims["amr"] == ["pwd"]
    assert claims["exp"] - claims["iat"] == 900
    header = jwt.get_unverified_header(tokens["accessToken"])
    assert header["typ"] == "at+jwt"
    assert header["kid"] == jwks.json()["keys"][0]["kid"]


def test_refresh_rotates_and_keeps_auth_time(api: Api, transport: Transport) -> None:
    api.register()
    first, first_refresh = transport.login(api)
    api.clock.advance(120)
    response = transport.refresh(api, first_refresh)
    second_refresh = transport.issued(response)
    assert second_refresh != first_refresh
    old = jwt.get_unverified_claims(first["accessToken"])
    new = jwt.get_unverified_claims(response.json()["accessToken"])
    assert (new["sid"], new["auth_time"]) == (old["sid"], old["auth_time"])
    assert new["iat"] == old["iat"] + 120
    assert transport.refresh(api, second_refresh).status_code == 200


def test_replay_within_grace_succeeds_and_after_it_revokes_the_session(
    api: Api, transport: Transport
) -> None:
    api.register()
    _, first = transport.login(api)
    answer = transport.refresh(api, first)
    second, access = transport.issued(answer), answer.json()["accessToken"]
    api.clock.advance(10)
    again = transport.refresh(api, first)
    assert transport.issued(again) == second, "the same successor, so tabs converge"
    api.clock.advance(30)
    reused = transport.refresh(api, first)
    assert reused.status_code == 401
    assert error_of(reused) == "refresh_token_reused"
    assert cleared(reused) if transport.in_cookie else sends_no_cookie(reused)
    assert transport.refresh(api, second).status_code == 401
    me = api.client.get("/auth/me", headers=api.bearer(access))
    assert me.status_code == 401
    assert me.headers["www-authenticate"] == "Bearer"


def test_logout_ends_the_session_at_once(api: Api, transport: Transport) -> None:
    api.register()
    tokens, held = transport.login(api)
    other, _ = transport.login(api)
    response = transport.logout(api, tokens["accessToken"], held)
    assert response.status_code == 204
    assert response.content == b""
    assert cleared(response) if transport.in_cookie else sends_no_cookie(response)
    me = api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    assert me.status_code == 401
    assert transport.refresh(api, held).status_code == 401
    still = api.client.get("/auth/me", headers=api.bearer(other["accessToken"]))
    assert still.status_code == 200


def test_logout_everywhere_ends_every_session(api: Api, transport: Transport) -> None:
    api.register()
    tokens, held = transport.login(api)
    other, other_held = transport.login(api)
    response = transport.logout(api, tokens["accessToken"], held, {"allSessions": True})
    assert response.status_code == 204
    assert cleared(response) if transport.in_cookie else sends_no_cookie(response)
    for access, refresh_token in (
        (tokens["accessToken"], held),
        (other["accessToken"], other_held),
    ):
        assert api.client.get("/auth/me", headers=api.bearer(access)).status_code == 401
        assert transport.refresh(api, refresh_token).status_code == 401


def test_logout_needs_a_bearer_token(api: Api) -> None:
    response = api.client.post("/auth/logout")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_health_and_readiness(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
