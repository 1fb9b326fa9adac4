"""What the emulator keeps, as the spec's schemas describe it: users, login identifiers and
passkeys (the Backend API's `user`, `identifier` and `credential`)."""

import enum

import msgspec


class IdentifierType(enum.StrEnum):
    """The spec's `identifierType`."""

    EMAIL = "email"
    PHONE = "phone"
    USERNAME = "username"

    @classmethod
    def of(cls, value: str) -> "IdentifierType":
        """What an identifier value looks like: an email if it has an `@`, else a username.

        Connect-backend registers emails or its own user ids; it never registers phone numbers.
        """
        return cls.EMAIL if "@" in value else cls.USERNAME


class IdentifierStatus(enum.StrEnum):
    """The spec's `identifierStatus`."""

    PENDING = "pending"
    PRIMARY = "primary"
    VERIFIED = "verified"


class UserStatus(enum.StrEnum):
    """The spec's `userStatus`. Stored and answered; the emulator enforces none of them."""

    PENDING = "pending"
    ACTIVE = "active"
    DISABLED = "disabled"


class User(msgspec.Struct, frozen=True):
    """A Corbado user, as the spec's `user` schema describes it."""

    user_id: str
    status: UserStatus
    updated: int
    full_name: str | None = None
    explicit_webauthn_id: str | None = None


class Identifier(msgspec.Struct, frozen=True):
    """A login identifier, as the spec's `identifier` schema describes it."""

    identifier_id: str
    type: IdentifierType
    value: str
    status: IdentifierStatus
    user_id: str


class Credential(msgspec.Struct, frozen=True):
    """A passkey of a user, registered under one of its identifier values.

    `raw_id` and `public_key` (COSE) are the authenticator's; both are None for the stand-in
    credential of `passkeyLogin`. `sign_count` is the last counter the authenticator reported.
    """

    credential_id: str
    user_id: str
    identifier_value: str
    created: int
    last_used: int
    raw_id: bytes | None = None
    public_key: bytes | None = None
    sign_count: int = 0
    aaguid: str = "00000000-0000-0000-0000-000000000000"
    attestation_type: str = "none"
    transports: tuple[str, ...] = ()
    backup_eligible: bool = False
    backup_state: bool = False

    @property
    def is_stand_in(self) -> bool:
        """Whether this is `passkeyLogin`'s credential, which no ceremony can use."""
        return self.public_key is None
