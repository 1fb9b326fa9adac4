"""The `CorbadoConnect` operations a login needs: a connect token, and the verdict on a login."""

import logging
from typing import Annotated

import msgspec

from adapters.corbado.answers import CorbadoId, Failure, decode, raise_for_status
from adapters.corbado.httpx_calls import CorbadoCalls
from domain.model import ConnectTokenType, IssuedConnectToken, VerificationResult

CONNECT_TOKENS = "/connectTokens"
_VERIFY_SIGNED_DATA = "/passkey/verifySignedData"


class _ConnectTokenRsp(msgspec.Struct):
    id: CorbadoId
    secret: Annotated[str, msgspec.Meta(min_length=1)]
    expires: int


class _VerifyRsp(msgspec.Struct):
    verification_result: VerificationResult = msgspec.field(name="verificationResult")


class HttpxConnectOperations(CorbadoCalls):
    """`CorbadoConnect` on a shared `httpx.AsyncClient` built by `build_corbado_client`."""

    async def create_connect_token(
        self, token_type: ConnectTokenType, identifier: str, display_name: str
    ) -> IssuedConnectToken:
        """A new connect token (`POST /connectTokens`): its secret, id and expiry."""
        body = {
            "type": token_type.value,
            "data": {"identifier": identifier, "displayName": display_name},
        }
        response = await self._post(CONNECT_TOKENS, body)
        raise_for_status(response, CONNECT_TOKENS)
        token = decode(response, CONNECT_TOKENS, _ConnectTokenRsp)
        return IssuedConnectToken(id=token.id, secret=token.secret, expires_at=token.expires)

    async def verify_signed_passkey_data(
        self, signed_passkey_data: str, username: str
    ) -> VerificationResult:
        """Corbado's `verificationResult` (`POST /passkey/verifySignedData`), asked once."""
        body = {"signedPasskeyData": signed_passkey_data, "username": username}
        response = await self._post(_VERIFY_SIGNED_DATA, body)
        if response.status_code == 400:
            failure = Failure(response)
            # We sent two strings, so Corbado refuses the data itself: a failed login, no outage.
            if failure.error_type == "validation_error":
                failure.log(
                    logging.WARNING, "Corbado refused the passkey data", _VERIFY_SIGNED_DATA
                )
                return VerificationResult.GENERIC_ERROR
        raise_for_status(response, _VERIFY_SIGNED_DATA)
        return decode(response, _VERIFY_SIGNED_DATA, _VerifyRsp).verification_result
