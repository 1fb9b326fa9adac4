"""Email proof and recovery over HTTP, with mail going through a real SMTP server on loopback
(aiosmtpd, STARTTLS, login): the SMTP adapter is the production one, only told to trust the
test server's certificate."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from adapters.mail.compose import MailComposer
from adapters.mail.retrying import RetryingMailer
from adapters.mail.smtp import SmtpMailer
from adapters.mail.smtp import SmtpServer as SmtpTarget
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID, RateLimitSettings
from entrypoints.configuration.variables import SmtpUrl
from tests.http.conftest import (
    NO_RATE_LIMITS,
    PASSWORD,
    Api,
    LogLines,
    dev_settings,
    error_of,
    running_app,
)
from tests.http.transports import BROWSER, refresh_cookie
from tests.support.smtp import PASSWORD as SMTP_PASSWORD
from tests.support.smtp import USERNAME, SmtpServer, smtp_server, token_in, wait_until

SENDER = "Example <noreply@example.com>"
LINK = "https://app.example/email#{purpose}={token}"
NEW_PASSWORD = "a brand new passphrase"
EMAIL = "jane@example.com"
EMULATOR = "/_emulator/corbado"
BASIC = {
    "Authorization": "Basic "
    + base64.b64encode(f"{DEV_PROJECT_ID}:{DEV_API_SECRET}".encode()).decode()
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


def mail_app(tmp_path: Path, smtp: SmtpServer, **changes: Any) -> Any:
    settings = dev_settings(
        tmp_path,
        smtp=SmtpUrl(smtp.host, smtp.port, smtp.implicit_tls, USERNAME, SMTP_PASSWORD),
        mail_outbox=False,
        mail_from=SENDER,
        email_link_url=LINK,
        **changes,
    )
    return running_app(settings)


@pytest.fixture
def api(tmp_path: Path, smtp: SmtpServer) -> Iterator[Api]:
    with mail_app(tmp_path, smtp) as running:
        target = SmtpTarget(smtp.host, smtp.port, smtp.implicit_tls, USERNAME, SMTP_PASSWORD)
        mailer = SmtpMailer(target, MailComposer(SENDER, 900), 5.0, tls_context=smtp.trust)
        running.container.mailer.override(providers.Object(RetryingMailer(mailer)))
        yield running


def registered(api: Api, email: str = EMAIL) -> dict[str, Any]:
    api.register(email)
    return api.login(email)


def mailed_token(smtp: SmtpServer, count: int, purpose: str) -> str:
    message = smtp.inbox.wait_for(count)[count - 1]
    assert f"#{purpose}=" in message.get_body().get_content()  # type: ignore[union-attr]
    return token_in(message)


def recovery_token(api: Api, smtp: SmtpServer, count: int = 1, email: str = EMAIL) -> str:
    response = api.client.post("/auth/recovery", json={"email": email})
    assert response.status_code == 202, response.text
    return mailed_token(smtp, count, "recover")


def me(api: Api, access_token: str) -> Any:
    return api.client.get("/auth/me", headers=api.bearer(access_token))


# Proof ------------------------------------------------------------------------------------------


def test_a_verification_link_proves_the_address(api: Api, smtp: SmtpServer) -> None:
    tokens = registered(api)
    assert me(api, tokens["accessToken"]).json()["emailVerified"] is False

    asked = api.client.post("/auth/email/verification", headers=api.bearer(tokens["accessToken"]))
    assert asked.status_code == 202
    [message] = smtp.inbox.wait_for(1)
    assert (message["To"], message["From"], message["Subject"]) == (
        EMAIL,
        SENDER,
        "Confirm your email address",
    )
    assert smtp.inbox.logins == [USERNAME]
    token = token_in(message)

    verified = api.client.post("/auth/email/verify", json={"token": token})
    assert verified.status_code == 204, verified.text
    assert me(api, tokens["accessToken"]).json()["emailVerified"] is True

    again = api.client.post("/auth/email/verify", json={"token": token})
    assert (again.status_code, error_of(again)) == (400, "invalid_token")


def test_verification_needs_a_login(api: Api) -> None:
    response = api.client.post("/auth/email/verification")
    assert (response.status_code, error_of(response)) == (401, "invalid_token")


# Recovery ---------------------------------------------------------------------------------------


def test_recovery_replaces_the_password_and_ends_every_other_session(
    api: Api, smtp: SmtpServer
) -> None:
    first, second = registered(api), api.login()
    token = recovery_token(api, smtp)

    response = api.client.post(
        "/auth/recovery/complete", json={"token": token, "newPassword": NEW_PASSWORD}
    )

    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["tokenType"] == "Bearer"
    assert me(api, pair["accessToken"]).json()["emailVerified"] is True
    for earlier in (first, second):
        assert me(api, earlier["accessToken"]).status_code == 401
        refused = api.client.post("/auth/refresh", json={"refreshToken": earlier["refreshToken"]})
        assert refused.status_code == 401
    old = api.client.post("/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert old.status_code == 401
    api.client.post(
        "/auth/login", json={"email": EMAIL, "password": NEW_PASSWORD}
    ).raise_for_status()
    sessions = api.client.get("/auth/sessions", headers=api.bearer(pair["accessToken"])).json()
    # The recovery's own session and the login just made: none from before.
    assert sorted(s["current"] for s in sessions["sessions"]) == [False, True]


def test_the_same_answer_whether_or_not_an_account_holds_the_address(
    api: Api, smtp: SmtpServer
) -> None:
    registered(api)

    known = api.client.post("/auth/recovery", json={"email": EMAIL})
    unknown = api.client.post("/auth/recovery", json={"email": "nobody@example.com"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert (known.status_code, known.content) == (202, b"")
    varying = {"x-request-id", "date"}
    assert {k for k in known.headers if k not in varying} == {
        k for k in unknown.headers if k not in varying
    }
    assert [m["To"] for m in smtp.inbox.wait_for(1)] == [EMAIL]


def test_a_used_an_expired_and_a_foreign_token_are_refused(api: Api, smtp: SmtpServer) -> None:
    tokens = registered(api)
    api.client.post("/auth/email/verification", headers=api.bearer(tokens["accessToken"]))
    verification = mailed_token(smtp, 1, "verify")
    used = recovery_token(api, smtp, count=2)
    done = {"token": used, "newPassword": NEW_PASSWORD}
    assert api.client.post("/auth/recovery/complete", json=done).status_code == 200
    api.clock.advance(61)
    expired = recovery_token(api, smtp, count=3)
    api.clock.advance(900)

    for path, body in [
        ("/auth/recovery/complete", {"token": used, "newPassword": NEW_PASSWORD}),
        ("/auth/recovery/complete", {"token": expired, "newPassword": NEW_PASSWORD}),
        ("/auth/recovery/complete", {"token": verification, "newPassword": NEW_PASSWORD}),
        ("/auth/email/verify", {"token": used}),
        ("/auth/email/verify", {"token": "not-a-token-of-ours"}),
    ]:
        response = api.client.post(path, json=body)
        assert (response.status_code, error_of(response)) == (400, "invalid_token"), body


def test_a_passkey_an_earlier_holder_appended_is_gone_after_recovery(
    api: Api, smtp: SmtpServer
) -> None:
    # Someone registers Jane's address first, appends a passkey and keeps a login ready with it.
    squatter = registered(api)
    appended = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers=api.bearer(squatter["accessToken"]),
    )
    assert appended.status_code == 200, appended.text
    ready = api.client.post(f"{EMULATOR}/v2/_emulator/passkeyLogin", json={"identifier": EMAIL})
    signed = ready.json()["signedPasskeyData"]
    [corbado_user] = corbado_users(api, EMAIL)
    assert len(passkeys_at_corbado(api, corbado_user)) == 1

    # Jane gets her address's account back.
    token = recovery_token(api, smtp)
    recovered = api.client.post(
        "/auth/recovery/complete", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert recovered.status_code == 200, recovered.text

    assert passkeys_at_corbado(api, corbado_user) == []
    refused = api.client.post("/auth/completeLogin", json={"signedPasskeyData": signed})
    assert refused.status_code == 401
    assert me(api, squatter["accessToken"]).status_code == 401


def corbado_users(api: Api, identifier: str) -> list[str]:
    listed = api.client.get(
        f"{EMULATOR}/v2/identifiers",
        params={"filter[]": f"identifierValue:eq:{identifier.replace('@', '%40')}"},
        headers=BASIC,
    )
    assert listed.status_code == 200, listed.text
    return [found["userID"] for found in listed.json()["identifiers"]]


def passkeys_at_corbado(api: Api, corbado_user: str) -> list[Any]:
    listed = api.client.get(f"{EMULATOR}/v2/users/{corbado_user}/credentials", headers=BASIC)
    assert listed.status_code == 200, listed.text
    credentials: list[Any] = listed.json()["credentials"]
    return credentials


def test_recovery_in_the_browser_transport_sets_the_refresh_cookie(
    api: Api, smtp: SmtpServer
) -> None:
    registered(api)
    token = recovery_token(api, smtp)

    response = api.client.post(
        "/auth/recovery/complete",
        json={"token": token, "newPassword": NEW_PASSWORD},
        headers=BROWSER,
    )

    assert response.status_code == 200, response.text
    assert "refreshToken" not in response.json()
    assert refresh_cookie(response).value


def test_recovery_from_another_origin_in_the_browser_transport_is_refused(api: Api) -> None:
    response = api.client.post(
        "/auth/recovery/complete",
        json={"token": "x", "newPassword": NEW_PASSWORD},
        headers={**BROWSER, "Origin": "https://evil.example"},
    )
    assert (response.status_code, error_of(response)) == (403, "origin_not_allowed")


def test_a_bad_new_password_and_a_bad_address_are_refused(api: Api, smtp: SmtpServer) -> None:
    registered(api)
    token = recovery_token(api, smtp)

    short = api.client.post("/auth/recovery/complete", json={"token": token, "newPassword": "x"})
    assert short.status_code == 400
    bad = api.client.post("/auth/recovery", json={"email": "not an address"})
    assert (bad.status_code, error_of(bad)) == (400, "invalid_email")
    # The token survived the refused attempt.
    done = api.client.post(
        "/auth/recovery/complete", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert done.status_code == 200


def test_mail_to_one_address_is_limited_known_or_not(tmp_path: Path, smtp: SmtpServer) -> None:
    limits = RateLimitSettings(**{**_limits(), "mail_per_account_per_hour": 2})
    with mail_app(tmp_path, smtp, rate_limits=limits) as api:
        api.register()
        for email in (EMAIL, "nobody@example.com"):
            statuses = [
                api.client.post("/auth/recovery", json={"email": email}).status_code
                for _ in range(3)
            ]
            assert statuses == [202, 202, 429], email


def test_each_client_is_limited_on_the_email_routes(tmp_path: Path, smtp: SmtpServer) -> None:
    limits = RateLimitSettings(**{**_limits(), "email_per_ip": 2})
    with mail_app(tmp_path, smtp, rate_limits=limits) as api:
        for path, body in [
            ("/auth/recovery", {"email": EMAIL}),
            ("/auth/email/verify", {"token": "x"}),
            ("/auth/recovery/complete", {"token": "x", "newPassword": NEW_PASSWORD}),
        ]:
            statuses = [api.client.post(path, json=body).status_code for _ in range(3)]
            assert statuses[2] == 429, path
            assert statuses[:2] != [429, 429], path


def _limits() -> dict[str, int]:
    return {name: getattr(NO_RATE_LIMITS, name) for name in RateLimitSettings.__dataclass_fields__}


def test_without_smtp_the_email_routes_answer_503(tmp_path: Path) -> None:
    with running_app(dev_settings(tmp_path, mail_outbox=False)) as api:
        tokens = registered(api)
        for path, body, headers in [
            ("/auth/email/verification", None, api.bearer(tokens["accessToken"])),
            ("/auth/email/verify", {"token": "x"}, {}),
            ("/auth/recovery", {"email": EMAIL}, {}),
            ("/auth/recovery/complete", {"token": "x", "newPassword": NEW_PASSWORD}, {}),
        ]:
            response = api.client.post(path, json=body, headers=headers)
            assert (response.status_code, error_of(response)) == (503, "email_not_configured")
        assert api.client.get("/_dev/outbox").status_code == 404


def test_no_token_reaches_the_logs(api: Api, smtp: SmtpServer, json_logs: LogLines) -> None:
    registered(api)
    token = recovery_token(api, smtp)
    api.client.post("/auth/recovery/complete", json={"token": token, "newPassword": NEW_PASSWORD})

    assert token not in json_logs.text
    assert NEW_PASSWORD not in json_logs.text
    assert json.dumps(token)[1:-1] not in json_logs.text


def test_dev_keeps_an_outbox_the_demo_reads(tmp_path: Path) -> None:
    with running_app(dev_settings(tmp_path)) as api:
        api.register()
        assert api.client.post("/auth/recovery", json={"email": EMAIL}).status_code == 202

        [mail] = wait_for_outbox(api)
        assert (mail["to"], mail["purpose"]) == (EMAIL, "recover")
        assert mail["link"].startswith("http://localhost:8000/#recover=")
        schema = api.client.get("/schema/openapi.json").json()
        assert not any("outbox" in path for path in schema["paths"])


def wait_for_outbox(api: Api) -> list[Any]:
    mails: list[Any] = []

    def arrived() -> bool:
        mails[:] = api.client.get("/_dev/outbox").json()["mails"]
        return bool(mails)

    wait_until(arrived)
    return mails


def test_nothing_about_the_address_happens_before_the_answer_is_sent(tmp_path: Path) -> None:
    # A server's `send` lets the event loop run other tasks while it writes; were the lookup,
    # the token and the mail of a known address to run then, they would delay its answer.
    events: list[str] = []

    class Spy:
        async def send(self, mail: Any) -> None:
            events.append("mail")

    def yielding_server(app: Any) -> Any:
        async def wrapped(scope: Any, receive: Any, send: Any) -> None:
            async def send_yielding(message: Any) -> None:
                for _ in range(50):
                    await asyncio.sleep(0)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    events.append("answer")
                await send(message)

            await app(scope, receive, send_yielding if scope["type"] == "http" else send)

        return wrapped

    with running_app(dev_settings(tmp_path), wrap=yielding_server) as running:
        running.container.mailer.override(providers.Object(Spy()))
        running.register()
        events.clear()

        response = running.client.post("/auth/recovery", json={"email": EMAIL})

        assert response.status_code == 202
        wait_until(lambda: "mail" in events)
        assert events == ["answer", "mail"]
