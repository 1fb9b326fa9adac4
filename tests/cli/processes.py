"""Waiting on a server process from a test: a condition that must come true, a port closing.

The process itself comes from `tests.support.services.started`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

import pytest

from tests.support.services import LOOPBACK, POLL_S

BOUND_S = 15.0


def wait_until(condition: Callable[[], bool], what: str, bound_s: float = BOUND_S) -> None:
    """Poll `condition` until it holds; fail the test naming `what` after `bound_s`."""
    deadline = time.monotonic() + bound_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(POLL_S)


def refuses_connections(port: int) -> bool:
    """Whether nothing accepts TCP connections on `port` of loopback."""
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return True
    return False
