"""`migrate` and `serve` from the image, run as compose.yaml runs them, and the README's flow.

Public image registries may be unreachable, so `compose up` cannot start PostgreSQL and Redis
here: CI runs the image's services the way it can. `deploy/make-secrets` makes the secret files;
`migrate`, the emulator and `serve` (two workers) run with compose's hardening, secret mounts,
entrypoints and commands, on the host network, against the PostgreSQL and Redis the tests start
on loopback. Then the README's walk-through, and a stop that lets a request in flight finish.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from jose import jwt

from tests.cli.processes import refuses_connections, wait_until
from tests.image import compose
from tests.image.containers import (
    APP_UID,
    START_BOUND_S,
    answers,
    container,
    inspect,
    make_secrets,
    wait_for,
)
from tests.image.engine import Docker
from tests.image.relay import GatedRelay, gated_relay
from tests.support.servers import create_postgres_schema, free_port

# compose.yaml's emulator listens here, in the app's network namespace; CI takes a free port.
COMPOSE_EMULATOR_PORT = "--port=18081"
PASSWORD = "correct horse battery"
STOP_BOUND_S = 35.0


@dataclass(frozen=True, slots=True)
class Deployment:
    """What `serve` needs around it: secrets, a migrated database, Redis and Corbado."""

    secrets: Path
    database_url_file: Path
    redis_url: str
    project_id: str
    corbado: GatedRelay


@pytest.fixture(scope="module")
def database_url(postgres_url: str) -> str:
    """A fresh schema with a role of its own, on the PostgreSQL the tests run on loopback."""
    return asyncio.run(create_postgres_schema(postgres_url))


@pytest.fixture(scope="module")
def deployment(
    docker: Docker,
    image: str,
    database_url: str,
    redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Deployment]:
    """Secrets by `deploy/make-secrets`, the database migrated by the image, the emulator."""
    directory = tmp_path_factory.mktemp("deployment")
    corbado_secret = f"corbado1_{secrets.token_hex(16)}"
    made = make_secrets(directory / "secrets", image, corbado_secret + "\n")
    assert made.returncode == 0, made.stderr
    # compose's database-url names its `postgres` service; here the database is on loopback.
    # The role needs no password (trust on loopback), so this file may be world-readable.
    database_url_file = directory / "database-url"
    database_url_file.write_text(database_url + "\n")
    database_url_file.chmod(0o444)
    database = {"database_url": database_url_file}
    migrate = compose.service("migrate")
    migrated = docker.run(
        "run",
        "--rm",
        "--network=host",
        *migrate.hardening(),
        *migrate.secret_mounts(directory / "secrets", database),
        *migrate.literal_environment(),
        image,
        *migrate.entrypoint_and_command()[1],
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "the database is at the current schema" in migrated.stderr

    project_id = f"pro-{secrets.randbelow(10**12)}"
    emulator_port = free_port()
    emulator = compose.service("emulator")
    entrypoint, command = emulator.entrypoint_and_command()
    assert sum(part.count(COMPOSE_EMULATOR_PORT) for part in command) == 1
    command = [part.replace(COMPOSE_EMULATOR_PORT, f"--port={emulator_port}") for part in command]
    with (
        container(
            docker,
            "--network=host",
            *emulator.hardening(),
            *emulator.secret_mounts(directory / "secrets", database),
            *emulator.literal_environment(),
            f"--env=CORBADO_PROJECT_ID={project_id}",
            f"--entrypoint={entrypoint[0]}",
            image,
            *entrypoint[1:],
            *command,
        ) as running,
        gated_relay(f"http://127.0.0.1:{emulator_port}") as relay,
    ):
        wait_for(docker, running, answers(f"{relay.upstream}/v2/connectTokens"), "the emulator")
        yield Deployment(directory / "secrets", database_url_file, redis_url, project_id, relay)


@dataclass(frozen=True, slots=True)
class Serving:
    """A running `serve` container."""

    name: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def serving(docker: Docker, image: str, deployment: Deployment) -> Iterator[Serving]:
    """`serve` with two workers, as compose.yaml's `app` runs it, answering /readyz."""
    port = free_port()
    app = compose.service("app")
    with container(
        docker,
        "--network=host",
        *app.hardening(),
        # The image's HEALTHCHECK, polled often enough to see it pass within the test.
        "--health-interval=1s",
        *app.secret_mounts(deployment.secrets, {"database_url": deployment.database_url_file}),
        *app.literal_environment(replaced={"REDIS_URL"}),
        # Where compose names its services, or publishes a port: loopback, on the host network.
        "--env=HOST=127.0.0.1",
        f"--env=PORT={port}",
        f"--env=REDIS_URL={deployment.redis_url}",
        f"--env=SESSION_ISSUER=http://127.0.0.1:{port}",
        f"--env=CORBADO_BACKEND_API={deployment.corbado.base_url}",
        # What compose's `${...}` would give.
        "--env=WORKERS=2",
        f"--env=CORBADO_PROJECT_ID={deployment.project_id}",
        "--env=SESSION_AUDIENCE=example-app",
        # The walk-through registers its users.
        "--env=ALLOW_REGISTRATION=true",
        # The relay holds a call for the shutdown test: no deadline may end it first.
        "--env=CORBADO_TIMEOUT_S=20",
        "--env=REQUEST_TIMEOUT_S=25",
        image,
        *app.entrypoint_and_command()[1],
    ) as name:
        served = Serving(name, port)
        wait_for(docker, name, answers(f"{served.base_url}/readyz", 200), "serve to be ready")
        yield served


def log_in(base_url: str, email: str) -> dict[str, Any]:
    credentials = {"email": email, "password": PASSWORD}
    registered = httpx.post(f"{base_url}/auth/register", json={**credentials, "displayName": "J"})
    assert registered.status_code == 201, registered.text
    login = httpx.post(f"{base_url}/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    tokens: dict[str, Any] = login.json()
    return tokens


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['accessToken']}"}


def test_migrate_then_serve_walk_the_readme_flow_with_two_workers(
    docker: Docker, serving: Serving, deployment: Deployment
) -> None:
    base = serving.base_url
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
    email = f"jane-{uuid.uuid4().hex[:8]}@example.com"
    tokens = log_in(base, email)
    me = httpx.get(f"{base}/auth/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["email"] == email

    refreshed = httpx.post(f"{base}/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert refreshed.status_code == 200, refreshed.text
    tokens = refreshed.json()
    connect = httpx.post(
        f"{base}/auth/createConnectToken",
        json={"connectTokenType": "passkey-append"},
        headers=bearer(tokens),
    )
    assert connect.status_code == 200, connect.text
    assert connect.json()["connectToken"].startswith("ctk1_")

    # The emulator stands in for the browser's passkey ceremony ...
    ceremony = httpx.post(
        f"{deployment.corbado.upstream}/v2/_emulator/passkeyLogin", json={"identifier": email}
    )
    assert ceremony.status_code == 200, ceremony.text
    # ... and completeLogin turns it into a session (amr: hwk + user).
    passkey = httpx.post(
        f"{base}/auth/completeLogin",
        json={"signedPasskeyData": ceremony.json()["signedPasskeyData"]},
    )
    assert passkey.status_code == 200, passkey.text
    assert jwt.get_unverified_claims(passkey.json()["accessToken"])["amr"] == ["hwk", "user"]
    assert httpx.get(f"{base}/auth/me", headers=bearer(passkey.json())).json() == me.json()

    assert httpx.post(f"{base}/auth/logout", headers=bearer(tokens)).status_code == 204
    assert httpx.get(f"{base}/auth/me", headers=bearer(tokens)).status_code == 401
    assert len(httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]) == 1

    wait_until(
        lambda: inspect(docker, serving.name)["State"]["Health"]["Status"] == "healthy",
        "the image's HEALTHCHECK to pass",
        START_BOUND_S,
    )
    assert docker.check("exec", serving.name, "id", "-u").strip() == str(APP_UID)
    shown = json.dumps(inspect(docker, serving.name))
    corbado_secret = (deployment.secrets / "corbado-api-secret").read_text().strip()
    assert corbado_secret not in shown
    assert deployment.database_url_file.read_text().strip() not in shown


def test_sigterm_lets_a_request_in_flight_finish_then_exits_0(
    docker: Docker, serving: Serving, deployment: Deployment
) -> None:
    base = serving.base_url
    tokens = log_in(base, f"joe-{uuid.uuid4().hex[:8]}@example.com")
    deployment.corbado.close_gate()
    with ThreadPoolExecutor(max_workers=1) as pool:
        in_flight = pool.submit(
            httpx.post,
            f"{base}/auth/createConnectToken",
            json={"connectTokenType": "passkey-append"},
            headers=bearer(tokens),
            timeout=STOP_BOUND_S,
        )
        assert deployment.corbado.entered.wait(STOP_BOUND_S), "the request never reached Corbado"

        docker.check("kill", "--signal=TERM", serving.name)
        wait_until(lambda: refuses_connections(serving.port), "shutdown to stop accepting")
        assert not in_flight.done()
        assert inspect(docker, serving.name)["State"]["Running"], "serve must wait for it"

        deployment.corbado.open_gate()
        response = in_flight.result(timeout=STOP_BOUND_S)
    assert response.status_code == 200, response.text
    assert response.json()["connectToken"].startswith("ctk1_")
    assert docker.check("wait", serving.name, timeout=STOP_BOUND_S).strip() == "0"
    records = [
        json.loads(line)
        for line in docker.run("logs", serving.name).stderr.splitlines()
        if line.startswith("{")
    ]
    events = {record["event"] for record in records}
    assert {"Stopped worker-1", "Stopped worker-2"} <= events
    assert not [record for record in records if record["level"] in ("error", "critical")]
