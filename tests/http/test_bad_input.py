"""Bad bodies get 400 or 413 with a JSON error: never a 500, never an echo of a secret."""

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar

from entrypoints.cli import EMULATOR_MOUNT
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from entrypoints.web.app import MAX_BODY_BYTES
from tests.http.conftest import PASSWORD, Api, LogLines, dev_settings, running_app
from tests.support.routes import body_operations, nested_json

ENDPOINTS = [
    "/auth/register",
    "/auth/login",
    "/auth/refresh",
    "/auth/completeLogin",
]


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with running_app(dev_settings(Path(tmp_path_factory.mktemp("bad-input")))) as running:
        yield running


def assert_client_error(response: Any) -> None:
    assert 400 <= response.status_code < 500, response.text
    body = response.json()
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"[]", b"null", b"42", b'"text"', b"\xff\xfe\xfd", b'{"email": "\xff"}'],
    ids=["empty", "truncated", "array", "null", "number", "string", "not-utf8", "bad-utf8-value"],
)
def test_malformed_json_is_400(shared_api: Api, path: str, raw: bytes) -> None:
    response = shared_api.client.post(
        path, content=raw, headers={"Content-Type": "application/json"}
    )
    # refresh's body is optional (the browser transport sends none): without one, no refresh
    # token is presented, and that is 401 like any token that is not valid.
    assert response.status_code == (401 if (path, raw) == ("/auth/refresh", b"") else 400)
    assert_client_error(response)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/auth/register", {"email": "a@b.c", "password": PASSWORD}),
        (
            "/auth/register",
            {"email": "a@b.c", "password": PASSWORD, "displayName": "A", "admin": True},
        ),
        ("/auth/register", {"email": 1, "password": PASSWORD, "displayName": "A"}),
        ("/auth/register", {"email": "", "password": PASSWORD, "displayName": "A"}),
        ("/auth/register", {"email": "a@b.c", "password": "short", "displayName": "A"}),
        ("/auth/register", {"email": "a@b.c", "password": "x" * 129, "displayName": "A"}),
        ("/auth/register", {"email": "not-an-email", "password": PASSWORD, "displayName": "A"}),
        ("/auth/register", {"email": "a@b.c", "password": PASSWORD, "displayName": "  "}),
        ("/auth/login", {"email": "a@b.c"}),
        ("/auth/login", {"email": "a@b.c", "password": None}),
        ("/auth/refresh", {"refreshToken": ""}),
        ("/auth/refresh", {"refresh_token": "x"}),
        ("/auth/completeLogin", {"signedPasskeyData": 5}),
        ("/auth/completeLogin", {}),
    ],
)
def test_wrong_fields_are_400(shared_api: Api, path: str, body: dict[str, Any]) -> None:
    response = shared_api.client.post(path, json=body)
    assert response.status_code == 400
    assert_client_error(response)
    assert PASSWORD not in response.text


@pytest.mark.parametrize(
    "raw",
    [
        rb'{"email": "a@b.c", "password": "correct horse", "displayName": "\ud800"}',
        rb'{"email": "a@b.c", "password": "correct horse", "displayName": "A\u0000"}',
        rb'{"email": "a\u0000@b.c", "password": "correct horse", "displayName": "A"}',
        rb'{"email": "a@b.c", "password": "correct horse\udfff", "displayName": "A"}',
    ],
)
def test_text_that_cannot_be_stored_is_400(shared_api: Api, raw: bytes) -> None:
    response = shared_api.client.post(
        "/auth/register", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert_client_error(response)


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/auth/login", rb'{"email": "a@b.c", "password": "correct horse\ud800"}'),
        ("/auth/login", rb'{"email": "a\udfff@b.c", "password": "correct horse"}'),
        ("/auth/refresh", rb'{"refreshToken": "\ud800"}'),
        ("/auth/refresh", rb'{"refreshToken": "x\udc00y"}'),
        ("/auth/completeLogin", rb'{"signedPasskeyData": "a.b\ud800.c"}'),
    ],
)
def test_a_lone_surrogate_escape_is_malformed_json(shared_api: Api, path: str, raw: bytes) -> None:
    # JSON lets a string escape half a surrogate pair; no store could hold it, and no token has it.
    response = shared_api.client.post(
        path, content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert_client_error(response)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_megabyte_body_is_413(shared_api: Api, path: str) -> None:
    body = b'{"email": "' + b"a" * 1_000_000 + b'"}'
    response = shared_api.client.post(
        path, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert_client_error(response)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "email",
        "password",
        "displayName",
        "refreshToken",
        "signedPasskeyData",
        "connectTokenType",
        "x",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(ENDPOINTS),
    body=st.dictionaries(field_names, json_values, max_size=4) | json_values,
)
def test_arbitrary_json_never_gives_a_server_error(shared_api: Api, path: str, body: Any) -> None:
    response = shared_api.client.post(path, json=body)
    assert response.status_code < 500, response.text
    assert isinstance(
        response.json()["error" if response.status_code >= 400 else "accessToken"], str
    )


@pytest.mark.parametrize("depth", [1_000, 3_000, 5_000])
@pytest.mark.parametrize("shape", ["arrays", "objects"])
def test_deep_nesting_is_400_on_every_body_route_and_logs_no_traceback(
    shared_api: Api, json_logs: LogLines, shape: str, depth: int
) -> None:
    app = shared_api.client.app
    assert isinstance(app, Litestar)
    ours = body_operations(app)
    transport = shared_api.container.corbado_transport()
    assert isinstance(transport, httpx.ASGITransport)
    emulator = transport.app
    assert isinstance(emulator, Litestar)
    mounted = body_operations(emulator, mount=EMULATOR_MOUNT, by_method=True)
    assert {path for _, path in ours} >= {*ENDPOINTS, "/auth/logout", "/auth/createConnectToken"}
    assert ("POST", EMULATOR_MOUNT + "/v2/_emulator/passkeyLogin") in mounted
    email = shared_api.register(f"deep-{shape}-{depth}@example.com")["email"]
    bearer = shared_api.bearer(shared_api.login(email)["accessToken"])
    basic = base64.b64encode(f"{DEV_PROJECT_ID}:{DEV_API_SECRET}".encode()).decode()
    body = nested_json(shape, depth)

    answers = {
        (method, path): shared_api.client.request(
            method,
            path,
            content=body,
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Basic {basic}"} if (method, path) in mounted else bearer),
            },
        )
        for method, path in [*ours, *mounted]
    }

    for (method, path), response in answers.items():
        too_large = not path.startswith(EMULATOR_MOUNT) and len(body) > MAX_BODY_BYTES
        assert response.status_code == (413 if too_large else 400), (method, path, response.text)
        if not path.startswith(EMULATOR_MOUNT):
            assert_client_error(response)
    assert "Traceback" not in json_logs.text
    assert all(record["level"] not in ("error", "critical") for record in json_logs.records())
