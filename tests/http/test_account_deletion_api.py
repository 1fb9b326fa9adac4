"""`DELETE /auth/me` as an attacker would probe it: passkeys left at Corbado, Corbado faults."""

import pytest

from domain.errors import CorbadoError, CorbadoRejected, CorbadoTimeout, CorbadoUnavailable
from tests.http.conftest import PASSWORD, Api, error_of

VICTIM = "victim@corp.example"


def append_a_passkey(api: Api, access_token: str) -> None:
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers=api.bearer(access_token),
    )
    assert response.status_code == 200, response.text


def test_a_deleted_accounts_passkey_cannot_enter_the_next_account_of_its_email(
    fake_corbado_api: Api,
) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    # The attacker registers the victim's address first and appends a passkey to it.
    api.register(VICTIM)
    attacker = api.login(VICTIM)
    append_a_passkey(api, attacker["accessToken"])
    attackers_passkey_login = api.corbado.mint(VICTIM)

    deleted = api.client.delete("/auth/me", headers=api.bearer(attacker["accessToken"]))
    assert deleted.status_code == 204
    # The real owner registers later; the attacker's passkey must not open the account.
    api.register(VICTIM)
    attempt = api.client.post(
        "/auth/completeLogin", json={"signedPasskeyData": attackers_passkey_login}
    )

    assert attempt.status_code == 401
    assert attempt.json()["success"] is False
    assert api.corbado.live_tokens == set()


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CorbadoUnavailable("down", retry_later=True), 503),
        (CorbadoUnavailable("5xx"), 502),
        (CorbadoRejected("credentials"), 502),
        (CorbadoTimeout("slow"), 504),
    ],
    ids=["unreachable", "failed", "rejected", "timeout"],
)
def test_when_corbado_cannot_confirm_the_account_stays_and_a_retry_works(
    fake_corbado_api: Api, error: CorbadoError, status: int
) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    tokens = api.login()
    api.corbado.fail_next_call(error)

    refused = api.client.delete("/auth/me", headers=api.bearer(tokens["accessToken"]))

    assert refused.status_code == status
    assert api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"])).status_code == 200
    refreshed = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 200
    retried = api.client.delete("/auth/me", headers=api.bearer(refreshed.json()["accessToken"]))
    assert retried.status_code == 204
    login = api.client.post("/auth/login", json={"email": "jane@example.com", "password": PASSWORD})
    assert login.status_code == 401


def test_a_connect_token_for_a_deleted_account_is_refused(fake_corbado_api: Api) -> None:
    api = fake_corbado_api
    api.register()
    tokens = api.login()
    other = api.login()
    assert (
        api.client.delete("/auth/me", headers=api.bearer(tokens["accessToken"])).status_code == 204
    )

    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-list"},
        headers=api.bearer(other["accessToken"]),
    )

    assert response.status_code == 401
    assert error_of(response) == "invalid_token"
