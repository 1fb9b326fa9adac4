"""createConnectToken and completeLogin, through the emulator and through a scripted Corbado."""

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from jose import jwt

from domain.errors import CorbadoError, CorbadoRejected, CorbadoTimeout, CorbadoUnavailable
from domain.model import ConnectTokenType, IdentifierKind, VerificationResult
from tests.http.conftest import Api, dev_settings, error_of, running_app
from tests.http.transports import BOTH, Transport
from tests.support.authenticator import SoftAuthenticator
from tests.support.ceremonies import Frontend

EMULATOR_LOGIN = "/_emulator/corbado/v2/_emulator/passkeyLogin"
EMULATOR_FRONTEND_API = "/_emulator/corbado/frontendapi"


def emulator_passkey_login(api: Api, identifier: str) -> str:
    response = api.client.post(EMULATOR_LOGIN, json={"identifier": identifier})
    assert response.status_code == 200, response.text
    data: str = response.json()["signedPasskeyData"]
    return data


@pytest.mark.parametrize("token_type", [kind.value for kind in ConnectTokenType])
def test_a_logged_in_user_gets_a_connect_token_from_the_emulator(api: Api, token_type: str) -> None:
    api.register()
    tokens = api.login()
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": token_type},
        headers=api.bearer(tokens["accessToken"]),
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    assert set(body) == {"connectToken"}
    assert body["connectToken"].startswith("ctk1_")


def test_create_connect_token_needs_a_bearer_token(api: Api) -> None:
    response = api.client.post(
        "/auth/createConnectToken", json={"connectTokenType": "passkey-list"}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_type_is_400(api: Api) -> None:
    api.register()
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "login-init"},
        headers=api.bearer(api.login()["accessToken"]),
    )
    assert response.status_code == 400


@pytest.mark.parametrize("transport", BOTH, ids=lambda transport: transport.name)
def test_passkey_login_through_the_emulator_starts_a_passkey_session(
    api: Api, transport: Transport
) -> None:
    user = api.register()
    signed = emulator_passkey_login(api, "jane@example.com")
    response = api.client.post(
        "/auth/completeLogin", json={"signedPasskeyData": signed}, headers=transport.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True
    assert body["tokenType"] == "Bearer"
    claims = jwt.get_unverified_claims(body["accessToken"])
    assert claims["sub"] == user["userId"]
    assert claims["amr"] == ["hwk", "user"]
    me = api.client.get("/auth/me", headers=api.bearer(body["accessToken"]))
    assert me.json() == user
    refreshed = transport.refresh(api, transport.issued(response))
    assert jwt.get_unverified_claims(refreshed.json()["accessToken"])["amr"] == ["hwk", "user"]
    assert transport.issued(refreshed)


def connect_token(api: Api, access_token: str, token_type: str) -> str:
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": token_type},
        headers=api.bearer(access_token),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["connectToken"]
    return token


def test_a_passkey_made_in_a_ceremony_logs_in_through_complete_login(api: Api) -> None:
    user = api.register()
    access = api.login()["accessToken"]
    frontend = Frontend(api.client, EMULATOR_FRONTEND_API)
    authenticator = SoftAuthenticator()
    appended = frontend.append(authenticator, connect_token(api, access, "passkey-append"))
    assert appended.status_code == 200, appended.text

    discoverable = frontend.login(authenticator)
    by_email = frontend.login(authenticator, "jane@example.com")

    for login in (discoverable, by_email):
        assert login.status_code == 200, login.text
        response = api.client.post(
            "/auth/completeLogin", json={"signedPasskeyData": login.json()["session"]}
        )
        assert response.status_code == 200, response.text
        claims = jwt.get_unverified_claims(response.json()["accessToken"])
        assert claims["sub"] == user["userId"]
        assert claims["amr"] == ["hwk", "user"]


def test_a_passkey_deleted_from_the_list_no_longer_logs_in(api: Api) -> None:
    api.register()
    access = api.login()["accessToken"]
    frontend = Frontend(api.client, EMULATOR_FRONTEND_API)
    authenticator = SoftAuthenticator()
    frontend.append(authenticator, connect_token(api, access, "passkey-append"))
    signed_before = frontend.login(authenticator).json()["session"]
    listed = frontend.post(
        "manage/list", {"connectToken": connect_token(api, access, "passkey-list")}
    )
    [passkey] = listed.json()["passkeys"]

    deleted = frontend.post(
        "manage/delete",
        {
            "connectToken": connect_token(api, access, "passkey-delete"),
            "credentialID": passkey["id"],
        },
    )

    assert deleted.status_code == 200, deleted.text
    refused = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed_before})
    assert refused.status_code == 401
    assert frontend.login_options(None)["allowCredentials"] == []
    fallback = frontend.post("login/start", {"identifier": "jane@example.com"}).json()
    assert fallback["fallbackOperationError"]["initFallback"] is True


def test_a_replayed_passkey_login_is_401(api: Api) -> None:
    api.register()
    signed = emulator_passkey_login(api, "jane@example.com")
    assert (
        api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed}).status_code
        == 200
    )
    replay = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert replay.status_code == 401
    assert replay.json()["success"] is False
    assert error_of(replay) == "passkey_login_failed"


def test_a_passkey_of_an_unknown_user_is_401(api: Api) -> None:
    signed = emulator_passkey_login(api, "stranger@example.com")
    response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_a_passkey_of_a_user_another_worker_deleted_is_401(tmp_path: Path) -> None:
    settings = dev_settings(tmp_path, corbado_identifier=IdentifierKind.USER_ID)
    with running_app(settings) as api:
        user = api.register()
        me = api.client.get("/auth/me", headers=api.bearer(api.login()["accessToken"]))
        assert me.status_code == 200, "the profile is now in this process's cache"
        database = str(settings.database_url.database)
        with closing(sqlite3.connect(database)) as other_worker, other_worker:
            other_worker.execute("DELETE FROM users WHERE id = ?", (user["userId"],))
        signed = emulator_passkey_login(api, user["userId"])
        response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_connect_token_request_carries_the_users_identifier_and_name(fake_corbado_api: Api) -> None:
    api = fake_corbado_api
    api.register(email="Jane@Example.com", name="Jane Doe")
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers=api.bearer(api.login()["accessToken"]),
    )
    assert response.json() == {"connectToken": "ctk1_fake_1"}
    assert api.corbado is not None
    assert api.corbado.calls == [
        ("create_connect_token", ConnectTokenType.PASSKEY_APPEND, "jane@example.com", "Jane Doe")
    ]


@pytest.mark.parametrize(
    "garbage",
    ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x" * 8192],
)
def test_what_is_not_a_jwt_is_refused_without_calling_corbado(
    fake_corbado_api: Api, garbage: str
) -> None:
    api = fake_corbado_api
    response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": garbage})
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert api.corbado is not None
    assert api.corbado.calls == []


def test_data_of_another_project_or_expired_is_refused_without_calling_corbado(
    fake_corbado_api: Api,
) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    foreign = api.corbado.mint("jane@example.com", issuer="pro-someone-else")
    expired = api.corbado.mint("jane@example.com", expires_at=api.clock.now() - 3600)
    for signed in (foreign, expired):
        response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
        assert response.status_code == 401
    assert api.corbado.calls == []


@pytest.mark.parametrize(
    "result", [r for r in VerificationResult if r is not VerificationResult.SUCCESS]
)
def test_every_non_success_verdict_is_401(
    fake_corbado_api: Api, result: VerificationResult
) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    api.corbado.answer_next_verification(result)
    signed = api.corbado.mint("jane@example.com")
    response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_verify_is_asked_with_the_webauthn_id_as_username(fake_corbado_api: Api) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    signed = api.corbado.mint("jane@example.com")
    assert (
        api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed}).status_code
        == 200
    )
    assert api.corbado.calls == [("verify_signed_passkey_data", signed, "jane@example.com")]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CorbadoRejected("credentials refused"), 502),
        (CorbadoUnavailable("500 from Corbado"), 502),
        (CorbadoUnavailable("connection refused", retry_later=True), 503),
        (CorbadoTimeout("no answer"), 504),
    ],
)
def test_corbado_failures_map_to_gateway_errors_and_verify_runs_once(
    fake_corbado_api: Api, error: CorbadoError, status: int
) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    api.corbado.fail_next_call(error)
    signed = api.corbado.mint("jane@example.com")
    response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert response.status_code == status
    assert response.json()["success"] is False
    assert str(error) not in response.text
    assert [call[0] for call in api.corbado.calls] == ["verify_signed_passkey_data"]
    api.corbado.fail_next_call(error)
    connect = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-list"},
        headers=api.bearer(api.login()["accessToken"]),
    )
    assert connect.status_code == status
    assert "success" not in connect.json()
