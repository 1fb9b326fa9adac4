"""`dev`'s emulator mount answers its own CORS: a frontend on another loopback origin can call
the Frontend API whatever `CORS_ALLOW_ORIGINS` lists, while the service's own API keeps its
rules."""

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from litestar import Litestar
from litestar.handlers import ASGIRouteHandler
from litestar.types import Receive, Scope, Send

import corbado_emulator.dev.asgi as dev_asgi
from corbado_emulator.dev.mount import mounted
from tests.http.conftest import Api, dev_settings, error_of, running_app

LISTED = "http://localhost:5173"
UNLISTED = "http://localhost:3000"
FRONTEND_API = "/_emulator/corbado/frontendapi/v2/connect"
WEB_CORE_PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type,x-corbado-projectid,x-corbado-sdk",
}


@pytest.fixture
def listing_api(tmp_path: Path) -> Iterator[Api]:
    with running_app(dev_settings(tmp_path, cors_allow_origins=(LISTED,))) as running:
        yield running


@pytest.mark.parametrize("origin", [LISTED, UNLISTED])
def test_the_frontend_api_answers_a_preflight_the_service_would_refuse(
    listing_api: Api, origin: str
) -> None:
    headers = {"Origin": origin, **WEB_CORE_PREFLIGHT}

    emulator = listing_api.client.options(f"{FRONTEND_API}/append/init", headers=headers)
    service = listing_api.client.options("/auth/login", headers=headers)

    assert emulator.status_code == 204
    assert emulator.headers["access-control-allow-origin"] == origin
    assert emulator.headers["access-control-allow-credentials"] == "true"
    assert service.status_code == 400
    assert error_of(service) == "cors_rejected"


def test_a_frontend_api_answer_names_the_origin_once(listing_api: Api) -> None:
    response = listing_api.client.post(
        f"{FRONTEND_API}/login/init",
        json={"clientInformation": {}, "flags": {}},
        headers={"Origin": UNLISTED},
    )

    assert response.status_code == 200, response.text
    assert response.headers.get_list("access-control-allow-origin") == [UNLISTED]
    # The service's own headers are on it as on every answer.
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_service_keeps_its_cors_for_a_listed_origin(listing_api: Api) -> None:
    headers = {
        "Origin": LISTED,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }

    response = listing_api.client.options("/auth/refresh", headers=headers)

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == LISTED


def test_without_listed_origins_the_frontend_api_still_answers_cors(api: Api) -> None:
    headers = {"Origin": UNLISTED, **WEB_CORE_PREFLIGHT}

    response = api.client.options(f"{FRONTEND_API}/login/start", headers=headers)

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == UNLISTED


def test_init_names_the_frontend_api_under_the_mount(api: Api) -> None:
    response = api.client.post(
        f"{FRONTEND_API}/manage/init",
        json={"clientInformation": {}, "flags": {}},
        headers={"Host": "localhost:8000"},
    )

    assert (
        response.json()["frontendApiUrl"] == "http://localhost:8000/_emulator/corbado/frontendapi"
    )


def test_the_backend_api_under_the_mount_still_wants_its_secret(listing_api: Api) -> None:
    response = listing_api.client.get(
        "/_emulator/corbado/v2/identifiers", headers={"Origin": UNLISTED}
    )

    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def test_a_request_under_the_mount_keeps_its_deadline_beside_the_service_s_cors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Passing by the service's CORS is all the mount's requests skip: a Frontend API call
    that hangs is cancelled at REQUEST_TIMEOUT_S like any other (the request observability
    wraps both ways)."""

    def hanging(emulator: Litestar) -> ASGIRouteHandler:
        async def answers_late(scope: Scope, receive: Receive, send: Send) -> None:
            # Far past the deadline; should the deadline not hold, the emulator answers then.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.Event().wait(), timeout=5)
            await emulator(scope, receive, send)

        return mounted(cast(Litestar, answers_late))

    monkeypatch.setattr(dev_asgi, "mounted", hanging)
    settings = dev_settings(tmp_path, cors_allow_origins=(LISTED,), request_timeout_s=0.2)
    with running_app(settings) as running:
        response = running.client.post(f"{FRONTEND_API}/login/init", json={})
    assert response.status_code == 503
    assert error_of(response) == "request_timeout"
