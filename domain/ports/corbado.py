from typing import Protocol

from domain.model import (
    ConnectTokenType,
    CorbadoPasskey,
    IssuedConnectToken,
    PasskeyAssertion,
    VerificationResult,
)


class CorbadoConnect(Protocol):
    """The two Corbado Connect Backend API operations a login needs.

    Failures raise `CorbadoRejected`, `CorbadoUnavailable` or `CorbadoTimeout`.
    """

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> IssuedConnectToken:
        """A fresh connect token (`ctk1_...` secret, `ctk-...` id) for one passkey operation."""
        ...

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        """Corbado's verdict on a passkey login, expected to belong to `username` (webauthnId).

        Called at most once per login: the data is single-use, so it is never retried.
        """
        ...


class CorbadoAccounts(Protocol):
    """What Corbado keeps for one of our accounts, and its removal (account deletion, and the
    passkeys an account recovery takes away).

    Each removal is idempotent: what Corbado no longer has (HTTP 404) counts as removed, so a
    deletion that lost an answer can simply run again. Failures raise `CorbadoRejected`,
    `CorbadoUnavailable` or `CorbadoTimeout`.
    """

    async def delete_connect_token(self, token_id: str) -> None:
        """Make the connect token `token_id` unusable (`ConnectTokenDelete`)."""
        ...

    async def user_ids_for(self, identifier: str) -> list[str]:
        """Corbado's user ids (`usr-...`) holding the login identifier `identifier`."""
        ...

    async def delete_user(self, corbado_user_id: str) -> None:
        """Delete a Corbado user with its identifiers and passkeys (`UserDelete`)."""
        ...

    async def passkeys_of(self, corbado_user_id: str) -> list[CorbadoPasskey]:
        """Every passkey of the Corbado user `corbado_user_id` (`CredentialList`, every page);
        none for a user Corbado no longer has."""
        ...

    async def delete_passkey(self, corbado_user_id: str, credential_id: str) -> None:
        """Delete one passkey of a Corbado user (`CredentialDelete`)."""
        ...


class PasskeyDataReader(Protocol):
    """Reads the claims of a `signedPasskeyData` without verifying it (Corbado verifies)."""

    def read(self, signed_passkey_data: str) -> PasskeyAssertion:
        """The claims; raise `PasskeyLoginFailed` for anything that is not a usable JWT."""
        ...
