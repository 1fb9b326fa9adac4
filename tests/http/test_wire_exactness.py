"""What the OpenAPI document promises about the wire holds: optional bodies, strict types, Allow."""

from typing import Any

import pytest

from tests.http.conftest import Api


@pytest.mark.parametrize(
    "raw",
    [b"null", b'{"allSessions": 1}', b'{"allSessions": "true"}', b'{"allSessions": true, "x": 1}'],
    ids=["null", "number-for-boolean", "string-for-boolean", "unknown-member"],
)
def test_logout_refuses_a_body_the_document_does_not_allow(api: Api, raw: bytes) -> None:
    api.register()
    access = api.login()["accessToken"]
    response = api.client.post(
        "/auth/logout",
        content=raw,
        headers={**api.bearer(access), "Content-Type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert api.client.get("/auth/me", headers=api.bearer(access)).status_code == 200


@pytest.mark.parametrize(
    ("body", "ends_other_session"),
    [(None, False), ({"allSessions": False}, False), ({"allSessions": True}, True)],
    ids=["no-body", "this-session", "all-sessions"],
)
def test_logout_takes_no_body_or_the_documented_one(
    api: Api, body: dict[str, Any] | None, ends_other_session: bool
) -> None:
    api.register()
    here, elsewhere = api.login()["accessToken"], api.login()["accessToken"]
    response = api.client.post("/auth/logout", json=body, headers=api.bearer(here))
    assert response.status_code == 204, response.text
    assert api.client.get("/auth/me", headers=api.bearer(here)).status_code == 401
    other = api.client.get("/auth/me", headers=api.bearer(elsewhere)).status_code
    assert other == (401 if ends_other_session else 200)


def test_options_lists_every_method_of_a_path_served_by_several_handlers(api: Api) -> None:
    # GET /auth/me and DELETE /auth/me are two handlers (litestar#4169 answered GET only).
    response = api.client.options("/auth/me")
    assert response.status_code == 204
    assert response.headers["allow"] == "DELETE, GET, OPTIONS"
    refused = api.client.put("/auth/me")
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"DELETE", "GET", "OPTIONS"}
