"""One audit event per security-relevant action, with ids and never a secret."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers

from domain.ports.audit import AuditAction, AuditEvent
from tests.fakes.fake_audit_log import FakeAuditLog
from tests.http.conftest import PASSWORD, Api, LogLines


@pytest.fixture
def audit(api: Api) -> Iterator[FakeAuditLog]:
    fake = FakeAuditLog()
    with api.container.audit_log.override(providers.Object(fake)):
        yield fake


def session_of(api: Api, access_token: str) -> tuple[str, str]:
    me = api.client.get("/auth/me", headers=api.bearer(access_token)).json()
    grant = api.container.access_tokens().decode(access_token)
    assert grant.subject == me["userId"]
    return grant.subject, grant.session_id


def session_of_refresh(api: Api, tokens: dict[str, str]) -> tuple[str, str]:
    grant = api.container.access_tokens().decode(tokens["accessToken"])
    return grant.subject, grant.session_id


def test_registration_and_password_logins(api: Api, audit: FakeAuditLog) -> None:
    user_id = api.register()["userId"]
    api.client.post("/auth/login", json={"email": "jane@example.com", "password": "not it!!"})
    tokens = api.login()
    _, session_id = session_of(api, tokens["accessToken"])
    assert audit.events == [
        AuditEvent(AuditAction.USER_REGISTERED, user_id=user_id),
        AuditEvent(
            AuditAction.LOGIN_FAILED, user_id=user_id, method="password", reason="wrong_password"
        ),
        AuditEvent(
            AuditAction.LOGIN_SUCCEEDED, user_id=user_id, session_id=session_id, method="password"
        ),
    ]


def test_passkey_logins(api: Api, audit: FakeAuditLog) -> None:
    user_id = api.register()["userId"]
    signed = api.client.post(
        "/_emulator/corbado/v2/_emulator/passkeyLogin", json={"identifier": "jane@example.com"}
    ).json()["signedPasskeyData"]
    tokens = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed}).json()
    api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    _, session_id = session_of(api, tokens["accessToken"])
    assert audit.events[1:] == [
        AuditEvent(
            AuditAction.LOGIN_SUCCEEDED, user_id=user_id, session_id=session_id, method="passkey"
        ),
        AuditEvent(AuditAction.LOGIN_FAILED, method="passkey", reason="invalid_challenge"),
    ]


def test_logout_and_refresh_token_reuse(api: Api, audit: FakeAuditLog) -> None:
    api.register()
    first = api.login()
    user_id, first_session = session_of(api, first["accessToken"])
    api.client.post("/auth/logout", headers=api.bearer(first["accessToken"]))
    second = api.login()
    api.client.post("/auth/refresh", json={"refreshToken": second["refreshToken"]})
    api.clock.advance(3600)
    api.client.post("/auth/refresh", json={"refreshToken": second["refreshToken"]})
    assert (
        AuditEvent(
            AuditAction.SESSION_ENDED, user_id=user_id, session_id=first_session, reason="logout"
        )
        in audit.events
    )
    _, second_session = session_of_refresh(api, second)
    assert audit.events[-2:] == [
        AuditEvent(AuditAction.REFRESH_TOKEN_REUSED, user_id=user_id, session_id=second_session),
        AuditEvent(
            AuditAction.SESSION_ENDED,
            user_id=user_id,
            session_id=second_session,
            reason="refresh_token_reused",
        ),
    ]


def test_audit_events_reach_the_log_with_the_request_id_and_no_secret(
    api: Api, json_logs: LogLines
) -> None:
    api.register()
    response = api.client.post(
        "/auth/login",
        json={"email": "jane@example.com", "password": PASSWORD},
        headers={"X-Request-ID": "audit-1"},
    )
    [event] = [
        r
        for r in json_logs.records()
        if r["logger"] == "connect_backend.audit" and r["action"] == "login_succeeded"
    ]
    assert event["request_id"] == "audit-1"
    assert event["method"] == "password"
    assert event["user_id"]
    assert event["session_id"]
    for secret in (PASSWORD, *response.json().values()):
        if isinstance(secret, str) and len(secret) > 10:
            assert secret not in json_logs.text
