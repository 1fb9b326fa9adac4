"""How `dev`, `serve` and `emulator` run granian: bounded, graceful, logging through ours.

The behaviour behind each setting is tested against the running commands in tests/cli and
tests/http/test_shutdown.py; this pins the settings that have no quick behavioural test.
"""

import logging

import pytest
from granian.constants import HTTPModes, Interfaces, Loops

from entrypoints.asgi import FACTORY
from entrypoints.configuration import Settings
from entrypoints.server import server


def test_granian_is_bounded_graceful_and_serves_the_factory_in_every_worker() -> None:
    granian = server(FACTORY, "127.0.0.1", 8123, workers=3)
    assert (granian.bind_addr, granian.bind_port) == ("127.0.0.1", 8123)
    assert (granian.target, granian.factory, granian.workers) == (FACTORY, True, 3)
    assert granian.interface == Interfaces.ASGI, "with lifespan: the app closes its pools"
    assert granian.loop == Loops.uvloop
    assert granian.http == HTTPModes.http1
    assert granian.websockets is False
    assert granian.http1_settings is not None
    assert granian.http1_settings.max_buffer_size == 16 * 1024
    assert granian.http1_settings.header_read_timeout == 5_000
    assert granian.backpressure == 1000
    assert granian.workers_kill_timeout == 30
    assert granian.workers_kill_timeout > Settings.for_dev({}).request_timeout_s
    assert granian.respawn_failed_workers is True
    assert granian.log_access is False


@pytest.mark.parametrize("name", ["_granian", "_granian.serve", "granian.access"])
def test_granian_log_records_reach_only_our_handler_on_the_root_logger(name: str) -> None:
    server(FACTORY, "127.0.0.1", 8123)
    logger = logging.getLogger(name)
    assert logger.handlers == []
    assert logger.propagate is True
    assert logging.getLogger("_granian").level == logging.INFO
