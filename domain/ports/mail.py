from typing import Protocol

from domain.email_links import Mail


class Mailer(Protocol):
    """Hands mail to the mail system. It may be slow or fail, so use cases send from
    `BackgroundWork`, never while a request waits."""

    async def send(self, mail: Mail) -> None:
        """Deliver `mail`; raise `MailUnavailable` when the mail system did not take it."""
        ...
