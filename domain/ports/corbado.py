from typing import Protocol

from domain.model import ConnectTokenType, PasskeyAssertion, VerificationResult


class CorbadoConnect(Protocol):
    """The two Corbado Connect Backend API operations this service needs.

    Failures raise `CorbadoRejected`, `CorbadoUnavailable` or `CorbadoTimeout`.
    """

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> str:
        """A fresh connect token secret (`ctk1_...`) for one passkey operation of one user."""
        ...

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        """Corbado's verdict on a passkey login, expected to belong to `username` (webauthnId).

        Called at most once per login: the data is single-use, so it is never retried.
        """
        ...


class PasskeyDataReader(Protocol):
    """Reads the claims of a `signedPasskeyData` without verifying it (Corbado verifies)."""

    def read(self, signed_passkey_data: str) -> PasskeyAssertion:
        """The claims; raise `PasskeyLoginFailed` for anything that is not a usable JWT."""
        ...
