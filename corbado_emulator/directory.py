"""The emulator's users, their login identifiers and their passkeys, optionally kept in a file.

Corbado keeps a user (`usr-…`) with login identifiers (`ide-…`) and passkeys (`cre-…`), as its
Backend API spec describes them. The emulator keeps the same three (`records.py`), created three
ways:
- a passkey-append connect token (or `POST /v2/_emulator/passkeyLogin`) for an identifier value
  nobody holds creates a user holding it as its `primary` identifier;
- UserCreate and IdentifierCreate create them as the Backend API says;
- a registration ceremony adds a passkey to the user holding the token's identifier, recorded
  under that identifier (it becomes the `webauthnId` of logins with it).

An identifier value belongs to at most one user, whatever its type (Corbado's own rule for
duplicates is unpublished). Ids are random, never derived from values, so a user deleted and
created again gets new ids, as a real re-registration would.

`passkeyLogin` needs no real passkey: it logs in with a *stand-in* credential the emulator gives
the identifier once (no public key, so no ceremony can use it). It is listed like any passkey.

With a `path`, every change is written to that JSON file at once and the file is read back at
start (`state_file.py`).
"""

from collections.abc import Iterator
from pathlib import Path

import msgspec

from corbado_emulator.ids import random_id
from corbado_emulator.records import (
    Credential,
    Identifier,
    IdentifierStatus,
    IdentifierType,
    User,
    UserStatus,
)
from corbado_emulator.state_file import State, read_state, write_state


class IdentifierTaken(Exception):
    """Another identifier already has this value."""


class Directory:
    """The users, identifiers and passkeys, found by id, by identifier value or by raw id."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._users: dict[str, User] = {}
        self._identifiers: dict[str, Identifier] = {}  # by id, the oldest first
        self._by_value: dict[str, Identifier] = {}
        self._credentials: dict[str, Credential] = {}  # by id, the oldest first
        self._by_raw_id: dict[bytes, Credential] = {}
        state = None if path is None else read_state(path)
        if state is not None:
            self._load(state)

    # Users ----------------------------------------------------------------------------------

    def create_user(
        self,
        now: int,
        status: UserStatus = UserStatus.ACTIVE,
        full_name: str | None = None,
        explicit_webauthn_id: str | None = None,
    ) -> User:
        """A new user without identifiers or passkeys."""
        user = User(random_id("usr"), status, now, full_name, explicit_webauthn_id)
        self._users[user.user_id] = user
        self._save()
        return user

    def user(self, user_id: str) -> User | None:
        """The user with this id, if any."""
        return self._users.get(user_id)

    def delete_user(self, user_id: str) -> bool:
        """Remove the user with its identifiers and passkeys; False if there is no such user."""
        if self._users.pop(user_id, None) is None:
            return False
        for identifier in [i for i in self._identifiers.values() if i.user_id == user_id]:
            self._drop_identifier(identifier)
        for credential in self.credentials_of(user_id):
            self._drop_credential(credential)
        self._save()
        return True

    # Identifiers ----------------------------------------------------------------------------

    def ensure(self, value: str, now: int) -> Identifier:
        """The identifier `value`, with a new user holding it as `primary` if nobody does."""
        identifier = self._by_value.get(value)
        if identifier is None:
            user = self.create_user(now)
            # The only identifier such a user has is the one it logs in with.
            identifier = self.add_identifier(
                user.user_id, IdentifierType.of(value), value, IdentifierStatus.PRIMARY
            )
        return identifier

    def add_identifier(
        self, user_id: str, kind: IdentifierType, value: str, status: IdentifierStatus
    ) -> Identifier:
        """A new identifier of the existing user `user_id`; `IdentifierTaken` if `value` is."""
        if value in self._by_value:
            raise IdentifierTaken(value)
        identifier = Identifier(random_id("ide"), kind, value, status, user_id)
        self._identifiers[identifier.identifier_id] = identifier
        self._by_value[value] = identifier
        self._save()
        return identifier

    def identifier(self, user_id: str, identifier_id: str) -> Identifier | None:
        """The identifier with this id, if `user_id` holds it."""
        identifier = self._identifiers.get(identifier_id)
        return identifier if identifier is not None and identifier.user_id == user_id else None

    def set_identifier_status(self, identifier: Identifier, status: IdentifierStatus) -> Identifier:
        """`identifier` with its status changed."""
        changed = msgspec.structs.replace(identifier, status=status)
        self._identifiers[changed.identifier_id] = changed
        self._by_value[changed.value] = changed
        self._save()
        return changed

    def delete_identifier(self, identifier: Identifier) -> None:
        """Remove `identifier`; its user and passkeys stay (logins under it then fail)."""
        self._drop_identifier(identifier)
        self._save()

    def holder(self, value: str) -> Identifier | None:
        """The identifier with this exact value, if any."""
        return self._by_value.get(value)

    def identifiers(self) -> Iterator[Identifier]:
        """Every login identifier, the oldest first."""
        return iter(list(self._identifiers.values()))

    # Passkeys -------------------------------------------------------------------------------

    def credentials_of(self, user_id: str) -> list[Credential]:
        """The user's passkeys, the oldest first."""
        return [c for c in self._credentials.values() if c.user_id == user_id]

    def credential(self, credential_id: str) -> Credential | None:
        """The passkey with this `cre-…` id, if any."""
        return self._credentials.get(credential_id)

    def credential_by_raw_id(self, raw_id: bytes) -> Credential | None:
        """The passkey with this authenticator credential id, if any."""
        return self._by_raw_id.get(raw_id)

    def stand_in(self, identifier: Identifier, now: int) -> Credential:
        """`passkeyLogin`'s credential for `identifier`, created once (no key, no ceremony)."""
        for credential in self.credentials_of(identifier.user_id):
            if credential.is_stand_in and credential.identifier_value == identifier.value:
                return credential
        return self.keep_credential(
            Credential(random_id("cre"), identifier.user_id, identifier.value, now, now)
        )

    def keep_credential(self, credential: Credential) -> Credential:
        """Keep a new passkey, or a kept one's new sign count and last use."""
        self._credentials[credential.credential_id] = credential
        if credential.raw_id is not None:
            self._by_raw_id[credential.raw_id] = credential
        self._save()
        return credential

    def delete_credential(self, credential: Credential) -> None:
        """Remove a passkey: no login can use it any more."""
        self._drop_credential(credential)
        self._save()

    # Internals ------------------------------------------------------------------------------

    def _drop_identifier(self, identifier: Identifier) -> None:
        del self._identifiers[identifier.identifier_id]
        del self._by_value[identifier.value]

    def _drop_credential(self, credential: Credential) -> None:
        del self._credentials[credential.credential_id]
        if credential.raw_id is not None:
            del self._by_raw_id[credential.raw_id]

    def _load(self, state: State) -> None:
        self._users = {u.user_id: u for u in state.users}
        for identifier in state.identifiers:
            self._identifiers[identifier.identifier_id] = identifier
            self._by_value[identifier.value] = identifier
        for credential in state.credentials:
            self._credentials[credential.credential_id] = credential
            if credential.raw_id is not None:
                self._by_raw_id[credential.raw_id] = credential

    def _save(self) -> None:
        if self._path is not None:
            write_state(
                self._path,
                list(self._users.values()),
                list(self._identifiers.values()),
                list(self._credentials.values()),
            )
