"""`/_dev/outbox`: the mails `dev` would have sent, newest first, which the demo shows instead
of a mailbox (never in the OpenAPI document, never served by `serve`)."""

from __future__ import annotations

from litestar import get
from litestar.handlers import HTTPRouteHandler

from adapters.mail.outbox import DevOutbox
from entrypoints.web.wire import NO_STORE, Wire


class OutboxMail(Wire):
    """A mail `connect-backend dev` would have sent (its dev-only outbox)."""

    to: str
    purpose: str
    link: str
    sent_at: int


class OutboxResponse(Wire):
    mails: list[OutboxMail]


def outbox_route(outbox: DevOutbox) -> HTTPRouteHandler:
    """`GET /_dev/outbox`, reading `outbox` (the container's `mail_outbox`): the handler
    takes nothing from the request nor from the app's dependencies."""

    @get(
        "/_dev/outbox",
        include_in_schema=False,
        cache_control=NO_STORE,
        sync_to_thread=False,
    )
    def dev_outbox() -> OutboxResponse:
        """dev's outbox, newest first: what the demo shows instead of a mailbox."""
        return OutboxResponse(
            mails=[
                OutboxMail(
                    to=entry.mail.to,
                    purpose=entry.mail.purpose.value,
                    link=entry.mail.link,
                    sent_at=entry.sent_at,
                )
                for entry in outbox.entries()
            ]
        )

    return dev_outbox
