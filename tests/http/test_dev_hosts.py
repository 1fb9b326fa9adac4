"""`dev` answers only its loopback names: a page on another name that resolves to 127.0.0.1
(DNS rebinding) reaches no route, the emulator's mount included. `serve` answers any `Host`."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from corbado_emulator.dev.asgi import dev_app
from entrypoints.cli import EMULATOR_MOUNT
from tests.http.conftest import PASSWORD, Api, dev_settings, error_of, running_app

DEV_HOSTS = ["localhost:8000", "127.0.0.1:8000", "[::1]:8000"]
FOREIGN_HOSTS = [
    "rebound.example:8000",
    "rebound.example",
    "localhost.rebound.example:8000",
    "127.0.0.1.nip.io:8000",
    "localhost:9000",
    "localhost",
    "LOCALHOST:8000",
    "",
]
PASSKEY_LOGIN = f"{EMULATOR_MOUNT}/v2/_emulator/passkeyLogin"


@pytest.fixture(scope="module")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    settings = dev_settings(Path(tmp_path_factory.mktemp("dev-hosts")))
    with running_app(settings, build=dev_app) as running:
        running.client.base_url = "http://localhost:8000"
        yield running


def every_operation(app: Litestar) -> list[tuple[str, str]]:
    """(method, path) of every route of `app` (HEAD aside), the emulator's mount included."""
    found = [
        (method, re.sub(r"{[^}]*}", "x", route.path))
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in sorted(route.methods - {"HEAD"})
    ]
    return [*found, ("POST", PASSKEY_LOGIN)]


@pytest.mark.parametrize("host", FOREIGN_HOSTS)
def test_another_host_reaches_no_route(dev: Api, host: str) -> None:
    app = dev.client.app
    assert isinstance(app, Litestar)
    operations = every_operation(app)
    assert {path for _, path in operations} >= {"/", "/auth/login", "/healthz", "/schema"}
    for method, path in operations:
        response = dev.client.request(
            method, path, json={"identifier": "jane@example.com"}, headers={"Host": host}
        )
        assert response.status_code == 400, (method, path, response.text)
        assert error_of(response) == "host_not_allowed"


def test_a_rebound_page_gets_no_passkey_data_and_no_session(dev: Api) -> None:
    dev.register("rebound@example.com")
    rebound = {"Host": "rebound.example:8000"}
    minted = dev.client.post(
        PASSKEY_LOGIN, json={"identifier": "rebound@example.com"}, headers=rebound
    )
    assert minted.status_code == 400
    login = dev.client.post(
        "/auth/login",
        json={"email": "rebound@example.com", "password": PASSWORD},
        headers=rebound,
    )
    assert login.status_code == 400
    assert "accessToken" not in login.text


@pytest.mark.parametrize("host", DEV_HOSTS)
def test_the_loopback_names_with_dev_s_port_are_served(dev: Api, host: str) -> None:
    served = {"Host": host}
    assert dev.client.get("/healthz", headers=served).status_code == 200
    minted = dev.client.post(
        PASSKEY_LOGIN, json={"identifier": f"{host}@example.com"}, headers=served
    )
    assert minted.status_code == 200, minted.text
    assert dev.client.get("/", headers=served).status_code == 200


def test_serve_answers_any_host(api: Api) -> None:
    response = api.client.get("/healthz", headers={"Host": "auth.example.com"})
    assert response.status_code == 200


@pytest.mark.parametrize("port", [80, 8080])
def test_a_host_without_a_port_means_port_80(tmp_path: Path, port: int) -> None:
    with running_app(dev_settings(tmp_path, port=port), build=dev_app) as dev:
        for name in ("localhost", "127.0.0.1", "[::1]"):
            bare = dev.client.get("/healthz", headers={"Host": name})
            assert bare.status_code == (200 if port == 80 else 400), name
            with_port = dev.client.get("/healthz", headers={"Host": f"{name}:{port}"})
            assert with_port.status_code == 200, name
