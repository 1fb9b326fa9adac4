"""Metrics at /metrics, the request id on every log line, and the handler deadline."""

import asyncio
import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from prometheus_client.parser import text_string_to_metric_families

from adapters.corbado.client import build_corbado_client
from domain.errors import CorbadoTimeout
from entrypoints.configuration.settings import DEV_CORBADO_BACKEND_API, DEV_PROJECT_ID
from tests.http.conftest import Api, LogLines, dev_settings, error_of, running_app


def samples(api: Api) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(api: Api, name: str, **labels: str) -> float:
    return samples(api).get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_and_status(api: Api) -> None:
    api.register()
    tokens = api.login()
    api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    api.client.get("/auth/me")
    counted = samples(api)
    key = "connect_backend_http_requests_total"
    assert (
        counted[(key, frozenset({"method": "GET", "route": "/auth/me", "status": "200"}.items()))]
        == 1
    )
    assert (
        counted[(key, frozenset({"method": "GET", "route": "/auth/me", "status": "401"}.items()))]
        == 1
    )
    assert (
        counted[
            (key, frozenset({"method": "POST", "route": "/auth/login", "status": "200"}.items()))
        ]
        == 1
    )
    latency = "connect_backend_http_request_duration_seconds_count"
    assert counted[(latency, frozenset({"method": "GET", "route": "/auth/me"}.items()))] == 2


def test_logins_are_counted_by_method_and_outcome(api: Api) -> None:
    api.register()
    api.login()
    api.client.post("/auth/login", json={"email": "jane@example.com", "password": "wrong one!"})
    api.client.post("/auth/completeLogin", json={"signedPasskeyData": "a.b.c"})
    assert value(api, "connect_backend_logins_total", method="password", outcome="success") == 1
    assert value(api, "connect_backend_logins_total", method="password", outcome="failure") == 1
    assert value(api, "connect_backend_logins_total", method="passkey", outcome="failure") == 1


def test_refused_tokens_are_counted_by_reason(api: Api) -> None:
    api.register()
    tokens = api.login()
    api.client.get("/auth/me")
    api.client.get("/auth/me", headers=api.bearer("not-a-jwt"))
    api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"][:-4] + "AAAA"))
    api.client.post("/auth/logout", headers=api.bearer(tokens["accessToken"]))
    api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    api.clock.advance(100_000)
    api.client.get("/auth/me", headers=api.bearer(tokens["accessToken"]))
    name = "connect_backend_access_token_refusals_total"
    assert value(api, name, reason="missing") == 1
    assert value(api, name, reason="malformed") == 1
    assert value(api, name, reason="invalid_signature") == 1
    assert value(api, name, reason="session_ended") == 1
    assert value(api, name, reason="expired") == 1


def test_corbado_calls_are_timed_and_counted_by_outcome(fake_corbado_api: Api) -> None:
    api = fake_corbado_api
    assert api.corbado is not None
    api.register()
    tokens = api.login()
    body = {"connectTokenType": "passkey-append"}
    api.client.post(
        "/auth/createConnectToken", json=body, headers=api.bearer(tokens["accessToken"])
    )
    api.corbado.fail_next_call(CorbadoTimeout("slow"))
    api.client.post(
        "/auth/createConnectToken", json=body, headers=api.bearer(tokens["accessToken"])
    )
    api.client.post(
        "/auth/completeLogin", json={"signedPasskeyData": api.corbado.mint("nobody@example.com")}
    )
    name = "connect_backend_corbado_calls_total"
    assert value(api, name, operation="create_connect_token", outcome="ok") == 1
    assert value(api, name, operation="create_connect_token", outcome="timeout") == 1
    assert value(api, name, operation="verify_signed_passkey_data", outcome="success") == 1
    duration = "connect_backend_corbado_call_duration_seconds_count"
    assert value(api, duration, operation="create_connect_token") == 2


def test_metrics_are_per_app(tmp_path: Path, api: Api) -> None:
    api.client.get("/healthz")
    with running_app(dev_settings(tmp_path / "other")) as other:
        assert (
            value(
                other,
                "connect_backend_http_requests_total",
                method="GET",
                route="/healthz",
                status="200",
            )
            == 0
        )


def test_metrics_stay_out_of_the_openapi_document(api: Api) -> None:
    document = api.client.get("/schema/openapi.json").json()
    assert "/metrics" not in document["paths"]


def test_every_line_logged_during_a_request_carries_its_id(api: Api, json_logs: LogLines) -> None:
    api.register()
    response = api.client.post(
        "/auth/login",
        json={"email": "jane@example.com", "password": "correct horse battery"},
        headers={"X-Request-ID": "login-1"},
    )
    api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers={**api.bearer(response.json()["accessToken"]), "X-Request-ID": "connect-1"},
    )
    records = json_logs.records()
    by_id = {record.get("request_id") for record in records}
    assert {"login-1", "connect-1"} <= by_id
    access = [r for r in records if r["logger"] == "connect_backend.access"]
    assert {(r["route"], r["status"], r["request_id"]) for r in access} >= {
        ("/auth/login", 200, "login-1"),
        ("/auth/createConnectToken", 200, "connect-1"),
    }
    assert all(r["client_ip"] == "testclient" for r in access)


def test_an_uncaught_exception_is_logged_with_its_request_id(api: Api, json_logs: LogLines) -> None:
    def broken() -> None:
        raise RuntimeError("the key store fell over")

    with api.container.public_jwks.override(providers.Callable(broken)):
        response = api.client.get("/.well-known/jwks.json", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert error_of(response) == "internal_error"
    [logged] = [r for r in json_logs.records() if r.get("level") == "error"]
    assert logged["request_id"] == "boom-1"
    assert "RuntimeError: the key store fell over" in logged["exception"]


@pytest.fixture
def impatient_api(tmp_path: Path) -> Iterator[Api]:
    settings = dataclasses.replace(dev_settings(tmp_path), request_timeout_s=0.2)
    with running_app(settings) as running:
        yield running


def test_a_handler_past_its_deadline_is_cancelled_with_503(
    impatient_api: Api, json_logs: LogLines
) -> None:
    async def hang() -> None:
        await asyncio.Event().wait()

    with impatient_api.container.readiness_checks.override(providers.Object([("hang", hang)])):
        response = impatient_api.client.get("/readyz")
    assert response.status_code == 503
    assert error_of(response) == "request_timeout"
    assert response.headers["Retry-After"] == "1"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])
    assert (
        value(
            impatient_api,
            "connect_backend_http_requests_total",
            method="GET",
            route="/readyz",
            status="503",
        )
        == 1
    )
    assert any("cancelled after" in r["event"] for r in json_logs.records())


def test_requests_past_their_deadline_are_one_log_line_per_incident(
    impatient_api: Api, json_logs: LogLines
) -> None:
    async def hang() -> None:
        await asyncio.Event().wait()

    with impatient_api.container.readiness_checks.override(providers.Object([("hang", hang)])):
        statuses = [impatient_api.client.get("/readyz").status_code for _ in range(3)]

    assert statuses == [503, 503, 503]
    errors = [r for r in json_logs.records() if r.get("level") == "error"]
    assert [r["event"] for r in errors] == [
        "requests cancelled at their deadline (REQUEST_TIMEOUT_S): cancelled after 0.2 s"
    ]


def test_corbados_request_id_is_logged_beside_ours(api: Api, json_logs: LogLines) -> None:
    wrong_secret = build_corbado_client(
        base_url=DEV_CORBADO_BACKEND_API,
        project_id=DEV_PROJECT_ID,
        api_secret="corbado1_not-the-secret",
        timeout_s=5,
        transport=api.container.corbado_transport(),
    )
    api.container.corbado_http_client.override(providers.Object(wrong_secret))
    api.register()
    tokens = api.login()
    response = api.client.post(
        "/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers={**api.bearer(tokens["accessToken"]), "X-Request-ID": "ours-1"},
    )
    assert response.status_code == 502
    [line] = [r for r in json_logs.records() if r["logger"] == "connect_backend.corbado"]
    assert line["request_id"] == "ours-1"
    assert re.search(r"requestID=req-\d+", line["event"])
    assert "not-the-secret" not in json_logs.text
