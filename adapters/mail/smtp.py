"""The Mailer over SMTP with aiosmtplib: STARTTLS (`smtp://`) or implicit TLS (`smtps://`),
never in clear text, the server's certificate checked against the system's trust store."""

import asyncio
import logging
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import extract_recipients, parse_address

from adapters.mail.compose import MailComposer
from domain.email_links import Mail
from domain.errors import InvalidEmail, MailUnavailable

_log = logging.getLogger("connect_backend.mail")


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where to hand mail, and how: implicit TLS, or STARTTLS required."""

    host: str
    port: int
    implicit_tls: bool
    username: str | None = None
    password: str | None = field(default=None, repr=False)


class SmtpMailer:
    """Sends each mail over one SMTP connection, under a whole-call deadline of `timeout_s`.

    `tls_context` replaces the default trust (the system's CAs, host name checked): a test seam
    for a server with a certificate of its own; the container never sets it.
    """

    def __init__(
        self,
        server: SmtpServer,
        composer: MailComposer,
        timeout_s: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self._server = server
        self._composer = composer
        self._timeout_s = timeout_s
        self._tls_context = tls_context

    async def send(self, mail: Mail) -> None:
        """Raises `MailUnavailable` when the server did not take the mail, `InvalidEmail` (sending
        nothing, for good) when a mail system would read another mailbox into the address."""
        server = self._server
        message = self._composer.message(mail)
        if not _reaches_only(mail.to, message):
            raise InvalidEmail("mail to this address would reach another mailbox")
        try:
            async with asyncio.timeout(self._timeout_s):
                await aiosmtplib.send(
                    message,
                    recipients=[mail.to],
                    hostname=server.host,
                    port=server.port,
                    username=server.username,
                    password=server.password,
                    use_tls=server.implicit_tls,
                    # Required, not opportunistic: credentials and links never go in clear text.
                    start_tls=not server.implicit_tls,
                    tls_context=self._tls_context,
                    timeout=self._timeout_s,
                )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # Only the kind: a server's reply may quote what it was sent.
            _log.warning(
                "The mail server did not take a %s mail (%s)", mail.purpose, type(exc).__name__
            )
            raise MailUnavailable("the mail server did not take the message") from exc


def _reaches_only(address: str, message: EmailMessage) -> bool:
    """Whether both the envelope and the `To` header name exactly `address`.

    An account's key may hold what a mail system reads as other mailboxes (`a,b@x`, a display
    name and `<someone@else>`, a comment, a group): mailed as it is, a link would reach mailboxes
    the key only names in passing (each key with its own mail limit, so one mailbox could be
    flooded through many), and `emailVerified` would prove a mailbox that is not the key.
    """
    try:
        envelope = parse_address(address)
    except ValueError:
        return False
    return envelope == address and extract_recipients(message) == [address]
