"""The README's secret files (`deploy/make-secrets`), and `serve` meeting a key it cannot read."""

import os
import secrets
from pathlib import Path

from adapters.tokens.signing_keys import load_signing_keys
from tests.image import compose
from tests.image.containers import APP_UID, make_secrets, owner_and_mode
from tests.image.engine import Docker

SECRET_FILES = ("corbado-api-secret", "signing-keys.pem", "postgres-password", "database-url")


def test_make_secrets_writes_every_file_private_to_the_images_user(
    image: str, tmp_path: Path
) -> None:
    directory = tmp_path / "secrets"
    corbado_secret = f"corbado1_{secrets.token_hex(16)}"
    made = make_secrets(directory, image, corbado_secret + "\n")
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in directory.iterdir()) == sorted(SECRET_FILES)
    for name in SECRET_FILES:
        assert owner_and_mode(directory / name) == (APP_UID, APP_UID, 0o400), name
    assert owner_and_mode(directory)[2] == 0o700
    contents = {name: (directory / name).read_text() for name in SECRET_FILES}
    assert contents["corbado-api-secret"] == corbado_secret + "\n"
    assert len(load_signing_keys(contents["signing-keys.pem"])) == 1
    password = contents["postgres-password"].strip()
    assert len(password) >= 32
    assert contents["database-url"] == (
        f"postgresql+asyncpg://connect:{password}@postgres:5432/connect\n"
    )

    again = make_secrets(directory, image, "not read: every file exists\n")
    assert again.returncode == 0, again.stderr
    assert {name: (directory / name).read_text() for name in SECRET_FILES} == contents


def test_make_secrets_leaves_no_file_behind_when_it_fails(image: str, tmp_path: Path) -> None:
    directory = tmp_path / "secrets"
    made = make_secrets(directory, image, "not-a-corbado-secret\n")
    assert made.returncode != 0
    assert "corbado1_" in made.stderr
    assert list(directory.iterdir()) == []


def test_a_key_appended_as_operations_md_says_keeps_the_files_owner_and_mode(
    docker: Docker, image: str, tmp_path: Path
) -> None:
    directory = tmp_path / "secrets"
    assert make_secrets(directory, image, "corbado1_x\n").returncode == 0
    first = load_signing_keys((directory / "signing-keys.pem").read_text())
    append = "connect-backend keys generate >> /secrets/signing-keys.pem"
    docker.check(
        *("run", "--rm", "--user=0", "--network=none", f"--volume={directory}:/secrets"),
        *("--entrypoint=sh", image, "-c", append),
    )
    keys = load_signing_keys((directory / "signing-keys.pem").read_text())
    assert [key.kid for key in keys[:1]] == [key.kid for key in first]
    assert len(keys) == 2
    assert owner_and_mode(directory / "signing-keys.pem") == (APP_UID, APP_UID, 0o400)


def test_serve_refuses_a_key_its_user_cannot_read_in_one_line(
    docker: Docker, image: str, tmp_path: Path
) -> None:
    key = tmp_path / "signing-keys.pem"
    key.write_text(docker.check("run", "--rm", "--network=none", image, "keys", "generate"))
    key.chmod(0o400)
    os.chown(key, 0, 0)
    refused = docker.run(
        "run",
        "--rm",
        "--network=none",
        *compose.service("app").hardening(),
        f"--volume={key}:/run/secrets/signing_keys:ro",
        "--env=SESSION_SIGNING_KEYS=/run/secrets/signing_keys",
        "--env=CORBADO_PROJECT_ID=pro-42",
        "--env=CORBADO_API_SECRET=corbado1_unused",
        "--env=SESSION_ISSUER=https://auth.example.com",
        "--env=SESSION_AUDIENCE=example-app",
        "--env=DATABASE_URL=sqlite+aiosqlite:////tmp/never-opened.sqlite3",
        image,
    )
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "connect-backend serve: SESSION_SIGNING_KEYS: cannot be read (Permission denied)"
    ]
