"""A request body is JSON or refused (415) before anything reads or acts on it.

A page on any site can make its visitors' browsers send `text/plain`, form or multipart bodies
without a CORS preflight; were they read as JSON, it could guess passwords or register accounts
through them.
"""

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar

from entrypoints.cli import EMULATOR_MOUNT
from tests.http.conftest import (
    NO_RATE_LIMITS,
    PASSWORD,
    Api,
    dev_settings,
    error_of,
    running_app,
)
from tests.http.transports import BROWSER
from tests.support.routes import body_operations

SIMPLE_MEDIA_TYPES = [
    "text/plain",
    "text/plain; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
]
EMAIL = "jane@example.com"
LOGIN = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
REGISTER = json.dumps({"email": EMAIL, "password": PASSWORD, "displayName": "Jane"}).encode()
JSON = {"Content-Type": "application/json"}
TEXT = {"Content-Type": "text/plain"}
# Two a minute: a refused request that counted would show as the next one's 429.
ALLOWED = 2


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[Api]:
    limits = dataclasses.replace(
        NO_RATE_LIMITS, login_per_ip=ALLOWED, login_per_account=ALLOWED, register_per_ip=ALLOWED
    )
    with running_app(dev_settings(tmp_path, rate_limits=limits)) as running:
        yield running


def assert_unsupported(response: httpx.Response) -> None:
    assert response.status_code == 415, response.text
    assert error_of(response) == "unsupported_media_type"


@pytest.mark.parametrize("media_type", SIMPLE_MEDIA_TYPES)
def test_a_login_in_a_simple_media_type_is_415_and_neither_counted_nor_checked(
    limited: Api, media_type: str
) -> None:
    limited.register(EMAIL)
    for _ in range(ALLOWED + 1):
        response = limited.client.post(
            "/auth/login", content=LOGIN, headers={"Content-Type": media_type}
        )
        assert_unsupported(response)
    wrong = json.dumps({"email": EMAIL, "password": "not the password"}).encode()
    for _ in range(ALLOWED + 1):
        response = limited.client.post(
            "/auth/login", content=wrong, headers={"Content-Type": media_type}
        )
        assert_unsupported(response)

    access = limited.login(EMAIL)["accessToken"]
    sessions = limited.client.get("/auth/sessions", headers=limited.bearer(access))
    assert len(sessions.json()["sessions"]) == 1, "the refused logins started no session"


@pytest.mark.parametrize("media_type", SIMPLE_MEDIA_TYPES)
def test_a_registration_in_a_simple_media_type_is_415_and_creates_nothing(
    limited: Api, media_type: str
) -> None:
    for _ in range(ALLOWED + 1):
        response = limited.client.post(
            "/auth/register", content=REGISTER, headers={"Content-Type": media_type}
        )
        assert_unsupported(response)

    response = limited.client.post("/auth/register", content=REGISTER, headers=JSON)
    assert response.status_code == 201, "neither counted nor registered"


def test_a_body_without_a_content_type_is_415(api: Api) -> None:
    api.register(EMAIL)
    response = api.client.post("/auth/login", content=LOGIN)
    assert "content-type" not in response.request.headers
    assert_unsupported(response)


def test_a_chunked_body_is_judged_by_its_media_type_too(api: Api) -> None:
    api.register(EMAIL)
    refused = api.client.post("/auth/login", content=iter([LOGIN]), headers=TEXT)
    assert refused.request.headers["transfer-encoding"] == "chunked"
    assert_unsupported(refused)
    accepted = api.client.post("/auth/login", content=iter([LOGIN]), headers=JSON)
    assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize(
    "media_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"],
)
def test_json_with_parameters_in_any_case_is_json(api: Api, media_type: str) -> None:
    api.register(EMAIL)
    response = api.client.post("/auth/login", content=LOGIN, headers={"Content-Type": media_type})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "media_type", ["application/jsonx", "application/json-patch+json", "text/json", "json"]
)
def test_other_media_types_that_look_like_json_are_415(api: Api, media_type: str) -> None:
    api.register(EMAIL)
    response = api.client.post("/auth/login", content=LOGIN, headers={"Content-Type": media_type})
    assert_unsupported(response)


def test_every_body_operation_refuses_a_text_body(api: Api) -> None:
    app = api.client.app
    assert isinstance(app, Litestar)
    access = api.login(api.register(EMAIL)["email"])["accessToken"]
    for method, path in body_operations(app):
        response = api.client.request(
            method,
            path,
            content=b"{}",
            headers={**TEXT, **api.bearer(access)},
        )
        assert_unsupported(response)


def test_a_refused_passkey_body_says_success_false(api: Api) -> None:
    response = api.client.post(
        "/auth/completeLogin", content=b'{"signedPasskeyData": "x"}', headers=TEXT
    )
    assert_unsupported(response)
    assert response.json()["success"] is False


def test_415_comes_before_authentication(api: Api) -> None:
    response = api.client.post("/auth/logout", content=b"{}", headers=TEXT)
    assert_unsupported(response)


def test_requests_without_a_body_are_unaffected_by_their_content_type(api: Api) -> None:
    api.register(EMAIL)
    access = api.login(EMAIL)["accessToken"]
    me = api.client.get("/auth/me", headers={**TEXT, **api.bearer(access)})
    assert me.status_code == 200, me.text
    assert api.client.get("/healthz", headers=TEXT).status_code == 200
    # A browser-transport refresh by cookie has no body: no cookie here, so 401 as ever.
    assert api.client.post("/auth/refresh", headers={**TEXT, **BROWSER}).status_code == 401
    empty = api.client.post("/auth/logout", content=b"", headers={**TEXT, **api.bearer(access)})
    assert empty.status_code == 204, empty.text


def test_the_mounted_emulator_refuses_in_corbados_envelope(api: Api) -> None:
    response = api.client.post(
        f"{EMULATOR_MOUNT}/v2/_emulator/passkeyLogin",
        content=json.dumps({"identifier": EMAIL}).encode(),
        headers=TEXT,
    )
    assert response.status_code == 415, response.text
    assert response.json()["error"]["type"] == "validation_error"
