"""`connect-backend users delete` while `connect-backend serve` runs on the same SQLite file,
without Redis: the running service refuses the deleted user's access token on every Bearer
route within 5 s (the interface's bound), as its revocation follower reads the log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.cli.processes import wait_until
from tests.support.servers import free_port
from tests.support.services import (
    LOOPBACK,
    base_environment,
    run_command,
    running_service,
    started,
)

PASSWORD = "correct horse battery"
EMAIL = "deleted@example.com"
PROJECT_ID, API_SECRET = "pro-1", "corbado1_across_processes"
# The interface: a revocation made by another process takes effect within 5 s.
REACHES_EVERY_PROCESS_S = 5.0


def emulator_answers(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/v2/users", timeout=1)
    except httpx.TransportError:
        return False
    return True


def bearer_statuses(base_url: str, access_token: str) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {access_token}"}
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/auth/me", None),
        ("GET", "/auth/sessions", None),
        ("DELETE", "/auth/sessions/unknown", None),
        ("POST", "/auth/passkeys/deleted", {"credentialId": "unknown"}),
        ("POST", "/auth/createConnectToken", {"connectTokenType": "passkey-list"}),
        ("DELETE", "/auth/me", None),
        ("POST", "/auth/logout", None),
    ]
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return {
            f"{method} {path}": client.request(method, path, json=body, headers=headers).status_code
            for method, path, body in calls
        }


def sessions_status(base_url: str, access_token: str) -> int:
    # Refused by the deny-list alone: listing sessions reads no user.
    headers = {"Authorization": f"Bearer {access_token}"}
    return httpx.get(f"{base_url}/auth/sessions", headers=headers, timeout=10).status_code


def test_a_user_deleted_by_the_cli_is_refused_by_a_running_serve_within_5_s(
    tmp_path: Path,
) -> None:
    emulator_port = free_port()
    emulator_args = ["emulator", "--host", LOOPBACK, "--port", str(emulator_port)]
    emulator_args += ["--project-id", PROJECT_ID, "--api-secret", API_SECRET]
    env = base_environment()
    keys = tmp_path / "keys.pem"
    keys.write_text(run_command(["keys", "generate"], env, tmp_path), encoding="ascii")
    env.update(
        PORT=str(free_port()),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        SESSION_SIGNING_KEYS=str(keys),
        SESSION_ISSUER="https://auth.example.com",
        SESSION_AUDIENCE="example-app",
        CORBADO_PROJECT_ID=PROJECT_ID,
        CORBADO_API_SECRET=API_SECRET,
        CORBADO_BACKEND_API=f"http://{LOOPBACK}:{emulator_port}",
        ALLOW_REGISTRATION="true",
    )
    run_command(["migrate"], env, tmp_path)
    emulator_env = base_environment(PORT=str(emulator_port))
    with (
        started(emulator_args, emulator_env, tmp_path, ready=emulator_answers),
        running_service(["serve"], env, tmp_path) as base_url,
    ):
        body = {"email": EMAIL, "password": PASSWORD, "displayName": "Deleted"}
        assert httpx.post(f"{base_url}/auth/register", json=body).status_code == 201
        login = httpx.post(f"{base_url}/auth/login", json={"email": EMAIL, "password": PASSWORD})
        access_token = login.json()["accessToken"]
        assert sessions_status(base_url, access_token) == 200

        run_command(["users", "delete", "--email", EMAIL], env, tmp_path)
        wait_until(
            lambda: sessions_status(base_url, access_token) == 401,
            "the deletion to reach the running service",
            bound_s=REACHES_EVERY_PROCESS_S,
        )

        statuses = bearer_statuses(base_url, access_token)
    assert statuses == dict.fromkeys(statuses, 401)
