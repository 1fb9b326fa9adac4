"""Readiness: every dependency the service needs to answer requests."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from entrypoints.container import ReadinessCheck

logger = logging.getLogger("connect_backend.readiness")


async def all_ready(checks: Sequence[ReadinessCheck]) -> bool:
    """True when every check passed; failures are logged by name, never raised."""
    ready = True
    for name, check in checks:
        try:
            await check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            ready = False
    return ready
