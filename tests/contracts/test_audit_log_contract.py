"""The AuditLog port: every action is accepted, and an event reaches the audit trail whole."""

import logging

import pytest

from adapters.logging_audit_log import AUDIT_LOGGER, LoggingAuditLog
from domain.ports import AuditLog
from domain.ports.audit import AuditAction, AuditEvent
from tests.fakes.fake_audit_log import FakeAuditLog


@pytest.fixture(params=["fake", "logging"])
def audit_log(request: pytest.FixtureRequest) -> AuditLog:
    return FakeAuditLog() if request.param == "fake" else LoggingAuditLog()


@pytest.mark.parametrize("action", list(AuditAction))
async def test_every_action_is_recorded_without_error(
    audit_log: AuditLog, action: AuditAction
) -> None:
    await audit_log.record(AuditEvent(action, user_id="u-1", session_id="s-1"))


async def test_the_logging_adapter_writes_one_record_with_every_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=AUDIT_LOGGER)
    event = AuditEvent(
        AuditAction.LOGIN_SUCCEEDED, user_id="u-1", session_id="s-1", method="passkey"
    )
    await LoggingAuditLog().record(event)
    [record] = [r for r in caplog.records if r.name == AUDIT_LOGGER]
    assert record.getMessage() == "audit"
    assert vars(record)["action"] == "login_succeeded"
    assert vars(record)["user_id"] == "u-1"
    assert vars(record)["session_id"] == "s-1"
    assert vars(record)["method"] == "passkey"
    assert vars(record)["reason"] is None
