"""The text of each mail: what it is for, the link, and what to do if nobody asked for it."""

import hashlib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from domain.email_links import EmailPurpose, Mail

SUBJECTS = {
    EmailPurpose.VERIFY: "Confirm your email address",
    EmailPurpose.RECOVER: "Set a new password",
}
_BODIES = {
    EmailPurpose.VERIFY: (
        "Someone, we hope you, asked to confirm that {to} belongs to their account.\n\n"
        "Confirm it here:\n{link}\n\n"
        "The link works once, within {minutes} minutes.\n"
        "If you did not ask for this, do not open the link. If you never created this account, "
        'someone else did with your address: use "Forgot password" to take it over; that '
        "removes everything they added.\n"
    ),
    EmailPurpose.RECOVER: (
        "Someone, we hope you, asked to set a new password for the account of {to}.\n\n"
        "Set a new password here:\n{link}\n\n"
        "The link works once, within {minutes} minutes. Setting the password ends every "
        "session of the account, and removes the passkeys added before this address was "
        "confirmed.\n"
        "If you did not ask for this, ignore this mail: nothing changes.\n"
    ),
}


class MailComposer:
    """Writes the message of a `Mail`, from `sender` (MAIL_FROM)."""

    def __init__(self, sender: str, token_ttl_s: int) -> None:
        self._sender = sender
        self._minutes = max(1, token_ttl_s // 60)
        _, address = parseaddr(sender)
        self._domain = address.rpartition("@")[2] or "localhost"

    def message(self, mail: Mail) -> EmailMessage:
        """The message: the same `Message-ID` for the same mail, so a retried delivery is one
        message to the recipient's mail system."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = mail.to
        message["Subject"] = SUBJECTS[mail.purpose]
        message["Date"] = formatdate(usegmt=True)
        # From the link, one-way: the token itself never appears outside the body.
        digest = hashlib.sha256(mail.link.encode("utf-8")).hexdigest()[:32]
        message["Message-ID"] = f"<{digest}@{self._domain}>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(
            _BODIES[mail.purpose].format(to=mail.to, link=mail.link, minutes=self._minutes)
        )
        return message
