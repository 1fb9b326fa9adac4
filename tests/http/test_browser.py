"""CORS for the configured frontends, security headers and the request id on every answer."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.conftest import Api, dev_settings, error_of, running_app

FRONTEND = "https://app.example.com"
PREFLIGHT = {
    "Origin": FRONTEND,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


@pytest.fixture
def cors_api(tmp_path: Path) -> Iterator[Api]:
    with running_app(dev_settings(tmp_path, cors_allow_origins=(FRONTEND,))) as running:
        yield running


def test_a_preflight_from_an_allowed_origin_is_allowed(cors_api: Api) -> None:
    response = cors_api.client.options("/auth/login", headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    allowed_headers = response.headers["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers


def test_credentials_and_the_transport_header_are_allowed_for_that_origin_only(
    cors_api: Api,
) -> None:
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "content-type, session-transport"}
    allowed = cors_api.client.options("/auth/refresh", headers=headers)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == FRONTEND, "never a wildcard"
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "session-transport" in allowed.headers["Access-Control-Allow-Headers"].lower()
    elsewhere = cors_api.client.options(
        "/auth/refresh", headers={**headers, "Origin": "https://evil.example.com"}
    )
    assert elsewhere.status_code == 400, "a page elsewhere cannot send Session-Transport"
    assert not any(name.lower().startswith("access-control-") for name in elsewhere.headers)
    # Litestar adds `Access-Control-Allow-Credentials` to every answer; without an
    # `Access-Control-Allow-Origin` naming the page, no browser lets the page read it.
    answer = cors_api.client.post("/auth/refresh", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_a_preflight_from_another_origin_is_refused_in_json(cors_api: Api) -> None:
    headers = {**PREFLIGHT, "Origin": "https://evil.example.com"}
    response = cors_api.client.options("/auth/login", headers=headers)
    assert response.status_code == 400
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Content-Type"].startswith("application/json")
    assert error_of(response) == "cors_rejected"


def test_a_preflight_asking_for_a_header_we_do_not_take_is_refused(cors_api: Api) -> None:
    headers = {**PREFLIGHT, "Access-Control-Request-Headers": "x-custom"}
    assert cors_api.client.options("/auth/login", headers=headers).status_code == 400


def test_a_simple_request_names_only_an_allowed_origin(cors_api: Api) -> None:
    allowed = cors_api.client.get("/healthz", headers={"Origin": FRONTEND})
    assert allowed.headers["Access-Control-Allow-Origin"] == FRONTEND
    assert "X-Request-ID" in allowed.headers["Access-Control-Expose-Headers"]
    other = cors_api.client.get("/healthz", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_without_origins_configured_there_are_no_cors_headers(api: Api) -> None:
    response = api.client.get("/healthz", headers={"Origin": FRONTEND})
    assert not any(name.lower().startswith("access-control-") for name in response.headers)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/.well-known/jwks.json", 200),
        ("GET", "/auth/me", 401),
        ("POST", "/auth/login", 400),
        ("GET", "/no/such/path", 404),
        ("GET", "/auth/login", 405),
        ("GET", "/schema/openapi.json", 200),
        ("GET", "/metrics", 200),
    ],
)
def test_every_answer_carries_the_security_headers(
    api: Api, method: str, path: str, status: int
) -> None:
    response = api.client.request(method, path)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Server"] == "connect-backend"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert response.headers["X-Request-ID"]


def test_the_interactive_docs_may_load_scripts_of_this_origin_only(api: Api) -> None:
    response = api.client.get("/schema")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_errors_and_tokens_are_not_cached(api: Api) -> None:
    api.register()
    login = api.client.post(
        "/auth/login", json={"email": "jane@example.com", "password": "correct horse battery"}
    )
    assert login.headers["Cache-Control"] == "no-store"
    assert api.client.get("/auth/me").headers["Cache-Control"] == "no-store"


def test_a_well_formed_request_id_is_kept(api: Api) -> None:
    response = api.client.get("/auth/me", headers={"X-Request-ID": "trace-42.a_b"})
    assert response.headers["X-Request-ID"] == "trace-42.a_b"


@pytest.mark.parametrize(
    "offered", ["", "x" * 65, "has space", "semi;colon", "line\u2028break", "é"]
)
def test_a_malformed_request_id_is_replaced(api: Api, offered: str) -> None:
    response = api.client.get("/healthz", headers=[(b"X-Request-ID", offered.encode("utf-8"))])
    returned = response.headers["X-Request-ID"]
    assert returned != offered
    assert len(returned) == 32
    assert returned.isalnum()


def test_each_request_gets_its_own_id(api: Api) -> None:
    first = api.client.get("/healthz").headers["X-Request-ID"]
    assert api.client.get("/healthz").headers["X-Request-ID"] != first
