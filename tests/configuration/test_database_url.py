"""DATABASE_URL is read once, by SQLAlchemy's own parser, into the URL the engine is built from;
what that parser would misread is refused with a message that quotes none of the URL."""

import asyncio
import importlib.util
import string
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import make_url

from adapters.sql.engine import create_engine, ping
from entrypoints.configuration import ConfigError, Settings

HOST = "db.internal.example"
PASSWORDS = st.text(
    alphabet=string.ascii_letters + string.digits + string.punctuation + " é", min_size=1
)


def serve_env(tmp_path: Path, url: str) -> dict[str, str]:
    key = tmp_path / "keys.pem"
    key.write_text("only its existence is checked here", encoding="ascii")
    return {
        "CORBADO_PROJECT_ID": "pro-42",
        "CORBADO_API_SECRET": "corbado1_secret",
        "SESSION_ISSUER": "https://auth.example.com",
        "SESSION_AUDIENCE": "app",
        "SESSION_SIGNING_KEYS": str(key),
        "DATABASE_URL": url,
    }


def refusal(url: str) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        Settings.for_database({"DATABASE_URL": url})
    assert raised.value.variable == "DATABASE_URL"
    return raised.value


MORE_THAN_ONE_AT = (
    "DATABASE_URL: is not valid (holds more than one unencoded @ "
    "(percent-encode it in the password: %40))"
)


def assert_quotes_none_of(error: ConfigError, *parts: str) -> None:
    message = str(error)
    assert [part for part in parts if part in message] == []


@given(before=PASSWORDS, after=PASSWORDS)
def test_an_unencoded_at_in_the_password_is_refused_quoting_none_of_it(
    before: str, after: str
) -> None:
    """SQLAlchemy ends the password at its first "@": the rest would become host or port."""
    url = f"postgresql+asyncpg://app:{before}@{after}@{HOST}:5999/accounts"
    # A fixed text, whatever the password: nothing of the URL in it.
    assert str(refusal(url)) == MORE_THAN_ONE_AT


@pytest.mark.parametrize(
    "url",
    [
        # The issue's: SQLAlchemy reads "Tail@host:5999" as the port and its error quotes it.
        "postgresql+asyncpg://app:p@ss:Tail@db.internal.example:5999/accounts",
        # Parses, with "ss@db.internal.example" as the host: a connection to part of a password.
        "postgresql+asyncpg://app:p@ss@db.internal.example:5999/accounts",
        "postgresql+asyncpg://app@corp:secret@db.internal.example/accounts",
        "postgresql+asyncpg://app:p@ss/x@db.internal.example/accounts",
    ],
)
def test_more_than_one_unencoded_at_says_so_and_quotes_nothing(url: str) -> None:
    assert str(refusal(url)) == MORE_THAN_ONE_AT


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://app:hunter2@db.internal.example/accounts", "must be sqlite+aiosqlite://"),
        ("postgresql://app:hunter2@db.internal.example/accounts", "must be sqlite+aiosqlite://"),
        ("not a url hunter2", "does not parse"),
        ("postgresql+asyncpg://app:hunter2@db.internal.example:/accounts", "does not parse"),
        ("postgresql+asyncpg://app:hunter2@db.internal.example:5x/accounts", "does not parse"),
        ("postgresql+asyncpg://app:hunter2@db.internal.example:0/accounts", "1 to 65535"),
        ("postgresql+asyncpg://app:hunter2@db.internal.example:65536/accounts", "1 to 65535"),
        ("sqlite+aiosqlite://app:hunter2@db.internal.example/accounts", "names a file only"),
        ("sqlite+aiosqlite://db.internal.example/accounts", "names a file only"),
        ("sqlite+aiosqlite://app@/accounts", "names a file only"),
    ],
)
def test_what_the_engine_could_not_use_is_refused_quoting_nothing(url: str, problem: str) -> None:
    error = refusal(url)
    assert problem in str(error)
    assert_quotes_none_of(error, "hunter2", "app", HOST, "accounts", ":5x", "65536")


@given(password=PASSWORDS)
def test_a_percent_encoded_password_reaches_the_engine_as_written(password: str) -> None:
    url = f"postgresql+asyncpg://app:{quote(password, safe='')}@{HOST}:5999/accounts"

    parsed = Settings.for_database({"DATABASE_URL": url}).database_url

    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == (
        "app",
        password,
        HOST,
        5999,
        "accounts",
    )


@pytest.mark.parametrize(
    ("url", "password"),
    [
        # An unencoded "/" in the password: the old check (urlsplit) took "hunter" for the port
        # and refused what SQLAlchemy, which builds the engine, reads as intended.
        ("postgresql+asyncpg://app:hunter/2@db.internal.example/accounts", "hunter/2"),
        ("postgresql+asyncpg://app:pa:ss@db.internal.example/accounts", "pa:ss"),
        ("postgresql+asyncpg://app:p%40ss@db.internal.example:1/accounts", "p@ss"),
        ("postgresql+asyncpg://app:p%40ss@db.internal.example:65535/accounts", "p@ss"),
    ],
)
def test_passwords_sqlalchemy_reads_as_meant_are_accepted(url: str, password: str) -> None:
    parsed = Settings.for_database({"DATABASE_URL": url}).database_url
    assert (parsed.password, parsed.host) == (password, HOST)


@pytest.mark.parametrize(
    "url",
    [
        "sqlite+aiosqlite:///relative/connect.sqlite3",
        "sqlite+aiosqlite:////var/lib/connect@2/connect.sqlite3",
        "sqlite+aiosqlite:///:memory:",
        "postgresql+asyncpg:///accounts?host=/var/run/postgresql",
    ],
)
def test_the_interface_forms_are_accepted(url: str) -> None:
    assert Settings.for_database({"DATABASE_URL": url}).database_url == make_url(url)


def test_serve_reads_the_url_the_engine_is_built_from(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://app:p%40ss@{HOST}:5999/accounts"
    settings = Settings.from_env(serve_env(tmp_path, url))

    assert settings.database_url == make_url(url)
    engine = create_engine(settings.database_url)
    assert engine.url is settings.database_url
    assert "p@ss" not in repr(settings)


def test_the_dev_database_url_names_its_file_even_with_url_characters(tmp_path: Path) -> None:
    state = tmp_path / "state?#@"
    url = Settings.for_dev({}, state_dir=state).database_url
    assert (url.drivername, url.database) == ("sqlite+aiosqlite", str(state / "dev.sqlite3"))


def test_the_interface_sqlite_form_works_without_aiosqlite(tmp_path: Path) -> None:
    """SQLite runs on the standard library's sqlite3 whatever the URL's driver name says."""
    assert importlib.util.find_spec("aiosqlite") is None, "no module imports it: not a dependency"
    url = f"sqlite+aiosqlite:///{tmp_path / 'connect.sqlite3'}"
    settings = Settings.for_database({"DATABASE_URL": url})

    async def answers() -> None:
        engine = create_engine(settings.database_url)
        try:
            await ping(engine)
        finally:
            await engine.dispose()

    asyncio.run(answers())
    assert (tmp_path / "connect.sqlite3").is_file()
