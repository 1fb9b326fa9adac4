"""The console script's contract: exit codes and messages an operator relies on."""

import json
from pathlib import Path

import pytest

from adapters.tokens.signing_keys import load_signing_keys
from entrypoints.cli import main
from entrypoints.settings import DEV_API_SECRET, DEV_PROJECT_ID

REQUIRED = [
    "CORBADO_PROJECT_ID",
    "CORBADO_API_SECRET",
    "SESSION_ISSUER",
    "SESSION_AUDIENCE",
    "SESSION_SIGNING_KEYS",
    "DATABASE_URL",
]


@pytest.fixture
def serve_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    assert main(["keys", "generate"]) == 0
    key_file = tmp_path / "keys.pem"
    key_file.write_text(capsys.readouterr().out, encoding="ascii")
    values = {
        "CORBADO_PROJECT_ID": "pro-123",
        "CORBADO_API_SECRET": "corbado1_secret",
        "SESSION_ISSUER": "https://auth.example.com",
        "SESSION_AUDIENCE": "example-app",
        "SESSION_SIGNING_KEYS": str(key_file),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return tmp_path


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
