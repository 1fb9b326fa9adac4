"""A real SMTP server on loopback (aiosmtpd) that tests send mail to: STARTTLS or implicit TLS
with a self-signed certificate made here, login required, every message kept."""

from __future__ import annotations

import datetime
import email
import email.policy
import ipaddress
import re
import ssl
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.servers import free_port

HOST = "localhost"
USERNAME = "mailer"
PASSWORD = "smtp p@ss/word"
WAIT_S = 10.0
_LINK = re.compile(r"^(https?://\S+)\r?$", re.MULTILINE)


@dataclass
class Inbox:
    """What the server received, in order; `wait_for` waits (with a deadline) for more."""

    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    # Each message's envelope recipients (RCPT TO), in the order of `messages`.
    recipients: list[list[str]] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def add(self, raw: bytes, recipients: list[str]) -> None:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.messages.append(parsed)
            self.recipients.append(list(recipients))
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout_s: float = WAIT_S) -> list[EmailMessage]:
        """The first `count` messages, once that many arrived; fails after `timeout_s`."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout_s):
                raise AssertionError(f"{count} mails expected, {len(self.messages)} arrived")
            return list(self.messages[:count])

    def to(self, address: str) -> list[EmailMessage]:
        with self._arrived:
            return [m for m in self.messages if m["To"] == address]


def link_in(message: EmailMessage) -> str:
    """The one link in a message's text."""
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    [link] = _LINK.findall(body.get_content())
    return str(link)


def token_in(message: EmailMessage) -> str:
    """The token a message's link carries (after its last `=`)."""
    return link_in(message).rpartition("=")[2]


@dataclass(frozen=True)
class SmtpServer:
    """A running server: where it is, how to trust it, and what it received."""

    host: str
    port: int
    implicit_tls: bool
    trust: ssl.SSLContext
    inbox: Inbox

    @property
    def url(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        return f"{scheme}://{USERNAME}:smtp%20p%40ss%2Fword@{self.host}:{self.port}"


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self._inbox = inbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self._inbox.add(envelope.content, envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def _authenticator(inbox: Inbox) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        valid = (
            isinstance(data, LoginPassword)
            and data.login == USERNAME.encode()
            and data.password == PASSWORD.encode()
        )
        if valid:
            inbox.logins.append(USERNAME)
        return AuthResult(success=valid)

    return authenticate


def _certificate(folder: Path) -> tuple[Path, Path, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(HOST), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(pem)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path, pem


@contextmanager
def smtp_server(*, implicit_tls: bool = False) -> Iterator[SmtpServer]:
    """An SMTP server on a free loopback port that needs TLS and a login, until the block ends."""
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path, pem = _certificate(Path(folder))
        server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_context.load_cert_chain(cert_path, key_path)
        inbox = Inbox()
        port = free_port()
        tls: dict[str, Any] = (
            {"ssl_context": server_context}
            if implicit_tls
            else {"tls_context": server_context, "require_starttls": True}
        )
        controller = Controller(
            _Handler(inbox),
            hostname="127.0.0.1",
            port=port,
            server_hostname=HOST,
            authenticator=_authenticator(inbox),
            auth_required=True,
            auth_require_tls=not implicit_tls,
            ready_timeout=WAIT_S,
            **tls,
        )
        controller.start()
        try:
            trust = ssl.create_default_context(cadata=pem.decode("ascii"))
            yield SmtpServer(HOST, port, implicit_tls, trust, inbox)
        finally:
            controller.stop()


def wait_until(condition: Any, timeout_s: float = WAIT_S) -> None:
    """Poll `condition` until it holds; fail after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not hold in time")
        time.sleep(0.01)
