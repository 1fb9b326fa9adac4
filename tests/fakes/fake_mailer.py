"""A Mailer that keeps what it is given."""

from domain.email_links import Mail
from domain.errors import MailUnavailable


class FakeMailer:
    """Keeps every mail it took in `sent`; `fail_next(n)` makes the next `n` sends fail."""

    def __init__(self) -> None:
        self.sent: list[Mail] = []
        self.attempts = 0
        self._failures = 0

    def fail_next(self, times: int = 1) -> None:
        """Refuse the next `times` mails with `MailUnavailable`, as a server that is down."""
        self._failures = times

    async def send(self, mail: Mail) -> None:
        self.attempts += 1
        if self._failures > 0:
            self._failures -= 1
            raise MailUnavailable("the fake mail server is down")
        self.sent.append(mail)
