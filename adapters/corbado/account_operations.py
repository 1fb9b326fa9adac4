"""The `CorbadoAccounts` operations account deletion and recovery need: find a user, list and
remove its passkeys, remove it and its connect tokens.

Each removal is idempotent: what Corbado no longer has counts as removed.
"""

import logging
from urllib.parse import quote

import httpx
import msgspec

from adapters.corbado.answers import CorbadoId, Failure, decode, raise_for_status
from adapters.corbado.connect_operations import CONNECT_TOKENS
from adapters.corbado.httpx_calls import CorbadoCalls
from domain.errors import CorbadoUnavailable
from domain.model import CorbadoPasskey

_IDENTIFIERS = "/identifiers"
_USERS = "/users"
# How CredentialList and CredentialDelete are named in logs (the path holds ids).
_CREDENTIALS = "/users/{userID}/credentials"
# IdentifierList's largest page we ask for, and how many pages we read at most: Corbado holds
# one identifier per value and project, so more than one page already means something is off.
_IDENTIFIER_PAGE_SIZE = 100
_MAX_IDENTIFIER_PAGES = 10
# CredentialList likewise: a thousand passkeys on one user is not a person's.
_CREDENTIAL_PAGE_SIZE = 100
_MAX_CREDENTIAL_PAGES = 10
_MS_PER_S = 1000

_log = logging.getLogger("connect_backend.corbado")


class _Identifier(msgspec.Struct):
    value: str
    user_id: CorbadoId = msgspec.field(name="userID")


class _Paging(msgspec.Struct):
    page: int
    total_pages: int = msgspec.field(name="totalPages")


class _IdentifierListRsp(msgspec.Struct):
    identifiers: list[_Identifier]
    paging: _Paging


class _Credential(msgspec.Struct):
    id: CorbadoId
    created_ms: int = msgspec.field(name="createdMs")


class _CredentialListRsp(msgspec.Struct):
    credentials: list[_Credential]
    paging: _Paging


class HttpxAccountOperations(CorbadoCalls):
    """`CorbadoAccounts` on a shared `httpx.AsyncClient` built by `build_corbado_client`."""

    async def delete_connect_token(self, token_id: str) -> None:
        """`DELETE /connectTokens/{id}`; a token Corbado no longer has counts as deleted."""
        await self._delete(f"{CONNECT_TOKENS}/{quote(token_id, safe='')}", CONNECT_TOKENS)

    async def user_ids_for(self, identifier: str) -> list[str]:
        """`GET /identifiers` filtered on `identifierValue`, every page; only exact matches."""
        user_ids: list[str] = []
        for page in range(1, _MAX_IDENTIFIER_PAGES + 1):
            # Corbado decodes a filter's value once more (its SDK's own tests rely on it), so an
            # address with "+" must be sent escaped, or it is not found and survives.
            params = {
                "filter[]": f"identifierValue:eq:{quote(identifier, safe='')}",
                "page": str(page),
                "pageSize": str(_IDENTIFIER_PAGE_SIZE),
            }
            response = await self._send("GET", _IDENTIFIERS, _IDENTIFIERS, params=params)
            raise_for_status(response, _IDENTIFIERS)
            listed = decode(response, _IDENTIFIERS, _IdentifierListRsp)
            # Never trust the filter alone: a user we delete must hold exactly this identifier.
            user_ids.extend(
                found.user_id
                for found in listed.identifiers
                if found.value == identifier and found.user_id not in user_ids
            )
            if page >= listed.paging.total_pages:
                return user_ids
        _log.error("Corbado listed more than %d pages of one identifier", _MAX_IDENTIFIER_PAGES)
        raise CorbadoUnavailable("Corbado listed too many identifiers")

    async def delete_user(self, corbado_user_id: str) -> None:
        """`DELETE /users/{id}`; a user Corbado no longer has counts as deleted.

        The live API answers an unknown user with 400 `validation_error` on `userID` ("does
        not exist", seen by Corbado's own SDK tests), where the spec suggests 404: both are done.
        """
        await self._delete(f"{_USERS}/{quote(corbado_user_id, safe='')}", _USERS)

    async def passkeys_of(self, corbado_user_id: str) -> list[CorbadoPasskey]:
        """`GET /users/{id}/credentials`, every page; none for a user Corbado no longer has."""
        path = f"{_USERS}/{quote(corbado_user_id, safe='')}/credentials"
        passkeys: list[CorbadoPasskey] = []
        for page in range(1, _MAX_CREDENTIAL_PAGES + 1):
            params = {"page": str(page), "pageSize": str(_CREDENTIAL_PAGE_SIZE)}
            response = await self._send("GET", path, _CREDENTIALS, params=params)
            if _no_longer_exists(response):
                return []
            raise_for_status(response, _CREDENTIALS)
            listed = decode(response, _CREDENTIALS, _CredentialListRsp)
            passkeys.extend(
                CorbadoPasskey(found.id, corbado_user_id, found.created_ms // _MS_PER_S)
                for found in listed.credentials
            )
            if page >= listed.paging.total_pages:
                return passkeys
        _log.error(
            "Corbado listed more than %d pages of one user's passkeys", _MAX_CREDENTIAL_PAGES
        )
        raise CorbadoUnavailable("Corbado listed too many passkeys")

    async def delete_passkey(self, corbado_user_id: str, credential_id: str) -> None:
        """`DELETE /users/{id}/credentials/{id}`; a passkey Corbado no longer has counts as
        deleted."""
        await self._delete(
            f"{_USERS}/{quote(corbado_user_id, safe='')}/credentials/"
            f"{quote(credential_id, safe='')}",
            _CREDENTIALS,
        )

    async def _delete(self, path: str, operation: str) -> None:
        response = await self._send("DELETE", path, operation)
        if _no_longer_exists(response):
            return  # already gone: a retry after a lost answer meets this
        raise_for_status(response, operation)


def _no_longer_exists(response: httpx.Response) -> bool:
    return response.status_code == 404 or (
        response.status_code == 400 and Failure(response).no_longer_exists
    )
