"""A local stand-in for the Corbado Backend API v2 (corbado-backend-api.md §12), for dev and tests.

Backend API operations, as the official spec describes them (Basic auth checked before routing,
`errorRsp` envelope): ConnectTokenCreate `POST /v2/connectTokens`, ConnectTokenDelete
`DELETE /v2/connectTokens/{id}`, PasskeyVerifySignedData `POST /v2/passkey/verifySignedData`
(single-use `signedPasskeyData`), IdentifierList `GET /v2/identifiers` and UserDelete
`DELETE /v2/users/{id}`. The open `POST /v2/_emulator/passkeyLogin` `{"identifier"}` mints the
`signedPasskeyData` a browser would get from Corbado's Frontend API.

Its users (`directory.py`) are the identifiers it issued passkey-append tokens or passkey logins
for. `passkeys.py` documents the order of the verification checks, `listing.py` the
IdentifierList parameters, `connect_tokens.py` how long tokens are kept.
"""

from adapters.corbado.emulator.app import create_emulator_app

__all__ = ["create_emulator_app"]
