"""Value types shared by the ports and the use cases."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.refresh_chain import RefreshChain


class AuthMethod(enum.StrEnum):
    """How a session began, as RFC 8176 `amr` values."""

    PASSWORD = "pwd"
    HARDWARE_KEY = "hwk"
    USER_PRESENCE = "user"


PASSWORD_AMR: tuple[str, ...] = (AuthMethod.PASSWORD.value,)
# A passkey is a proof-of-possession key the user unlocked in person (RFC 8176 `hwk` + `user`).
PASSKEY_AMR: tuple[str, ...] = (AuthMethod.HARDWARE_KEY.value, AuthMethod.USER_PRESENCE.value)


@dataclass(frozen=True, slots=True)
class User:
    """A person who can log in; `email` is always stored normalised.

    `deletion_pending_until` is set while the account is being deleted (see
    `DeleteAccountEverywhere`): until then no login, refresh or connect token is granted for it.
    It is a lease, so a deletion that died half-way cannot lock the owner out for good.
    `email_verified_at` is when the owner of the address first proved it (a link mailed to it was
    used); None while unproven.
    """

    id: str
    email: str
    display_name: str
    password_hash: str | None
    created_at: int
    deletion_pending_until: int | None = None
    email_verified_at: int | None = None

    @property
    def email_verified(self) -> bool:
        """Whether the address was ever proven by whoever reads its mailbox."""
        return self.email_verified_at is not None

    def is_being_deleted(self, now: int) -> bool:
        """Whether a deletion of this account is under way at `now`."""
        return deletion_pending(self.deletion_pending_until, now)


def deletion_pending(pending_until: int | None, now: int) -> bool:
    """Whether a deletion mark that lasts until `pending_until` still stands at `now`."""
    return pending_until is not None and now < pending_until


@dataclass(frozen=True, slots=True)
class Session:
    """One login of one user, alive until revoked, idle too long or past its lifetime."""

    id: str
    user_id: str
    auth_time: int
    amr: tuple[str, ...]
    created_at: int
    last_used_at: int
    expires_at: int
    revoked_at: int | None = None
    user_agent: str | None = None
    credential_id: str | None = None
    corbado_user_id: str | None = None

    @property
    def method(self) -> str:
        """How the session began, in words: `password` or `passkey`."""
        return "password" if AuthMethod.PASSWORD.value in self.amr else "passkey"


@dataclass(frozen=True, slots=True)
class SessionOrigin:
    """Where a new session comes from: the client, and the passkey if one was used."""

    user_agent: str | None = None
    credential_id: str | None = None
    corbado_user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Revocation:
    """One ended session in the revocation feed; `cursor` orders the feed."""

    cursor: int
    session_id: str
    revoked_at: int


@dataclass(frozen=True, slots=True)
class AccessGrant:
    """The claims of one access token that the domain decides (issuer and audience aside)."""

    subject: str
    session_id: str
    token_id: str
    issued_at: int
    expires_at: int
    auth_time: int
    amr: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of a request."""

    user_id: str
    session_id: str
    auth_time: int
    amr: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a successful login or refresh hands to the client.

    `expires_in` counts the seconds the access token lives; `session_expires_in` those until the
    session's absolute end, after which the refresh token is of no use.
    """

    access_token: str
    refresh_token: str
    expires_in: int
    session_expires_in: int


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """A session found by one of its refresh tokens: the session, its refresh chain, and its
    account's deletion mark (`account_deletion_pending_until`), if any."""

    session: Session
    chain: RefreshChain
    account_deletion_pending_until: int | None = None


class ConnectTokenType(enum.StrEnum):
    """What a Corbado connect token lets the frontend do."""

    PASSKEY_APPEND = "passkey-append"
    PASSKEY_LIST = "passkey-list"
    PASSKEY_DELETE = "passkey-delete"
    PASSKEY_LOGIN = "passkey-login"


# Corbado's ids (`ctk-...`, `usr-...`) are short; anything longer is not one of them.
MAX_CORBADO_ID_LENGTH = 128


@dataclass(frozen=True, slots=True)
class IssuedConnectToken:
    """A connect token Corbado issued: `secret` goes to the frontend, `id` lets us delete it."""

    id: str
    secret: str
    expires_at: int


class VerificationResult(enum.StrEnum):
    """Corbado's verdict on a `signedPasskeyData` (`verificationResult` in the spec)."""

    SUCCESS = "success"
    INVALID_SIGNATURE = "invalid_signature"
    INVALID_CHALLENGE = "invalid_challenge"
    USER_MISMATCH = "user_mismatch"
    GENERIC_ERROR = "generic_error"


class IdentifierKind(enum.StrEnum):
    """Which of our user's values is the Corbado `identifier` (and so the `webauthnId`)."""

    EMAIL = "email"
    USER_ID = "user_id"


# A `signedPasskeyData` is a small JWT; one longer than this is refused before it is read.
MAX_SIGNED_PASSKEY_DATA_LENGTH = 8192


@dataclass(frozen=True, slots=True)
class CorbadoPasskey:
    """A passkey Corbado keeps for one of its users (CredentialList), and when it was added."""

    credential_id: str
    corbado_user_id: str
    created_at: int


@dataclass(frozen=True, slots=True)
class PasskeyAssertion:
    """What an unverified `signedPasskeyData` claims; trusted only after Corbado says `success`."""

    webauthn_id: str
    issuer: str
    expires_at: int
    credential_id: str | None
    corbado_user_id: str | None
