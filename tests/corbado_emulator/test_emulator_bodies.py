"""Every body the emulator takes is JSON: nesting of any depth is `invalid_json` (400), and a
body under another media type is refused (415) before any handler reads it."""

import httpx
import pytest
from litestar import Litestar

from tests.corbado_emulator.emulator_support import AUTH, assert_envelope
from tests.support.routes import body_operations, nested_json

SIMPLE_MEDIA_TYPES = [
    None,
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
]


def every_body_operation(app: Litestar) -> list[tuple[str, str]]:
    found = body_operations(app, by_method=True)
    # The emulator's own operation, the Backend API and the Frontend API are all there.
    assert {path.split("/")[1] for _, path in found} == {"v2", "frontendapi"}
    assert ("POST", "/v2/_emulator/passkeyLogin") in found
    return found


@pytest.fixture
async def root(app: Litestar) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://emulator.test")


@pytest.mark.parametrize("depth", [1_000, 5_000])
@pytest.mark.parametrize("shape", ["arrays", "objects"])
async def test_deep_nesting_is_invalid_json_everywhere(
    app: Litestar, root: httpx.AsyncClient, shape: str, depth: int
) -> None:
    for method, path in every_body_operation(app):
        response = await root.request(
            method,
            path,
            content=nested_json(shape, depth),
            headers={"Content-Type": "application/json"},
            auth=AUTH,
        )
        assert_envelope(response, 400, "invalid_json")


@pytest.mark.parametrize("media_type", SIMPLE_MEDIA_TYPES)
async def test_a_body_in_another_media_type_is_415_everywhere(
    app: Litestar, root: httpx.AsyncClient, media_type: str | None
) -> None:
    headers = {} if media_type is None else {"Content-Type": media_type}
    for method, path in every_body_operation(app):
        response = await root.request(method, path, content=b"{}", headers=headers, auth=AUTH)
        error = assert_envelope(response, 415, "validation_error")
        assert error["validation"] == [
            {"field": "Content-Type", "message": "must be application/json"}
        ]


async def test_a_refused_body_is_not_acted_on(emulator: httpx.AsyncClient) -> None:
    identifier = "refused-text@example.com"
    refused = await emulator.post(
        "/_emulator/passkeyLogin",
        content=b'{"identifier": "%s"}' % identifier.encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert_envelope(refused, 415, "validation_error")
    listed = await emulator.get(
        "/identifiers", params={"filter[]": f"identifierValue:eq:{identifier}"}, auth=AUTH
    )
    assert listed.json()["identifiers"] == []


async def test_json_with_a_charset_is_json(emulator: httpx.AsyncClient) -> None:
    response = await emulator.post(
        "/_emulator/passkeyLogin",
        content=b'{"identifier": "charset@example.com"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200, response.text


async def test_requests_without_a_body_are_unaffected(emulator: httpx.AsyncClient) -> None:
    text = {"Content-Type": "text/plain"}
    assert (await emulator.get("/identifiers", headers=text, auth=AUTH)).status_code == 200
    missing = await emulator.delete("/users/usr-1", headers=text, auth=AUTH)
    assert_envelope(missing, 404, "not_found")
