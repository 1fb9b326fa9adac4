"""A local stand-in for the Corbado Backend API v2 (corbado-backend-api.md §12), for dev and tests.

`POST /v2/connectTokens` and `POST /v2/passkey/verifySignedData` behave as the official spec
says (Basic auth, `errorRsp` envelope, single-use `signedPasskeyData`); the open
`POST /v2/_emulator/passkeyLogin` `{"identifier"}` mints the `signedPasskeyData` a browser would
get from Corbado's Frontend API. `passkeys.py` documents the order of the verification checks.
"""

from adapters.corbado.emulator.app import create_emulator_app

__all__ = ["create_emulator_app"]
