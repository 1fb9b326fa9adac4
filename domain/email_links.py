"""The rules of mailed links: one proves an account's address, one recovers the account.

A link carries a random token of 256 bits; only its SHA-256 is kept. A token is of one purpose,
works once, and only for `EMAIL_TOKEN_TTL_S`. Sending happens after the request is answered
(decision 0021), so a slow mail server never holds a request up, and a request for an address
nobody holds costs the same as one for a known address.
"""

import enum
import hashlib
import secrets
from dataclasses import dataclass

from domain.model import CorbadoPasskey

TOKEN_BYTES = 32
# A request for a link while one of the same purpose was mailed this recently mails nothing:
# a client's retries (a lost answer, a second click) end in one mail, not one each.
RESEND_INTERVAL_S = 60
TOKEN_PLACEHOLDER = "{token}"
PURPOSE_PLACEHOLDER = "{purpose}"


class EmailPurpose(enum.StrEnum):
    """What a mailed link does; the value is what `{purpose}` becomes in the link."""

    VERIFY = "verify"
    RECOVER = "recover"


@dataclass(frozen=True, slots=True)
class Mail:
    """One message to send: to whom, why, and the link it carries (a secret until used)."""

    to: str
    purpose: EmailPurpose
    link: str

    def __repr__(self) -> str:
        # The link is a credential: keep it out of tracebacks and debug output.
        return f"Mail(to={self.to!r}, purpose={self.purpose.value!r}, link=<redacted>)"


@dataclass(frozen=True, slots=True)
class EmailLinks:
    """Where mailed links point: `template` (EMAIL_LINK_URL, a page of the app's frontend) with
    `{token}` replaced, and `{purpose}` too where it appears."""

    template: str

    def link(self, purpose: EmailPurpose, token: str) -> str:
        """The link that hands `token` of `purpose` to the frontend."""
        return self.template.replace(PURPOSE_PLACEHOLDER, purpose.value).replace(
            TOKEN_PLACEHOLDER, token
        )


def new_email_token() -> str:
    """A fresh token for a mailed link."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def email_token_hash(token: str) -> str:
    """The stored form of a token: SHA-256 suffices for a random value of 256 bits."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def added_while_unproven(passkey: CorbadoPasskey, verified_at: int | None) -> bool:
    """Whether `passkey` was added before its account's address was proven at `verified_at`.

    Added in the very second of the proof counts as before: our clock counts seconds, and
    keeping a passkey that may predate the proof is the dangerous mistake.
    """
    return verified_at is None or passkey.created_at <= verified_at
