"""The variables `serve` needs, for the command tests."""

from pathlib import Path

import pytest

from entrypoints.cli import main


@pytest.fixture
def serve_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    """`serve`'s variables set, with a new key and an SQLite file in `tmp_path`; that folder."""
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
