"""What every Mailer does: the fake, and the SMTP adapter against a real SMTP server (STARTTLS
and implicit TLS), each message read back as it arrived."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass

import pytest

from adapters.mail.compose import MailComposer
from adapters.mail.smtp import SmtpMailer, SmtpServer
from domain.email_links import EmailPurpose, Mail
from domain.errors import MailUnavailable
from domain.ports import Mailer
from tests.fakes.fake_mailer import FakeMailer
from tests.support.servers import free_port
from tests.support.smtp import PASSWORD, USERNAME, link_in, smtp_server

SENDER = "connect-backend <noreply@example.com>"
LINK = "https://app.example/#recover=abc-DEF_123"


@dataclass
class Subject:
    mailer: Mailer
    received: Callable[[int], list[Mail]]
    broken: Callable[[], AbstractAsyncContextManager[Mailer]]


def _smtp(server: SmtpServer, trust: ssl.SSLContext, timeout_s: float = 5.0) -> SmtpMailer:
    return SmtpMailer(server, MailComposer(SENDER, 900), timeout_s, tls_context=trust)


@asynccontextmanager
async def _fake() -> AsyncIterator[Subject]:
    fake = FakeMailer()

    @asynccontextmanager
    async def broken() -> AsyncIterator[Mailer]:
        down = FakeMailer()
        down.fail_next()
        yield down

    yield Subject(fake, lambda count: fake.sent[:count], broken)


def _smtp_subject(*, implicit_tls: bool) -> Callable[[], AbstractAsyncContextManager[Subject]]:
    @asynccontextmanager
    async def subject() -> AsyncIterator[Subject]:
        with smtp_server(implicit_tls=implicit_tls) as running:
            target = SmtpServer(running.host, running.port, implicit_tls, USERNAME, PASSWORD)

            def received(count: int) -> list[Mail]:
                messages = running.inbox.wait_for(count)
                return [
                    Mail(str(m["To"]), _purpose(str(m["Subject"])), link_in(m)) for m in messages
                ]

            @asynccontextmanager
            async def broken() -> AsyncIterator[Mailer]:
                # The same server, but the password is wrong.
                wrong = SmtpServer(running.host, running.port, implicit_tls, USERNAME, "nope")
                yield _smtp(wrong, running.trust)

            yield Subject(_smtp(target, running.trust), received, broken)

    return subject


def _purpose(subject: str) -> EmailPurpose:
    return EmailPurpose.VERIFY if subject.startswith("Confirm") else EmailPurpose.RECOVER


@pytest.fixture(
    params=[_fake, _smtp_subject(implicit_tls=False), _smtp_subject(implicit_tls=True)],
    ids=["fake", "smtp-starttls", "smtps"],
)
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    async with request.param() as built:
        yield built


async def test_a_sent_mail_arrives_with_its_recipient_purpose_and_link(subject: Subject) -> None:
    sent = [
        Mail("jane@example.com", EmailPurpose.VERIFY, "https://app.example/#verify=t1"),
        Mail("jürgen@exämple.com", EmailPurpose.RECOVER, LINK),
    ]
    for mail in sent:
        await subject.mailer.send(mail)

    assert await asyncio.to_thread(subject.received, 2) == sent


async def test_a_mail_the_server_does_not_take_is_unavailable(subject: Subject) -> None:
    async with subject.broken() as broken:
        with pytest.raises(MailUnavailable):
            await broken.send(Mail("jane@example.com", EmailPurpose.VERIFY, LINK))


async def test_no_server_is_unavailable_soon() -> None:
    nowhere = SmtpServer("127.0.0.1", free_port(), implicit_tls=False)
    mailer = SmtpMailer(nowhere, MailComposer(SENDER, 900), timeout_s=5.0)

    with pytest.raises(MailUnavailable):
        await mailer.send(Mail("jane@example.com", EmailPurpose.VERIFY, LINK))


async def test_a_server_whose_certificate_is_not_trusted_gets_nothing() -> None:
    with smtp_server() as running:
        target = SmtpServer(running.host, running.port, False, USERNAME, PASSWORD)
        # The system's trust store: the test server's own certificate is not in it.
        mailer = SmtpMailer(target, MailComposer(SENDER, 900), timeout_s=5.0)

        with pytest.raises(MailUnavailable):
            await mailer.send(Mail("jane@example.com", EmailPurpose.VERIFY, LINK))
        assert running.inbox.messages == []
        assert running.inbox.logins == []
