"""Secrets from files: every secret variable also has a `NAME_FILE` form, as database images do."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import make_url

from entrypoints.configuration import ConfigError, Settings
from entrypoints.configuration.secret_files import SECRET_VARIABLES, with_secret_files

SECRET = "corbado1_from-a-file"
BLANKS = st.text(alphabet=" \t\r\n", max_size=4)


def secret_file(directory: Path, content: str | bytes) -> Path:
    path = directory / "secret"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("name", SECRET_VARIABLES)
def test_a_file_variable_gives_its_file_content_and_is_itself_gone(
    tmp_path: Path, name: str
) -> None:
    path = secret_file(tmp_path, "value-of-the-secret\n")
    resolved = with_secret_files({f"{name}_FILE": str(path), "PORT": "8000"})
    assert resolved == {name: "value-of-the-secret", "PORT": "8000"}


@given(before=BLANKS, after=BLANKS)
def test_the_file_content_is_trimmed_as_every_value_is(before: str, after: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = secret_file(Path(directory), before + SECRET + after)
        env = {"CORBADO_API_SECRET_FILE": str(path)}
        assert with_secret_files(env)["CORBADO_API_SECRET"] == SECRET


def test_settings_read_the_corbado_secret_and_database_url_from_files(tmp_path: Path) -> None:
    keys = tmp_path / "keys.pem"
    keys.write_text("not read by the settings")
    (tmp_path / "corbado").write_text(SECRET + "\n")
    (tmp_path / "database").write_text(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}\n")
    settings = Settings.from_env(
        {
            "CORBADO_PROJECT_ID": "pro-123",
            "CORBADO_API_SECRET_FILE": str(tmp_path / "corbado"),
            "SESSION_ISSUER": "https://auth.example.com",
            "SESSION_AUDIENCE": "example-app",
            "SESSION_SIGNING_KEYS": str(keys),
            "DATABASE_URL_FILE": str(tmp_path / "database"),
        }
    )
    assert settings.corbado_api_secret == SECRET
    assert settings.database_url == make_url(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")


def test_without_file_variables_the_environment_is_unchanged() -> None:
    env = {"CORBADO_API_SECRET": SECRET, "DATABASE_URL": "sqlite+aiosqlite:///x", "X_FILE": "y"}
    assert with_secret_files(env) == env


def test_an_empty_file_variable_counts_as_unset() -> None:
    assert with_secret_files({"REDIS_URL_FILE": " ", "REDIS_URL": "redis://r"}) == {
        "REDIS_URL": "redis://r"
    }


def test_a_secret_set_both_ways_is_refused(tmp_path: Path) -> None:
    path = secret_file(tmp_path, SECRET)
    with pytest.raises(ConfigError) as raised:
        with_secret_files({"CORBADO_API_SECRET": SECRET, "CORBADO_API_SECRET_FILE": str(path)})
    assert raised.value.variable == "CORBADO_API_SECRET_FILE"
    assert "CORBADO_API_SECRET;" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "problem"),
    [("", "empty"), ("\n \n", "empty"), (b"\xff\xfe" + SECRET.encode(), "UTF-8")],
)
def test_an_unusable_file_is_refused_without_quoting_it(
    tmp_path: Path, content: str | bytes, problem: str
) -> None:
    path = secret_file(tmp_path, content)
    with pytest.raises(ConfigError) as raised:
        with_secret_files({"DATABASE_URL_FILE": str(path)})
    assert raised.value.variable == "DATABASE_URL_FILE"
    assert problem in str(raised.value)
    assert SECRET not in str(raised.value)


def test_a_missing_file_is_refused_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        with_secret_files({"REVOCATION_FEED_SECRET_FILE": str(tmp_path / "absent")})
    assert raised.value.variable == "REVOCATION_FEED_SECRET_FILE"
    assert "No such file" in str(raised.value)


def test_only_secrets_have_a_file_form(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    port_file.write_text("9999", encoding="utf-8")
    settings = Settings.for_dev({"PORT_FILE": str(port_file)})
    assert settings.port != 9999
