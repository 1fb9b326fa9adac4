"""Issue 9 over HTTP: sessions, deleted passkeys, recent authentication, account deletion and
the revocation feed."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jose import jwt

from tests.http.conftest import Api, dev_settings, error_of, running_app

FEED_SECRET = "a-revocation-feed-secret-of-32-chars!"


@pytest.fixture
def feed_api(tmp_path: Path) -> Iterator[Api]:
    with running_app(dev_settings(tmp_path, revocation_feed_secret=FEED_SECRET)) as running:
        yield running


def sessions(api: Api, access_token: str) -> list[dict[str, Any]]:
    response = api.client.get("/auth/sessions", headers=api.bearer(access_token))
    assert response.status_code == 200
    listed: list[dict[str, Any]] = response.json()["sessions"]
    return listed


def passkey_login(api: Api, email: str = "jane@example.com") -> dict[str, Any]:
    signed = api.client.post(
        "/_emulator/corbado/v2/_emulator/passkeyLogin", json={"identifier": email}
    ).json()["signedPasskeyData"]
    response = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert response.status_code == 200
    tokens: dict[str, Any] = response.json()
    return tokens


def passkey_credential(api: Api, email: str = "jane@example.com") -> str:
    """The emulator gives one identifier the same credential id on every login."""
    signed = api.client.post(
        "/_emulator/corbado/v2/_emulator/passkeyLogin", json={"identifier": email}
    ).json()["signedPasskeyData"]
    credential: str = jwt.get_unverified_claims(signed)["credential"]
    return credential


def test_the_session_list_shows_each_device_and_the_current_one(api: Api) -> None:
    api.register()
    by_password = api.client.post(
        "/auth/login",
        json={"email": "jane@example.com", "password": "correct horse battery"},
        headers={"User-Agent": "Phone/1.0"},
    ).json()
    passkey_login(api)
    listed = sessions(api, by_password["accessToken"])
    assert sorted(s["method"] for s in listed) == ["passkey", "password"]
    current = [s for s in listed if s["current"]]
    assert len(current) == 1
    assert (current[0]["method"], current[0]["userAgent"]) == ("password", "Phone/1.0")
    assert set(current[0]) == {
        "sessionId",
        "createdAt",
        "lastUsedAt",
        "method",
        "current",
        "userAgent",
    }


def test_ending_another_of_your_sessions_stops_its_tokens(api: Api) -> None:
    api.register()
    mine = api.login()
    other = api.login()
    other_id = next(s["sessionId"] for s in sessions(api, mine["accessToken"]) if not s["current"])
    response = api.client.delete(
        f"/auth/sessions/{other_id}", headers=api.bearer(mine["accessToken"])
    )
    assert response.status_code == 204
    assert api.client.get("/auth/me", headers=api.bearer(other["accessToken"])).status_code == 401
    assert api.client.get("/auth/me", headers=api.bearer(mine["accessToken"])).status_code == 200


def test_another_users_session_id_is_404_and_keeps_working(api: Api) -> None:
    api.register()
    api.register(email="eve@example.com", name="Eve")
    jane = api.login()
    eve = api.login("eve@example.com")
    eve_session = sessions(api, eve["accessToken"])[0]["sessionId"]
    response = api.client.delete(
        f"/auth/sessions/{eve_session}", headers=api.bearer(jane["accessToken"])
    )
    assert response.status_code == 404
    assert error_of(response) == "session_not_found"
    unknown = api.client.delete("/auth/sessions/nope", headers=api.bearer(jane["accessToken"]))
    assert unknown.json() == response.json()
    assert api.client.get("/auth/me", headers=api.bearer(eve["accessToken"])).status_code == 200


def test_logout_with_all_sessions_ends_every_session_of_the_user(api: Api) -> None:
    api.register()
    first, second = api.login(), api.login()
    response = api.client.post(
        "/auth/logout", json={"allSessions": True}, headers=api.bearer(first["accessToken"])
    )
    assert response.status_code == 204
    for tokens in (first, second):
        assert (
            api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"])).status_code == 401
        )
        refreshed = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
        assert refreshed.status_code == 401


def test_reporting_a_deleted_passkey_ends_the_sessions_it_opened(api: Api) -> None:
    api.register()
    by_password = api.login()
    by_passkey = passkey_login(api)
    credential = passkey_credential(api)
    response = api.client.post(
        "/auth/passkeys/deleted",
        json={"credentialId": credential},
        headers=api.bearer(by_password["accessToken"]),
    )
    assert response.status_code == 200
    assert response.json() == {"endedSessions": 1}
    assert (
        api.client.get("/auth/me", headers=api.bearer(by_passkey["accessToken"])).status_code == 401
    )
    assert (
        api.client.get("/auth/me", headers=api.bearer(by_password["accessToken"])).status_code
        == 200
    )


@pytest.mark.parametrize("token_type", ["passkey-append", "passkey-delete"])
def test_a_stale_login_must_reauthenticate_for_sensitive_connect_tokens(
    api: Api, token_type: str
) -> None:
    api.register()
    tokens = api.login()
    api.clock.advance(601)
    fresh_access = api.client.post(
        "/auth/refresh", json={"refreshToken": tokens["refreshToken"]}
    ).json()["accessToken"]
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": token_type},
        headers=api.bearer(fresh_access),
    )
    assert response.status_code == 401
    assert error_of(response) == "reauthentication_required"
    listing = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-list"},
        headers=api.bearer(fresh_access),
    )
    assert listing.status_code == 200


def test_account_deletion_needs_recent_login_then_removes_everything(api: Api) -> None:
    api.register()
    tokens = api.login()
    api.clock.advance(601)
    stale = api.client.post("/auth/refresh", json={"refreshToken": tokens["refreshToken"]}).json()
    refused = api.client.delete("/auth/me", headers=api.bearer(stale["accessToken"]))
    assert refused.status_code == 401
    assert error_of(refused) == "reauthentication_required"
    fresh = api.login()
    assert (
        api.client.delete("/auth/me", headers=api.bearer(fresh["accessToken"])).status_code == 204
    )
    assert api.client.get("/auth/me", headers=api.bearer(fresh["accessToken"])).status_code == 401
    gone = api.client.post("/auth/refresh", json={"refreshToken": stale["refreshToken"]})
    assert gone.status_code == 401
    relogin = api.client.post(
        "/auth/login", json={"email": "jane@example.com", "password": "correct horse battery"}
    )
    assert relogin.status_code == 401


def test_the_revocation_feed_shows_a_logout(feed_api: Api) -> None:
    api = feed_api
    api.register()
    tokens = api.login()
    session_id = sessions(api, tokens["accessToken"])[0]["sessionId"]
    feed = {"Authorization": f"Bearer {FEED_SECRET}"}
    before = api.client.get("/auth/revocations", headers=feed).json()
    api.client.post("/auth/logout", headers=api.bearer(tokens["accessToken"]))
    after = api.client.get(
        "/auth/revocations", params={"since": before["nextCursor"]}, headers=feed
    ).json()
    assert [entry["sessionId"] for entry in after["revocations"]] == [session_id]
    entry = after["revocations"][0]
    assert entry["denyUntil"] - entry["revokedAt"] == 900 + 30
    again = api.client.get(
        "/auth/revocations", params={"since": after["nextCursor"]}, headers=feed
    ).json()
    assert again == {"revocations": [], "nextCursor": after["nextCursor"]}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {FEED_SECRET}"}],
)
def test_the_feed_refuses_callers_without_its_secret(
    feed_api: Api, headers: dict[str, str]
) -> None:
    response = feed_api.client.get("/auth/revocations", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_feed_is_closed_without_a_configured_secret(api: Api) -> None:
    api.register()
    access = api.login()["accessToken"]
    response = api.client.get("/auth/revocations", headers=api.bearer(access))
    assert response.status_code == 401


@pytest.mark.parametrize("since", ["-1", "abc", str(2**63)])
def test_a_bad_cursor_is_400(feed_api: Api, since: str) -> None:
    response = feed_api.client.get(
        "/auth/revocations",
        params={"since": since},
        headers={"Authorization": f"Bearer {FEED_SECRET}"},
    )
    assert response.status_code == 400
