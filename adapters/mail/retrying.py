"""A Mailer that tries again, after growing pauses, when the mail server did not take a mail."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from domain.email_links import Mail
from domain.errors import MailUnavailable
from domain.ports import Mailer

_log = logging.getLogger("connect_backend.mail")

# Well inside EMAIL_TOKEN_TTL_S's default of 15 minutes: a link mailed late is still of use.
RETRY_DELAYS_S = (5.0, 30.0, 120.0)


class RetryingMailer:
    """Sends through `inner`, once more after each of `delays_s` while it fails; the last
    failure propagates. Each try sends the same message (the same `Message-ID`)."""

    def __init__(
        self,
        inner: Mailer,
        delays_s: Sequence[float] = RETRY_DELAYS_S,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._inner = inner
        self._delays_s = tuple(delays_s)
        self._sleep = sleep

    async def send(self, mail: Mail) -> None:
        for delay_s in self._delays_s:
            try:
                await self._inner.send(mail)
            except MailUnavailable:
                _log.info("Sending a %s mail again in %s s", mail.purpose, delay_s)
                await self._sleep(delay_s)
            else:
                return
        await self._inner.send(mail)
