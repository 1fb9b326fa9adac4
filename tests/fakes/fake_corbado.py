"""An in-memory `CorbadoConnect` for use-case and HTTP tests."""

from jose import jwt

from domain.errors import CorbadoError
from domain.model import ConnectTokenType, VerificationResult

FAKE_PROJECT_ID = "pro-fake"
FAR_FUTURE = 4_102_444_800  # 2100-01-01


class FakeCorbadoConnect:
    """Answers like Corbado would, records every call, and can be scripted to fail.

    `mint(identifier)` stands in for a browser passkey login: a JWT (readable by
    `JosePasskeyDataReader`) that verifies once as `success` for that identifier. Unknown data
    gives `invalid_signature`, a replay `invalid_challenge`, another username `user_mismatch`.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self._issued = 0
        self._minted: dict[str, str] = {}
        self._used: set[str] = set()
        self._next_result: VerificationResult | None = None
        self._next_error: CorbadoError | None = None

    def mint(
        self,
        identifier: str,
        *,
        issuer: str = FAKE_PROJECT_ID,
        expires_at: int = FAR_FUTURE,
    ) -> str:
        """A fresh `signedPasskeyData` claiming `identifier` as its `webauthnId`."""
        claims = {
            "iss": issuer,
            "sub": f"usr-fake-{identifier}",
            "exp": expires_at,
            "jti": f"jti-{len(self._minted)}",
            "credential": f"cre-fake-{identifier}",
            "webauthnId": identifier,
        }
        token: str = jwt.encode(claims, "fake-corbado-key", algorithm="HS256")
        self._minted[token] = identifier
        return token

    def answer_next_verification(self, result: VerificationResult) -> None:
        """Make the next `verify_signed_passkey_data` return `result`, whatever it is given."""
        self._next_result = result

    def fail_next_call(self, error: CorbadoError) -> None:
        """Make the next call (of either operation) raise `error`."""
        self._next_error = error

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> str:
        """`ctk1_fake_<n>`, a new one on every call."""
        self.calls.append(("create_connect_token", token_type, identifier, display_name))
        self._raise_scripted_error()
        self._issued += 1
        return f"ctk1_fake_{self._issued}"

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        """The scripted result if any, else the verdict on data from `mint`."""
        self.calls.append(("verify_signed_passkey_data", signed_passkey_data, username))
        self._raise_scripted_error()
        if self._next_result is not None:
            result, self._next_result = self._next_result, None
            return result
        identifier = self._minted.get(signed_passkey_data)
        if identifier is None:
            return VerificationResult.INVALID_SIGNATURE
        if signed_passkey_data in self._used:
            return VerificationResult.INVALID_CHALLENGE
        self._used.add(signed_passkey_data)
        if username != identifier:
            return VerificationResult.USER_MISMATCH
        return VerificationResult.SUCCESS

    def _raise_scripted_error(self) -> None:
        if self._next_error is not None:
            error, self._next_error = self._next_error, None
            raise error
