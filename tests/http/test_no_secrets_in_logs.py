"""No log line and no error body carries a password, a token or a key."""

import logging

import pytest

from entrypoints.settings import DEV_API_SECRET
from tests.http.conftest import PASSWORD, Api


def test_a_full_flow_logs_no_secret(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.register()
    tokens = api.login()
    connect = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers=api.bearer(tokens["accessToken"]),
    ).json()["connectToken"]
    signed = api.client.post(
        "/_emulator/corbado/v2/_emulator/passkeyLogin", json={"identifier": "jane@example.com"}
    ).json()["signedPasskeyData"]
    passkey = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed}).json()
    replay = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    refreshed = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    api.clock.advance(60)
    reused = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    api.client.post("/auth/logout", headers=api.bearer(tokens["accessToken"]))
    api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    key_pem = api.container.settings().signing_keys_path.read_text(encoding="ascii")
    secrets = {
        "password": PASSWORD,
        "access token": tokens["accessToken"],
        "refresh token": tokens["refreshToken"],
        "passkey access token": passkey["accessToken"],
        "passkey refresh token": passkey["refreshToken"],
        "rotated refresh token": refreshed.json()["refreshToken"],
        "connect token": connect,
        "signed passkey data": signed,
        "Corbado API secret": DEV_API_SECRET,
        "signing key": key_pem.splitlines()[1],
    }
    logged = caplog.text
    assert caplog.records, "the flow should log something (at least httpx calls)"
    for name, secret in secrets.items():
        assert secret not in logged, f"{name} leaked into a log line"
        assert secret not in replay.text
        assert secret not in reused.text
