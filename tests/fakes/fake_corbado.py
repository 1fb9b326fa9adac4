"""An in-memory `CorbadoConnect` and `CorbadoAccounts` for use-case and HTTP tests."""

from jose import jwt

from domain.errors import CorbadoError
from domain.model import (
    ConnectTokenType,
    CorbadoPasskey,
    IssuedConnectToken,
    VerificationResult,
)

FAKE_PROJECT_ID = "pro-fake"
FAR_FUTURE = 4_102_444_800  # 2100-01-01


class FakeCorbadoConnect:
    """Answers like Corbado would, records every call, and can be scripted to fail.

    `mint(identifier)` stands in for a browser passkey login: a JWT (readable by
    `JosePasskeyDataReader`) that verifies once as `success` for that identifier. Unknown data
    gives `invalid_signature`, a replay `invalid_challenge`, another username `user_mismatch`.

    Like Corbado, it keeps a user per identifier that got a passkey-append token or a passkey
    login; deleting that user makes data minted for it before fail (`invalid_signature`: its
    passkey is gone). Deleted connect tokens are kept in `deleted_tokens`.

    `add_passkey` stands in for an append ceremony: a passkey of the identifier's user, created
    at a given time; data minted for it fails once it is deleted (`user_mismatch`).
    """

    def __init__(self) -> None:
        self.calls: list[tuple[str, ...]] = []
        self._issued = 0
        self._user_of: dict[str, str] = {}
        self._users_made = 0
        self.live_tokens: set[str] = set()
        self.deleted_tokens: list[str] = []
        self._minted: dict[str, str] = {}
        self._minted_for: dict[str, str] = {}
        self._used: set[str] = set()
        self._next_result: VerificationResult | None = None
        self._next_error: CorbadoError | None = None
        self._passkeys: dict[str, CorbadoPasskey] = {}
        self._gone_passkeys: set[str] = set()
        self._credential_of: dict[str, str] = {}

    def mint(
        self,
        identifier: str,
        *,
        issuer: str = FAKE_PROJECT_ID,
        expires_at: int = FAR_FUTURE,
        credential_id: str | None = None,
    ) -> str:
        """A fresh `signedPasskeyData` claiming `identifier` as its `webauthnId`, made with the
        passkey `credential_id` (one of `add_passkey`'s) or a stand-in one."""
        corbado_user_id = self._user_for(identifier)
        credential = credential_id or f"cre-fake-{identifier}"
        claims = {
            "iss": issuer,
            "sub": corbado_user_id,
            "exp": expires_at,
            "jti": f"jti-{len(self._minted)}",
            "credential": credential,
            "webauthnId": identifier,
        }
        token: str = jwt.encode(claims, "fake-corbado-key", algorithm="HS256")
        self._minted[token] = identifier
        self._minted_for[token] = corbado_user_id
        self._credential_of[token] = credential
        return token

    def add_passkey(self, identifier: str, created_at: int) -> CorbadoPasskey:
        """A passkey appended under `identifier` at `created_at`, as a ceremony would leave it."""
        passkey = CorbadoPasskey(
            f"cre-fake-{len(self._passkeys) + len(self._gone_passkeys) + 1}",
            self._user_for(identifier),
            created_at,
        )
        self._passkeys[passkey.credential_id] = passkey
        return passkey

    def answer_next_verification(self, result: VerificationResult) -> None:
        """Make the next `verify_signed_passkey_data` return `result`, whatever it is given."""
        self._next_result = result

    def fail_next_call(self, error: CorbadoError) -> None:
        """Make the next call (of either operation) raise `error`."""
        self._next_error = error

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> IssuedConnectToken:
        """`ctk1_fake_<n>` with id `ctk-<n>`, a new one on every call."""
        self.calls.append(("create_connect_token", token_type, identifier, display_name))
        self._raise_scripted_error()
        self._issued += 1
        if token_type is ConnectTokenType.PASSKEY_APPEND:
            self._user_for(identifier)
        token = IssuedConnectToken(f"ctk-{self._issued}", f"ctk1_fake_{self._issued}", FAR_FUTURE)
        self.live_tokens.add(token.id)
        return token

    async def delete_connect_token(self, token_id: str) -> None:
        self.calls.append(("delete_connect_token", token_id))
        self._raise_scripted_error()
        if token_id in self.live_tokens:
            self.live_tokens.discard(token_id)
            self.deleted_tokens.append(token_id)

    async def user_ids_for(self, identifier: str) -> list[str]:
        self.calls.append(("user_ids_for", identifier))
        self._raise_scripted_error()
        user_id = self._user_of.get(identifier)
        return [] if user_id is None else [user_id]

    async def delete_user(self, corbado_user_id: str) -> None:
        self.calls.append(("delete_user", corbado_user_id))
        self._raise_scripted_error()
        self._user_of = {i: u for i, u in self._user_of.items() if u != corbado_user_id}
        for passkey in [p for p in self._passkeys.values() if p.corbado_user_id == corbado_user_id]:
            self._forget_passkey(passkey.credential_id)

    async def passkeys_of(self, corbado_user_id: str) -> list[CorbadoPasskey]:
        self.calls.append(("passkeys_of", corbado_user_id))
        self._raise_scripted_error()
        return [p for p in self._passkeys.values() if p.corbado_user_id == corbado_user_id]

    async def delete_passkey(self, corbado_user_id: str, credential_id: str) -> None:
        self.calls.append(("delete_passkey", corbado_user_id, credential_id))
        self._raise_scripted_error()
        passkey = self._passkeys.get(credential_id)
        if passkey is not None and passkey.corbado_user_id == corbado_user_id:
            self._forget_passkey(credential_id)

    def _forget_passkey(self, credential_id: str) -> None:
        del self._passkeys[credential_id]
        self._gone_passkeys.add(credential_id)

    def _user_for(self, identifier: str) -> str:
        if identifier not in self._user_of:
            self._users_made += 1
            self._user_of[identifier] = f"usr-fake-{self._users_made}"
        return self._user_of[identifier]

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
        if identifier is None or self._minted_for.get(signed_passkey_data) != self._user_of.get(
            identifier
        ):
            return VerificationResult.INVALID_SIGNATURE
        if signed_passkey_data in self._used:
            return VerificationResult.INVALID_CHALLENGE
        self._used.add(signed_passkey_data)
        gone = self._credential_of[signed_passkey_data] in self._gone_passkeys
        if username != identifier or gone:
            return VerificationResult.USER_MISMATCH
        return VerificationResult.SUCCESS

    def _raise_scripted_error(self) -> None:
        if self._next_error is not None:
            error, self._next_error = self._next_error, None
            raise error
