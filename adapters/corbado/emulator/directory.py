"""The emulator's users: one per identifier it issued a passkey-append token (or a login) for.

Corbado keeps a user (`usr-…`) per identifier that got a passkey appended, with that identifier as
its login identifier (`ide-…`) and the passkey under it (corbado-backend-api.md §12, second part).
The emulator keeps exactly that: each user has one login identifier and one passkey credential
(`cre-…`). Ids are random, never derived from the identifier, so a user deleted and created
again under the same identifier gets new ids, as a real re-registration would.
"""

import enum
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.corbado.emulator.ids import random_id


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


@dataclass(frozen=True, slots=True)
class Identifier:
    """A login identifier, as the spec's `identifier` schema describes it."""

    identifier_id: str
    type: IdentifierType
    value: str
    status: IdentifierStatus
    user_id: str


@dataclass(frozen=True, slots=True)
class User:
    """A Corbado user with its one login identifier and its one passkey."""

    user_id: str
    credential_id: str
    identifier: Identifier


class Directory:
    """The users, found by id or by identifier value (matched exactly as stored)."""

    def __init__(self) -> None:
        self._by_id: dict[str, User] = {}
        self._by_value: dict[str, User] = {}

    def ensure(self, value: str) -> User:
        """The user holding the identifier `value`, created (with fresh random ids) if none does."""
        user = self._by_value.get(value)
        if user is None:
            user_id = random_id("usr")
            identifier = Identifier(
                identifier_id=random_id("ide"),
                type=IdentifierType.of(value),
                value=value,
                # The only identifier a user has is the one it logs in with.
                status=IdentifierStatus.PRIMARY,
                user_id=user_id,
            )
            user = User(user_id, random_id("cre"), identifier)
            self._by_id[user_id] = user
            self._by_value[value] = user
        return user

    def holder(self, value: str) -> User | None:
        """The user holding the identifier `value`, if any."""
        return self._by_value.get(value)

    def delete(self, user_id: str) -> bool:
        """Remove the user with its identifier and passkey; False if there is no such user."""
        user = self._by_id.pop(user_id, None)
        if user is None:
            return False
        del self._by_value[user.identifier.value]
        return True

    def identifiers(self) -> Iterator[Identifier]:
        """Every login identifier, oldest user first."""
        return (user.identifier for user in self._by_id.values())
