"""The operational settings: rate limits, trusted proxies and the request deadline."""

import ipaddress
from pathlib import Path

import pytest

from entrypoints.configuration import ConfigError, Settings
from entrypoints.configuration.settings import RateLimitSettings


def test_defaults() -> None:
    settings = Settings.for_dev({})
    assert settings.rate_limits == RateLimitSettings()
    assert settings.trusted_proxies == ()
    assert settings.request_timeout_s == 15.0


def test_every_variable_is_read() -> None:
    settings = Settings.for_dev(
        {
            "RATE_LIMIT_LOGIN_PER_MINUTE": "1",
            "RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE": "2",
            "RATE_LIMIT_REGISTER_PER_MINUTE": "3",
            "RATE_LIMIT_REFRESH_PER_MINUTE": "4",
            "RATE_LIMIT_PASSKEY_PER_MINUTE": "5",
            "TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,2001:db8::/32",
            "REQUEST_TIMEOUT_S": "7.5",
        }
    )
    assert settings.rate_limits == RateLimitSettings(1, 2, 3, 4, 5)
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.1/32"),
        ipaddress.ip_network("172.16.0.0/12"),
        ipaddress.ip_network("2001:db8::/32"),
    )
    assert settings.request_timeout_s == 7.5


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("RATE_LIMIT_LOGIN_PER_MINUTE", "0"),
        ("RATE_LIMIT_LOGIN_ACCOUNT_PER_MINUTE", "many"),
        ("RATE_LIMIT_PASSKEY_PER_MINUTE", "401"),
        ("TRUSTED_PROXIES", "10.0.0.1, proxy.example.com"),
        ("TRUSTED_PROXIES", "10.0.0.0/33"),
        ("REQUEST_TIMEOUT_S", "5"),
        ("REQUEST_TIMEOUT_S", "-1"),
        ("CORS_ALLOW_ORIGINS", "https://*"),
        ("CORS_ALLOW_ORIGINS", "https://*.example.com"),
        ("CORS_ALLOW_ORIGINS", "null"),
        ("CORS_ALLOW_ORIGINS", "https://app.example.com/"),
        ("CORS_ALLOW_ORIGINS", "https://user@app.example.com"),
        ("CORS_ALLOW_ORIGINS", "HTTPS://App.Example.com"),
        ("CORS_ALLOW_ORIGINS", "ftp://app.example.com"),
    ],
)
def test_bad_values_name_their_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.for_dev({variable: value})
    assert raised.value.variable == variable


@pytest.mark.parametrize(
    "origins", ["https://app.example.com", "http://localhost:5173, http://[::1]:8080"]
)
def test_origins_are_taken_as_written(origins: str) -> None:
    listed = tuple(origin.strip() for origin in origins.split(","))
    assert Settings.for_dev({"CORS_ALLOW_ORIGINS": origins}).cors_allow_origins == listed


def test_a_database_url_with_a_bad_port_is_refused_without_quoting_it(tmp_path: Path) -> None:
    """A password holding an unencoded "@" and ":" makes the parser read part of it as the
    port."""
    key = tmp_path / "keys.pem"
    key.write_text("only its existence is checked here", encoding="ascii")
    env = {
        "CORBADO_PROJECT_ID": "pro-42",
        "CORBADO_API_SECRET": "corbado1_secret",
        "SESSION_ISSUER": "https://auth.example.com",
        "SESSION_AUDIENCE": "app",
        "SESSION_SIGNING_KEYS": str(key),
        "DATABASE_URL": "postgresql+asyncpg://user:hunter@2:x@db.example.com/connect",
    }
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    assert raised.value.variable == "DATABASE_URL"
    assert "hunter" not in str(raised.value)
