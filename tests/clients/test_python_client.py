"""A Python client generated from docs/openapi.json drives the whole flow against `dev`.

openapi-python-client writes the client into a temporary directory at test time; nothing
generated is kept in the repository.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.clients.conftest import DOCUMENT, PASSKEY_LOGIN, PASSWORD, DevService

PACKAGE = "connect_backend_client"


class Generated:
    """The generated package: `Generated("api.sessions.login")` is that module."""

    def __call__(self, name: str) -> ModuleType:
        return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="module")
def client_modules(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    target = tmp_path_factory.mktemp("python-client")
    generator = Path(sys.executable).with_name("openapi-python-client")
    # The venv's bin on PATH lets the generator's ruff hooks tidy what it writes.
    env = {**os.environ, "PATH": f"{generator.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [
            str(generator),
            "generate",
            "--path",
            str(DOCUMENT),
            "--meta",
            "none",
            "--output-path",
            str(target / PACKAGE),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Warning" not in output, f"the document should generate cleanly:\n{output}"
    sys.path.insert(0, str(target))
    try:
        yield Generated()
    finally:
        sys.path.remove(str(target))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def test_the_generated_python_client_logs_a_user_in_with_a_passkey(
    client_modules: Generated, dev_service: DevService
) -> None:
    package = client_modules("client")
    models = client_modules("models")
    api = {
        name: client_modules(f"api.{name}")
        for name in (
            "sessions.register",
            "sessions.login",
            "sessions.refresh",
            "sessions.logout",
            "sessions.me",
            "passkeys.create_connect_token",
            "passkeys.complete_login",
        )
    }
    base_url = dev_service.base_url
    public = package.Client(base_url=base_url, raise_on_unexpected_status=True)
    email = f"py-{uuid.uuid4().hex[:12]}@example.com"

    # Register and log in with a password: the first factor.
    registered = api["sessions.register"].sync_detailed(
        client=public,
        body=models.RegisterRequest(email=email, password=PASSWORD, display_name="Py Client"),
    )
    assert registered.status_code == 201
    user = registered.parsed
    assert isinstance(user, models.UserResponse)
    assert user.email == email
    login = api["sessions.login"].sync(
        client=public, body=models.LoginRequest(email=email, password=PASSWORD)
    )
    assert isinstance(login, models.LoginResponse)
    assert login.token_type == "Bearer"
    assert login.expires_in > 0

    # The append component's connect token, asked for with the password session's token.
    signed_in = package.AuthenticatedClient(
        base_url=base_url, token=login.access_token, raise_on_unexpected_status=True
    )
    connect = api["passkeys.create_connect_token"].sync(
        client=signed_in,
        body=models.CreateConnectTokenRequest(
            connect_token_type=models.ConnectTokenType.PASSKEY_APPEND
        ),
    )
    assert isinstance(connect, models.ConnectTokenResponse)
    assert connect.connect_token

    # The emulator stands in for the browser's passkey ceremony ...
    ceremony = httpx.post(base_url + PASSKEY_LOGIN, json={"identifier": email}, timeout=10)
    assert ceremony.status_code == 200, ceremony.text
    signed_passkey_data = ceremony.json()["signedPasskeyData"]

    # ... and completeLogin turns its signedPasskeyData into a session of the same user.
    passkey = api["passkeys.complete_login"].sync(
        client=public, body=models.CompleteLoginRequest(signed_passkey_data=signed_passkey_data)
    )
    assert isinstance(passkey, models.CompleteLoginResponse)
    assert passkey.success is True
    replayed = api["passkeys.complete_login"].sync_detailed(
        client=public, body=models.CompleteLoginRequest(signed_passkey_data=signed_passkey_data)
    )
    assert replayed.status_code == 401, "signedPasskeyData works once"
    assert isinstance(replayed.parsed, models.PasskeyErrorResponse)
    assert replayed.parsed.success is False
    assert replayed.parsed.error == "passkey_login_failed"

    # Rotate the passkey session's refresh token, then use the new pair.
    pair = api["sessions.refresh"].sync(
        client=public, body=models.RefreshRequest(refresh_token=passkey.refresh_token)
    )
    assert isinstance(pair, models.TokenPairResponse)
    assert pair.refresh_token != passkey.refresh_token
    session = package.AuthenticatedClient(
        base_url=base_url, token=pair.access_token, raise_on_unexpected_status=True
    )
    profile = api["sessions.me"].sync(client=session)
    assert isinstance(profile, models.UserResponse)
    assert profile.user_id == user.user_id

    # Log out: the session's access and refresh tokens stop working at once.
    assert api["sessions.logout"].sync_detailed(client=session).status_code == 204
    after = api["sessions.me"].sync_detailed(client=session)
    assert after.status_code == 401
    assert isinstance(after.parsed, models.ErrorResponse)
    assert after.parsed.error == "invalid_token"
    assert after.headers["www-authenticate"].startswith("Bearer")
    stale = api["sessions.refresh"].sync_detailed(
        client=public, body=models.RefreshRequest(refresh_token=pair.refresh_token)
    )
    assert stale.status_code == 401
    assert (dev_service.workdir / ".connect-backend").is_dir(), "dev keeps its state in ./"
