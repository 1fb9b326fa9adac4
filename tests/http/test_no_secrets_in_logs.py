"""No log line and no error body carries a password, a token or a key.

Two layers: the code never logs a secret (the raw records of a full flow hold none), and the
production pipeline masks anything secret-shaped that slips into a log event anyway, on every
path a line can take (structlog, the standard library, tracebacks, granian's loggers).
"""

import base64
import json
import logging
import re
from typing import Any

import pytest
import structlog
from jose import jwt

from adapters.observability.redaction import MASK
from adapters.tokens.device_tokens import HmacDeviceTokens
from adapters.tokens.signing_keys import generate_private_key_pem
from domain.refresh_chain import first_token
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from tests.http.conftest import PASSWORD, Api, LogLines
from tests.http.transports import BROWSER, COOKIE, with_cookie


def run_full_flow(api: Api) -> dict[str, Any]:
    """Every operation once, replays included; the secrets it handled and two error answers."""
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
    # The browser transport: a cookie login, refresh, replay and logout.
    browser, cookie = COOKIE.login(api)
    cookie_refreshed = COOKIE.refresh(api, cookie)
    api.clock.advance(60)
    cookie_reused = COOKIE.refresh(api, cookie)
    api.client.post(
        "/auth/logout",
        headers=with_cookie(cookie, {**BROWSER, **api.bearer(browser["accessToken"])}),
    )
    key_pem = api.container.settings().signing_keys_path.read_text(encoding="ascii")
    secrets = {
        "password": PASSWORD,
        "access token": tokens["accessToken"],
        "refresh token": tokens["refreshToken"],
        "device token": tokens["deviceToken"],
        "passkey access token": passkey["accessToken"],
        "passkey refresh token": passkey["refreshToken"],
        "rotated refresh token": refreshed.json()["refreshToken"],
        "refresh cookie": cookie,
        "rotated refresh cookie": COOKIE.issued(cookie_refreshed),
        "browser access token": browser["accessToken"],
        "connect token": connect,
        "signed passkey data": signed,
        "Corbado API secret": DEV_API_SECRET,
        "signing key": key_pem.splitlines()[1],
    }
    errors = [replay.text, reused.text, cookie_reused.text]
    return {"secrets": secrets, "error answers": errors}


def test_a_full_flow_logs_no_secret(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    flow = run_full_flow(api)
    logged = caplog.text
    assert caplog.records, "the flow should log something (at least httpx calls)"
    for name, secret in flow["secrets"].items():
        assert secret not in logged, f"{name} leaked into a log line"
        for answer in flow["error answers"]:
            assert secret not in answer


def test_a_full_flow_writes_no_secret_through_the_production_pipeline(
    api: Api, json_logs: LogLines
) -> None:
    flow = run_full_flow(api)
    assert json_logs.records(), "the flow should log access lines at least"
    for name, secret in flow["secrets"].items():
        assert secret not in json_logs.text, f"{name} leaked into the JSON log"


def test_every_secret_is_masked_on_every_logging_path(json_logs: LogLines) -> None:
    secrets = shaped_secrets()
    log = structlog.get_logger("connect_backend.test")
    stdlib = logging.getLogger("connect_backend.test")
    for name, secret in secrets.items():
        # structlog: as a value under a neutral key, in the event text, in nested data
        log.info("structlog value", detail=secret, nested={"list": [secret]})
        log.info(f"structlog text {secret} end")
        # the standard library: %-arguments, `extra`, a repr of a dict
        stdlib.warning("stdlib args %s and %r", secret, {"value": secret})
        stdlib.info("stdlib extra", extra={"upstream_body": {"data": secret}})
        # tracebacks, from both
        try:
            raise ValueError(f"{name} was {secret}")
        except ValueError:
            stdlib.exception("stdlib traceback")
            log.exception("structlog traceback")
        # granian's loggers (its access log is off, yet must be safe if enabled)
        logging.getLogger("_granian.access").info(
            '%s - "%s %s HTTP/%s" %d', "192.0.2.1", "GET", f"/x?value={secret}", "1.1", 200
        )
        logging.getLogger("_granian").error("Application callable raised an exception: %s", secret)
    assert_masked(json_logs, secrets)


def test_secrets_under_secret_names_are_masked_whatever_their_shape(json_logs: LogLines) -> None:
    secrets = {**shaped_secrets(), "password": PASSWORD}
    log = structlog.get_logger("connect_backend.test")
    stdlib = logging.getLogger("connect_backend.test")
    for key in KEYS:
        for secret in secrets.values():
            log.info("keyed", **{key: secret})
            stdlib.info("keyed extra", extra={key: secret})
            stdlib.info("keyed text %s", f"{key}={secret}")
            stdlib.info("keyed json %s", json.dumps({key: secret}))
            stdlib.info("keyed repr %r", {key: secret})
            try:
                raise RuntimeError(f"bad request {key}: {secret}")
            except RuntimeError:
                stdlib.exception("keyed traceback")
    headers = {"Authorization": f"Bearer {secrets['access token']}", "Cookie": "s=1"}
    stdlib.info("headers %s", headers, extra={"headers": headers})
    assert_masked(json_logs, secrets)


def test_masking_keeps_what_an_operator_needs(json_logs: LogLines) -> None:
    stdlib = logging.getLogger("connect_backend.test")
    stdlib.info(
        "Corbado refused the passkey data (/passkey/verifySignedData, HTTP 400, "
        "requestID=req-123, error.type=validation_error)",
        extra={"user_id": "0b3e", "session_id": "9f1c", "tokenType": "Bearer", "status": 401},
    )
    [record] = json_logs.records()
    assert "requestID=req-123" in record["event"]
    assert (record["user_id"], record["session_id"]) == ("0b3e", "9f1c")
    assert (record["tokenType"], record["status"]) == ("Bearer", 401)


KEYS = [
    "password",
    "new_password",
    "refresh_token",
    "refreshToken",
    "deviceToken",
    "device_token",
    "access_token",
    "connectToken",
    "signedPasskeyData",
    "api_secret",
    "authorization",
    "private_key",
    "revocation_feed_secret",
]


def shaped_secrets() -> dict[str, str]:
    """One of each secret the service handles that has a recognisable shape."""
    pem = generate_private_key_pem()
    basic = base64.b64encode(f"{DEV_PROJECT_ID}:{DEV_API_SECRET}".encode()).decode()
    return {
        "access token": jwt.encode(
            {"sub": "u", "sid": "s"}, "k", algorithm="HS256", headers={"typ": "at+jwt"}
        ),
        "signed passkey data": jwt.encode({"webauthnId": "jane@example.com"}, "k"),
        "refresh token": first_token().text,
        "device token": HmacDeviceTokens([b"k" * 32]).issue("account", 1_800_000_000),
        "connect token": "ctk1_" + "a1B2c3D4e5" * 3,
        "Corbado API secret": DEV_API_SECRET,
        "Basic credentials": f"Basic {basic}",
        "signing key (PEM)": pem,
        "signing key (one line)": pem.splitlines()[1],
    }


def assert_masked(logs: LogLines, secrets: dict[str, str]) -> None:
    records = logs.records()
    assert records
    assert any(MASK in line for line in logs.text.splitlines())
    for name, secret in secrets.items():
        assert secret not in logs.text, f"{name} leaked"
        # Also no long piece of it: a JWT's signature, a key's body, Basic's credentials.
        for piece in re.split(r"[.\n ]", secret):
            if len(piece) >= 20:
                assert piece not in logs.text, f"part of {name} leaked"
