"""The audit trail: one event per security-relevant action, never carrying a secret."""

import enum
from dataclasses import dataclass
from typing import Protocol


class AuditAction(enum.StrEnum):
    """What happened; `AuditEvent.method` and `reason` say how and why."""

    USER_REGISTERED = "user_registered"
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    SESSION_ENDED = "session_ended"
    REFRESH_TOKEN_REUSED = "refresh_token_reused"
    ACCOUNT_DELETED = "account_deleted"
    EMAIL_VERIFIED = "email_verified"
    ACCOUNT_RECOVERED = "account_recovered"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One security-relevant action.

    `method` is `password` or `passkey` for logins; `reason` is a fixed, machine-readable code
    (`wrong_password`, `logout`, ...), never free text that could carry what the caller sent;
    `removed` says what an account deletion took away.
    """

    action: AuditAction
    user_id: str | None = None
    session_id: str | None = None
    method: str | None = None
    reason: str | None = None
    removed: str | None = None


class AuditLog(Protocol):
    """Where audit events go. Recording never fails the action it records."""

    async def record(self, event: AuditEvent) -> None:
        """Keep `event`; swallow and report its own failures rather than raise."""
        ...
