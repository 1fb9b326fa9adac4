"""The console script's contract: exit codes and messages an operator relies on."""

import asyncio
import json
import os
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, insert

from adapters.sql import migrate
from adapters.sql.engine import create_engine
from adapters.sql.tables import users
from adapters.tokens.signing_keys import load_signing_keys
from corbado_emulator import create_emulator_app
from entrypoints.cli import main
from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID, DEV_STATE_DIR
from tests.support.servers import free_port

REQUIRED = [
    "CORBADO_PROJECT_ID",
    "CORBADO_API_SECRET",
    "SESSION_ISSUER",
    "SESSION_AUDIENCE",
    "SESSION_SIGNING_KEYS",
    "DATABASE_URL",
]


@pytest.mark.parametrize("variable", REQUIRED)
def test_serve_without_a_required_variable_exits_2_naming_it(
    serve_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
) -> None:
    monkeypatch.delenv(variable)
    assert main(["serve"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CORBADO_PROJECT_ID", "123"),
        ("SESSION_ISSUER", "not a url"),
        ("ACCESS_TOKEN_TTL_S", "-5"),
        ("REFRESH_REUSE_GRACE_S", "ten"),
        ("CORBADO_IDENTIFIER", "phone"),
        ("CORS_ALLOW_ORIGINS", "*"),
        ("DATABASE_URL", "mysql://x"),
    ],
)
def test_serve_with_a_bad_value_exits_2_naming_it(
    serve_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["serve"]) == 2
    assert variable in capsys.readouterr().err


# The shape: SQLAlchemy reads "Tail@db.internal.example:5999" as the port, and its error
# quoted it (a traceback, exit 1). The second parses, with part of the password as the host.
UNENCODED_AT = "postgresql+asyncpg://app:Pw@Sx:Tail@db.internal.example:5999/accounts"


@pytest.mark.parametrize(
    "command",
    [["serve"], ["migrate"], ["purge"], ["users", "add", "--email", "a@x", "--display-name", "A"]],
    ids=lambda command: command[0],
)
@pytest.mark.parametrize(
    "url", [UNENCODED_AT, "postgresql+asyncpg://app:Pw@Sx@db.internal.example:5999/accounts"]
)
def test_a_database_url_with_an_unencoded_at_exits_2_in_one_line_quoting_none_of_it(
    serve_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    url: str,
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", _Stdin("correct horse battery\n"))

    assert main([*command, "--password-stdin"] if command[0] == "users" else command) == 2

    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert line.startswith(f"connect-backend {command[0]}: DATABASE_URL: is not valid (")
    assert "more than one unencoded @" in line
    parts = ["app", "Pw", "Sx", "Tail", "db.internal", "example", "5999", "accounts", "asyncpg"]
    assert [part for part in parts if part in line] == []
    assert captured.out == ""


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("CORBADO_BACKEND_API", "http://backendapi.cloud.corbado.io", "loopback"),
        ("CORBADO_BACKEND_API", "http://10.0.0.5:18081", "loopback"),
        ("CORBADO_BACKEND_API", "http://127.0.0.1.example.com", "loopback"),
        ("CORBADO_API_SECRET", DEV_API_SECRET, "development"),
        ("CORBADO_PROJECT_ID", DEV_PROJECT_ID, "development"),
        ("SESSION_IDLE_TIMEOUT_S", "929", "ACCESS_TOKEN_TTL_S"),
    ],
)
def test_serve_refuses_unsafe_settings_in_one_line(
    serve_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    problem: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["serve"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert variable in lines[0]
    assert problem in lines[0]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:18081", "http://localhost:18081", "http://[::1]:18081"]
)
def test_serve_accepts_http_to_a_loopback_corbado(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    monkeypatch.setenv("CORBADO_BACKEND_API", url)
    # It gets as far as the schema check, which an unmigrated database fails.
    assert main(["serve"]) == 2
    assert "connect-backend migrate" in capsys.readouterr().err


def test_an_idle_timeout_covering_the_access_token_lifetime_is_accepted(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACCESS_TOKEN_TTL_S", "300")
    monkeypatch.setenv("SESSION_IDLE_TIMEOUT_S", "330")
    assert main(["serve"]) == 2
    assert "connect-backend migrate" in capsys.readouterr().err


def test_serve_refuses_a_key_file_without_an_es256_key(
    serve_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (serve_env / "keys.pem").write_text(
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    )
    assert main(["serve"]) == 2
    assert "SESSION_SIGNING_KEYS" in capsys.readouterr().err


def test_serve_refuses_a_schema_that_is_behind(
    serve_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    assert "connect-backend migrate" in capsys.readouterr().err


def test_keys_generate_prints_a_loadable_es256_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "generate"]) == 0
    keys = load_signing_keys(capsys.readouterr().out)
    assert len(keys) == 1
    assert keys[0].public_jwk["crv"] == "P-256"


def test_migrate_then_users_add_creates_a_user(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    monkeypatch.setattr("sys.stdin", _Stdin("correct horse battery\n"))
    assert (
        main(
            [
                "users",
                "add",
                "--email",
                "Ops@Example.com",
                "--display-name",
                "Ops",
                "--password-stdin",
            ]
        )
        == 0
    )
    created = json.loads(capsys.readouterr().out)
    assert (created["email"], created["displayName"]) == ("ops@example.com", "Ops")
    monkeypatch.setattr("sys.stdin", _Stdin("correct horse battery\n"))
    assert (
        main(
            [
                "users",
                "add",
                "--email",
                "ops@example.com",
                "--display-name",
                "Ops",
                "--password-stdin",
            ]
        )
        == 1
    )
    assert "already" in capsys.readouterr().err


def test_migrate_and_users_read_the_database_url_from_a_file(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url_file = serve_env / "database-url"
    url_file.write_text(f"sqlite+aiosqlite:///{serve_env / 'from-file.sqlite3'}\n")
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("DATABASE_URL_FILE", str(url_file))
    assert main(["migrate"]) == 0
    assert (serve_env / "from-file.sqlite3").is_file()
    assert not (serve_env / "db.sqlite3").exists()
    assert users_add(monkeypatch, "ops@example.com") == 0
    capsys.readouterr()
    # users delete takes the production path (the variables serve reads) only with a database.
    monkeypatch.delenv("CORBADO_PROJECT_ID")
    assert main(["users", "delete", "--email", "ops@example.com"]) == 2
    assert "CORBADO_PROJECT_ID" in capsys.readouterr().err


def test_serve_refuses_a_secret_given_both_ways_in_one_line(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (serve_env / "corbado-api-secret").write_text("corbado1_secret\n")
    monkeypatch.setenv("CORBADO_API_SECRET_FILE", str(serve_env / "corbado-api-secret"))
    assert main(["serve"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "connect-backend serve: CORBADO_API_SECRET_FILE: is set together with "
        "CORBADO_API_SECRET; set only one"
    ]


def users_add(monkeypatch: pytest.MonkeyPatch, email: str) -> int:
    monkeypatch.setattr("sys.stdin", _Stdin("correct horse battery\n"))
    return main(["users", "add", "--email", email, "--display-name", "J", "--password-stdin"])


def test_users_add_refuses_another_unicode_spelling_of_an_existing_email(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert users_add(monkeypatch, "jos\u00e9@x.example") == 0
    assert json.loads(capsys.readouterr().out)["email"] == "jos\u00e9@x.example"

    assert users_add(monkeypatch, "JOSE\u0301@x.example") == 1
    assert "already" in capsys.readouterr().err


def test_migrate_stops_with_one_line_on_two_users_with_one_address(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_database_at_0003_with(os.environ["DATABASE_URL"], "jos\u00e9@x", "jose\u0301@x"))

    assert main(["migrate"]) == 3

    # Above it only alembic's progress lines, as on every run.
    err = capsys.readouterr().err
    ours = [line for line in err.splitlines() if line.startswith("connect-backend")]
    assert ours == [err.strip().splitlines()[-1]]
    assert ours[0].startswith("connect-backend migrate: users first (")
    assert "second (" in ours[0]
    assert "Traceback" not in err
    assert main(["serve"]) == 2


async def _database_at_0003_with(url: str, first: str, second: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_to_0003)
            for user_id, email in [("first", first), ("second", second)]:
                await connection.execute(
                    insert(users).values(id=user_id, email=email, display_name="J", created_at=0)
                )
    finally:
        await engine.dispose()


def _upgrade_to_0003(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(migrate.__file__).parent / "migrations"))
    config.attributes["connection"] = connection
    command.upgrade(config, "0003")


def test_openapi_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"
    assert main(["openapi", "--output", str(output)]) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    assert "/auth/completeLogin" in document["paths"]


class _Stdin:
    def __init__(self, text: str) -> None:
        self._text = text

    def readline(self) -> str:
        return self._text

    def isatty(self) -> bool:
        return False


def test_users_delete_names_an_unknown_user_and_keeps_a_user_corbado_did_not_confirm(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert users_add(monkeypatch, "ops@example.com") == 0
    capsys.readouterr()
    # Nothing listens there: Corbado cannot confirm, so nothing may be deleted here.
    monkeypatch.setenv("CORBADO_BACKEND_API", f"http://127.0.0.1:{free_port()}")

    assert main(["users", "delete", "--email", "nobody@example.com"]) == 1
    unknown = capsys.readouterr().err.strip().splitlines()
    assert unknown == ["connect-backend users delete: no user has the email 'nobody@example.com'"]
    assert main(["users", "delete", "--email", "ops@example.com"]) == 1
    [refused] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert "the account is unchanged here" in refused
    assert users_add(monkeypatch, "ops@example.com") == 1
    assert "already" in capsys.readouterr().err


def test_serve_refuses_a_metrics_directory_it_cannot_make(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    (serve_env / "a-file").write_text("not a directory")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(serve_env / "a-file" / "metrics"))
    assert main(["serve"]) == 2
    assert "PROMETHEUS_MULTIPROC_DIR" in capsys.readouterr().err


def test_serve_refuses_a_metrics_directory_holding_a_database(
    serve_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    (serve_env / "metrics").mkdir()
    (serve_env / "metrics" / "connect.db").write_text("a database")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(serve_env / "metrics"))
    assert main(["serve"]) == 2
    error = capsys.readouterr().err
    assert "PROMETHEUS_MULTIPROC_DIR" in error
    assert "connect.db" in error
    assert (serve_env / "metrics" / "connect.db").exists()


def test_dev_users_delete_deletes_the_user_at_the_emulator_dev_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without DATABASE_URL: dev's database and dev's emulator (its state file), reached in
    # this process as `dev` reaches it.
    monkeypatch.chdir(tmp_path)
    for variable in REQUIRED:
        monkeypatch.delenv(variable, raising=False)
    assert users_add(monkeypatch, "jane@example.com") == 0
    state = tmp_path / DEV_STATE_DIR / "corbado-emulator.json"
    asyncio.run(_passkey_login_at_the_emulator(state, "jane@example.com"))
    capsys.readouterr()

    assert main(["users", "delete", "--email", "jane@example.com"]) == 0

    [*_, line] = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("0 connect tokens and 1 Corbado users"), line
    assert "jane@example.com" not in state.read_text(encoding="utf-8")


async def _passkey_login_at_the_emulator(state: Path, identifier: str) -> None:
    """What a passkey login in `dev` leaves at the emulator: a user holding `identifier`."""
    emulator = create_emulator_app(DEV_PROJECT_ID, DEV_API_SECRET, state_path=state)
    transport = httpx.ASGITransport(app=emulator)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        answer = await client.post("/v2/_emulator/passkeyLogin", json={"identifier": identifier})
        assert answer.status_code == 200, answer.text
