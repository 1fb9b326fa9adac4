"""How `dev` and `serve` run uvicorn: bounded requests, our logging, graceful shutdown."""

from entrypoints.cli import server_config
from entrypoints.settings import Settings


def test_uvicorn_is_bounded_and_leaves_logging_and_proxies_to_us() -> None:
    settings = Settings.for_dev({"PORT": "8123"})
    config = server_config(settings, app=object())
    assert (config.host, config.port) == ("127.0.0.1", 8123)
    assert config.http == "h11"
    assert config.h11_max_incomplete_event_size == 16 * 1024
    assert config.limit_concurrency == 1000
    assert config.timeout_keep_alive == 5
    assert config.timeout_graceful_shutdown == 30
    assert config.timeout_graceful_shutdown > settings.request_timeout_s
    assert config.proxy_headers is False
    assert config.access_log is False
    assert config.log_config is None
    assert config.server_header is False
