"""An AuditLog that keeps its events in a list."""

from domain.ports.audit import AuditAction, AuditEvent


class FakeAuditLog:
    """Records every event in order; `actions` lists what happened."""

    def __init__(self) -> None:
        self.events: list[AuditEvent] = []

    async def record(self, event: AuditEvent) -> None:
        self.events.append(event)

    @property
    def actions(self) -> list[AuditAction]:
        return [event.action for event in self.events]
