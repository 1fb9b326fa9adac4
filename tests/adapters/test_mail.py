"""The mail adapters' own rules: the message text, retries, dev's outbox, and to whom and
how the SMTP adapter sends."""

import asyncio
import io
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from adapters.mail.compose import MailComposer
from adapters.mail.outbox import DevOutbox
from adapters.mail.retrying import RETRY_DELAYS_S, RetryingMailer
from adapters.mail.smtp import SmtpMailer, SmtpServer
from domain.credentials import normalise_email
from domain.email_links import EmailPurpose, Mail
from domain.errors import InvalidEmail, MailUnavailable
from tests.fakes.fake_mailer import FakeMailer
from tests.support.servers import free_port
from tests.support.smtp import PASSWORD, USERNAME, smtp_server

MAIL = Mail("jane@example.com", EmailPurpose.RECOVER, "https://app.example/#recover=tok")


def test_a_message_carries_the_link_its_purpose_and_a_stable_message_id() -> None:
    composer = MailComposer("Example <noreply@example.com>", 900)

    first, again = composer.message(MAIL), composer.message(MAIL)

    assert (first["From"], first["To"], first["Subject"]) == (
        "Example <noreply@example.com>",
        "jane@example.com",
        "Set a new password",
    )
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@example.com>")
    assert "tok" not in first["Message-ID"]
    text = first.get_content()
    assert "https://app.example/#recover=tok\n" in text
    assert "within 15 minutes" in text
    verify = composer.message(Mail("jane@example.com", EmailPurpose.VERIFY, "https://x/#v=1"))
    assert verify["Subject"] == "Confirm your email address"
    assert verify["Message-ID"] != first["Message-ID"]


async def test_a_refused_mail_is_sent_again_after_each_pause_then_given_up() -> None:
    inner, pauses = FakeMailer(), []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    inner.fail_next(len(RETRY_DELAYS_S) + 1)
    with pytest.raises(MailUnavailable):
        await RetryingMailer(inner, sleep=sleep).send(MAIL)
    assert (inner.attempts, pauses) == (4, [5.0, 30.0, 120.0])


async def test_a_mail_taken_on_a_later_try_is_sent_once() -> None:
    inner, pauses = FakeMailer(), []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    inner.fail_next(2)
    await RetryingMailer(inner, sleep=sleep).send(MAIL)

    assert (inner.sent, pauses) == ([MAIL], [5.0, 30.0])


async def test_the_outbox_keeps_the_newest_mails_and_prints_each_link() -> None:
    console = io.StringIO()
    outbox = DevOutbox(console, kept=2, clock=lambda: 1234.5)
    mails = [
        Mail(f"user{n}@example.com", EmailPurpose.VERIFY, f"http://x/#v={n}") for n in (1, 2, 3)
    ]

    for mail in mails:
        await outbox.send(mail)

    assert [(e.mail, e.sent_at) for e in outbox.entries()] == [(mails[2], 1234), (mails[1], 1234)]
    assert console.getvalue().splitlines()[0] == (
        "connect-backend dev: mail to user1@example.com (verify): http://x/#v=1"
    )


SENDER = "connect-backend <noreply@example.com>"


@pytest.mark.parametrize(
    "address",
    [
        # Each is one account's key (normalise_email takes it), and a mail system reads another
        # mailbox into it: a display name and the attacker's address, several addresses, a
        # comment, a group.
        "victim%corp.example<attacker@evil.example>",
        "a,b,victim@corp.example",
        "victim(x)@corp.example",
        "x:victim@corp.example",
    ],
)
async def test_no_mail_goes_to_a_mailbox_other_than_the_address_itself(address: str) -> None:
    assert normalise_email(address) == address
    with smtp_server() as running:
        target = SmtpServer(running.host, running.port, False, USERNAME, PASSWORD)
        mailer = SmtpMailer(target, MailComposer(SENDER, 900), 5.0, tls_context=running.trust)

        with pytest.raises(InvalidEmail):
            await mailer.send(Mail(address, EmailPurpose.VERIFY, "https://app.example/#v=t"))
        await mailer.send(MAIL)

        [arrived] = await asyncio.to_thread(running.inbox.wait_for, 1)
        assert arrived["To"] == MAIL.to
        assert running.inbox.recipients == [[MAIL.to]]


async def test_a_server_that_offers_no_starttls_gets_no_login_and_no_mail() -> None:
    commands: list[str] = []

    class Plain:
        async def handle_MAIL(self, server: Any, session: Any, envelope: Any, *args: Any) -> str:  # noqa: N802 - aiosmtpd's name
            commands.append("MAIL")
            return "250 OK"

    port = free_port()
    controller = Controller(Plain(), hostname="127.0.0.1", port=port, auth_require_tls=False)
    controller.start()
    try:
        target = SmtpServer("127.0.0.1", port, False, USERNAME, PASSWORD)
        mailer = SmtpMailer(target, MailComposer(SENDER, 900), 5.0)

        with pytest.raises(MailUnavailable):
            await mailer.send(MAIL)
    finally:
        controller.stop()
    assert commands == []
