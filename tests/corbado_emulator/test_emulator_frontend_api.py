"""The emulator's Frontend API as a frontend on another origin sees it: CORS for any loopback
origin, and the members web-core's types declare (the whole set is checked against web-core's
own `.d.ts` in tests/frontend; here, what each value means)."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.datastructures import Headers
from litestar.testing import TestClient

from corbado_emulator import create_emulator_app
from corbado_emulator.cors import ALLOWED_HEADERS, FrontendCors
from tests.corbado_emulator.emulator_support import (
    API_SECRET,
    AUTH,
    PROJECT_ID,
    Clock,
    assert_envelope,
    validation_fields,
)
from tests.corbado_emulator.test_emulator_ceremonies import (
    passkeys,
    registered,
    token,
    unique,
    user_of,
)
from tests.support.ceremonies import Frontend

BASE = "http://emulator.test"
VITE = "http://localhost:5173"
# What Chromium asks before web-core's first call (its axios instance's headers, lower-cased).
WEB_CORE_HEADERS = "content-type,x-corbado-client-timezone,x-corbado-projectid,x-corbado-sdk"
CONFIGURED = "https://app.example.test"


def preflight(origin: str, method: str = "POST", headers: str = WEB_CORE_HEADERS) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def cors_headers(response: Any) -> dict[str, str]:
    return {
        name.lower(): value
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-")
    }


@pytest.fixture(scope="module")
def cors_app(shared_clock: Clock) -> Litestar:
    return create_emulator_app(PROJECT_ID, API_SECRET, shared_clock, cors_origins=[CONFIGURED])


@pytest.fixture
def client(cors_app: Litestar, clock: Clock) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=cors_app, base_url=BASE) as test_client:
        yield test_client


@pytest.fixture
def frontend(client: TestClient[Litestar]) -> Frontend:
    return Frontend(client)


# CORS ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        VITE,
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:4200",
        "http://localhost",
        "https://localhost:5173",
        CONFIGURED,
    ],
)
def test_a_preflight_from_a_loopback_or_configured_origin_is_allowed_with_credentials(
    client: TestClient[Litestar], origin: str
) -> None:
    response = client.options("/frontendapi/v2/connect/append/init", headers=preflight(origin))

    assert response.status_code == 204
    assert cors_headers(response) == {
        "access-control-allow-origin": origin,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": ", ".join(ALLOWED_HEADERS),
        "access-control-max-age": "600",
    }
    assert response.headers["vary"] == "Origin"


def test_web_core_s_process_header_is_allowed(client: TestClient[Litestar]) -> None:
    headers = preflight(VITE, headers=WEB_CORE_HEADERS + ",x-corbado-process-id")

    response = client.options("/frontendapi/v2/connect/login/start", headers=headers)

    assert response.status_code == 204


@pytest.mark.parametrize(
    ("origin", "method", "headers"),
    [
        ("https://evil.example", "POST", WEB_CORE_HEADERS),
        ("http://localhost.evil.example:5173", "POST", WEB_CORE_HEADERS),
        ("http://evil.example/http://localhost:5173", "POST", WEB_CORE_HEADERS),
        ("http://localhost:5173/", "POST", WEB_CORE_HEADERS),
        ("http://localhost:0", "POST", WEB_CORE_HEADERS),
        ("http://localhost:65536", "POST", WEB_CORE_HEADERS),
        ("null", "POST", WEB_CORE_HEADERS),
        ("ftp://localhost:21", "POST", WEB_CORE_HEADERS),
        (VITE, "PUT", WEB_CORE_HEADERS),
        (VITE, "POST", WEB_CORE_HEADERS + ",authorization"),
    ],
)
def test_a_preflight_for_another_origin_method_or_header_is_refused_without_cors_headers(
    client: TestClient[Litestar], origin: str, method: str, headers: str
) -> None:
    response = client.options(
        "/frontendapi/v2/connect/login/start", headers=preflight(origin, method, headers)
    )

    assert_envelope(response, 403, "cors_rejected")
    assert cors_headers(response) == {}


def test_an_answer_names_an_allowed_origin_only(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    body: dict[str, Any] = {"clientInformation": {}, "flags": {}}
    allowed = client.post("/frontendapi/v2/connect/login/init", json=body, headers={"Origin": VITE})
    foreign = client.post(
        "/frontendapi/v2/connect/login/init", json=body, headers={"Origin": "https://evil.example"}
    )
    error = client.post("/frontendapi/v2/connect/login/start", json={}, headers={"Origin": VITE})

    assert allowed.status_code == 200
    assert cors_headers(allowed) == {
        "access-control-allow-origin": VITE,
        "access-control-allow-credentials": "true",
    }
    assert foreign.status_code == 200
    assert cors_headers(foreign) == {}
    # An error must be readable by the page too, or it sees only "network error".
    assert validation_fields(error) == {"identifier"}
    assert cors_headers(error)["access-control-allow-origin"] == VITE


@pytest.mark.parametrize(
    "path", ["/v2/connectTokens", "/v2/_emulator/passkeyLogin", "/v2/identifiers"]
)
def test_the_backend_api_gives_browsers_nothing(client: TestClient[Litestar], path: str) -> None:
    asked = client.options(path, headers=preflight(VITE))
    posted = client.post(path, json={"identifier": unique()}, headers={"Origin": VITE})

    assert cors_headers(asked) == {}
    assert cors_headers(posted) == {}


@given(port=st.integers(min_value=1, max_value=65535), scheme=st.sampled_from(["http", "https"]))
def test_every_port_of_every_loopback_name_is_allowed(port: int, scheme: str) -> None:
    cors = FrontendCors()
    for host in ("localhost", "127.0.0.1", "[::1]"):
        assert cors.allows(f"{scheme}://{host}:{port}")


@given(host=st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True), port=st.integers(1, 65535))
def test_no_other_host_is_allowed(host: str, port: int) -> None:
    cors = FrontendCors([CONFIGURED])
    allowed = host in ("localhost", "127.0.0.1")
    assert cors.allows(f"http://{host}:{port}") is allowed
    assert cors.allows(f"http://{host}") is allowed


def test_a_preflight_without_headers_asks_only_for_the_method() -> None:
    headers = Headers({"origin": VITE, "access-control-request-method": "POST"})
    assert FrontendCors().preflight_allows(headers)


# The members web-core reads ---------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["append/init", "login/init", "manage/init"])
def test_an_init_answer_names_this_frontend_api_and_keeps_the_client_s_handle(
    frontend: Frontend, operation: str
) -> None:
    first = frontend.post(operation, {"clientInformation": {}, "flags": {}}).json()
    again = frontend.post(
        operation,
        {"clientInformation": {"clientEnvHandle": first["newClientEnvHandle"]}, "flags": {}},
    ).json()
    other = frontend.post(operation, {"clientInformation": {}, "flags": {}}).json()

    assert first["frontendApiUrl"] == f"{BASE}/frontendapi"
    assert first["newClientEnvHandle"].startswith("ceh-")
    assert again["newClientEnvHandle"] == first["newClientEnvHandle"]
    assert other["newClientEnvHandle"] != first["newClientEnvHandle"]
    assert first["flags"] == {}
    if "newClientState" in first:  # append and login: the handle again, as web-core reads it
        state = json.loads(base64.b64decode(again["newClientState"]))
        assert state["clientEnvHandle"]["data"] == first["newClientEnvHandle"]


def test_an_append_start_answer_restricts_nothing_and_never_appends_by_itself(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    response = frontend.post("append/start", {"appendTokenValue": token(client, unique())})

    assert response.status_code == 200, response.text
    body = response.json()
    assert {key: value for key, value in body.items() if key != "attestationOptions"} == {
        "variant": "default",
        "isRestrictedBrowser": False,
        "autoAppend": False,
        "conditionalAppend": False,
    }


def test_a_login_start_answer_says_no_fallback_is_needed(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    registered(frontend, identifier)

    body = frontend.post("login/start", {"identifier": identifier}).json()

    assert json.loads(body["assertionOptions"])["publicKey"]["rpId"] == "localhost"
    assert body["fallbackOperationError"] == {"initFallback": False}
    assert body["preferImmediatelyAvailable"] is False
    assert body["isCDA"] is False


def test_a_manage_list_answer_names_what_signal_all_accepted_credentials_takes(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    authenticator = registered(frontend, identifier)

    body = frontend.post(
        "manage/list", {"connectToken": token(client, identifier, "passkey-list")}
    ).json()

    [passkey] = body["passkeys"]
    [credential] = passkeys(client, identifier)
    [raw_id] = authenticator.credentials
    user_handle = base64.urlsafe_b64decode(body["userID"] + "=" * (-len(body["userID"]) % 4))
    assert body["rpID"] == "localhost"
    assert user_handle == user_of(client, identifier).encode()
    assert base64.urlsafe_b64decode(passkey["credentialID"] + "==") == raw_id
    assert (passkey["createdMs"], passkey["lastUsedMs"], passkey["tags"]) == (
        credential["createdMs"],
        credential["lastUsedMs"],
        [],
    )
    assert passkey["aaguidDetails"] == {
        key: value for key, value in credential["aaguidDetails"].items() if key != "aaguid"
    }


def test_a_manage_list_for_an_identifier_nobody_holds_is_empty(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    body = frontend.post(
        "manage/list", {"connectToken": token(client, unique(), "passkey-list")}
    ).json()

    assert body == {"passkeys": [], "rpID": "localhost", "userID": ""}


def test_an_event_is_taken_and_a_process_cleared(frontend: Frontend) -> None:
    event = frontend.post("events", {"eventType": "login-error", "message": "m", "challenge": "c"})
    cleared = frontend.post("process/clear", {"processId": "cps-abc"})

    assert event.status_code == 204
    assert event.content == b""
    assert cleared.json() == {"processId": "cps-abc"}


@pytest.mark.parametrize(
    ("operation", "body", "fields"),
    [
        ("events", {}, {"eventType"}),
        ("events", {"eventType": "login-error", "message": 1}, {"message"}),
        ("process/clear", {"processId": ""}, {"processId"}),
    ],
)
def test_an_event_or_clear_without_what_it_needs_is_400(
    frontend: Frontend, operation: str, body: dict[str, Any], fields: set[str]
) -> None:
    assert validation_fields(frontend.post(operation, body)) == fields


# The Backend API as the official SDKs call it ------------------------------------------------


def test_an_empty_sort_is_no_sort_for_both_lists(
    client: TestClient[Litestar], frontend: Frontend
) -> None:
    identifier = unique()
    registered(frontend, identifier)
    user_id = user_of(client, identifier)

    found = client.get(
        "/v2/identifiers",
        params={"sort": "", "filter[]": f"identifierValue:eq:{identifier}", "page": 1},
        auth=AUTH,
    )
    listed = client.get(f"/v2/users/{user_id}/credentials", params={"sort": ""}, auth=AUTH)

    assert [i["userID"] for i in found.json()["identifiers"]] == [user_id]
    assert len(listed.json()["credentials"]) == 1


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ([("sort", ""), ("sort", "")], {"sort"}),
        ([("sort", "created:asc")], {"sort"}),
        ([("filter[]", "")], {"filter[]"}),
    ],
)
def test_a_credential_list_still_refuses_what_it_does_not_implement(
    client: TestClient[Litestar],
    frontend: Frontend,
    params: list[tuple[str, str]],
    fields: set[str],
) -> None:
    identifier = unique()
    registered(frontend, identifier)

    response = client.get(
        f"/v2/users/{user_of(client, identifier)}/credentials", params=tuple(params), auth=AUTH
    )

    assert validation_fields(response) == fields


def test_request_data_carries_an_empty_link(client: TestClient[Litestar]) -> None:
    answer = client.get("/v2/users/usr-404", auth=AUTH)

    assert answer.json()["requestData"]["link"] == ""
