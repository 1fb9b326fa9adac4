"""The AuditLog port as structured log events on the `connect_backend.audit` logger.

Each event is one log record whose fields travel as `extra`, so the structlog pipeline set up
by `adapters.observability.logs` renders them as JSON keys beside the request id.
"""

import logging

from domain.ports.audit import AuditEvent

AUDIT_LOGGER = "connect_backend.audit"

_log = logging.getLogger(AUDIT_LOGGER)


class LoggingAuditLog:
    """One `audit` record at INFO per event; logging never raises into the caller."""

    async def record(self, event: AuditEvent) -> None:
        _log.info(
            "audit",
            extra={
                "action": event.action.value,
                "user_id": event.user_id,
                "session_id": event.session_id,
                "method": event.method,
                "reason": event.reason,
                "removed": event.removed,
            },
        )
