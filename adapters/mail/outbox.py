"""`dev`'s Mailer: nothing leaves the machine. The last mails stay in memory for the demo to
show, and each link is printed on the console."""

import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from domain.email_links import Mail

KEPT = 50


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A mail `dev` would have sent, and when (seconds since the epoch)."""

    mail: Mail
    sent_at: int


class DevOutbox:
    """Keeps the last `kept` mails, newest first, and prints each link to `stream`."""

    def __init__(
        self,
        stream: TextIO | None = None,
        kept: int = KEPT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._stream = stream
        self._entries: deque[OutboxEntry] = deque(maxlen=kept)
        self._clock = clock

    async def send(self, mail: Mail) -> None:
        self._entries.appendleft(OutboxEntry(mail, int(self._clock())))
        print(
            f"connect-backend dev: mail to {mail.to} ({mail.purpose.value}): {mail.link}",
            file=self._stream or sys.stderr,
            flush=True,
        )

    def entries(self) -> list[OutboxEntry]:
        """The kept mails, newest first."""
        return list(self._entries)
