"""The Backend API operations the emulator implements, as route handlers under `/v2`.

Connect tokens: ConnectTokenCreate, ConnectTokenDelete. Passkeys: PasskeyVerifySignedData.
Users: UserCreate, UserGet, UserDelete, CredentialList, CredentialDelete. Identifiers:
IdentifierList, IdentifierCreate, IdentifierUpdate, IdentifierDelete. A user, identifier or
passkey that is not there (or not the named user's) is 404 `not_found`.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from litestar import Request, delete, get, patch, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from corbado_emulator.bodies import (
    MISSING,
    choice,
    json_object,
    optional_text,
    raise_problems,
    text,
)
from corbado_emulator.connect_tokens import ConnectTokens
from corbado_emulator.directory import Directory, IdentifierTaken
from corbado_emulator.envelope import ApiError, generic_rsp
from corbado_emulator.listing import page_of, parse_identifier_query, parse_page_query
from corbado_emulator.passkeys import PasskeyAuthority
from corbado_emulator.records import (
    IdentifierStatus,
    IdentifierType,
    User,
    UserStatus,
)
from corbado_emulator.schemas import credential_json, identifier_json, user_json
from domain.model import ConnectTokenType

DEFAULT_TOKEN_LIFETIME_S = 3600
_TOKEN_TYPES = frozenset(t.value for t in ConnectTokenType)


@dataclass(frozen=True, slots=True)
class BackendState:
    """What the Backend API operations read and change."""

    directory: Directory
    connect_tokens: ConnectTokens
    authority: PasskeyAuthority
    clock: Callable[[], int]


def backend_handlers(state: BackendState) -> list[HTTPRouteHandler]:
    """The route handlers, relative to `/v2`."""
    users = state.directory

    def existing_user(user_id: str) -> User:
        user = users.user(user_id)
        if user is None:
            raise _user_not_found()
        return user

    @post("/connectTokens", status_code=200)
    async def create_connect_token(request: Request[Any, Any, Any]) -> dict[str, object]:
        token_type, data, lifetime_s = _connect_token_request(await json_object(request))
        if token_type is ConnectTokenType.PASSKEY_APPEND:
            users.ensure(data["identifier"], state.clock())
        return state.connect_tokens.issue(token_type, data, lifetime_s).to_json()

    @delete("/connectTokens/{connect_token_id:str}", status_code=200)
    async def delete_connect_token(
        request: Request[Any, Any, Any], connect_token_id: FromPath[str]
    ) -> dict[str, object]:
        if not state.connect_tokens.delete(connect_token_id):
            raise ApiError(404, "not_found", "ConnectToken not found")
        return generic_rsp(request)

    @post("/passkey/verifySignedData", status_code=200)
    async def verify_signed_data(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        signed_passkey_data = text(body, "signedPasskeyData", problems, blank_ok=True)
        username = text(body, "username", problems, blank_ok=True)
        raise_problems(problems)
        verdict = state.authority.verify(signed_passkey_data, username)
        return {"verificationResult": verdict.value}

    @get("/identifiers")
    async def list_identifiers(request: Request[Any, Any, Any]) -> dict[str, object]:
        query = parse_identifier_query(request.query_params.multi_items())
        return query.answer(users.identifiers())

    @post("/users", status_code=200)
    async def create_user(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        status = choice(body, "status", UserStatus, problems)
        full_name = optional_text(body, "fullName", problems)
        explicit_webauthn_id = optional_text(body, "explicitWebauthnID", problems)
        raise_problems(problems)
        assert status is not None
        return user_json(users.create_user(state.clock(), status, full_name, explicit_webauthn_id))

    @get("/users/{user_id:str}")
    async def get_user(user_id: FromPath[str]) -> dict[str, object]:
        return user_json(existing_user(user_id))

    @delete("/users/{user_id:str}", status_code=200)
    async def delete_user(
        request: Request[Any, Any, Any], user_id: FromPath[str]
    ) -> dict[str, object]:
        if not users.delete_user(user_id):
            raise _user_not_found()
        return generic_rsp(request)

    @post("/users/{user_id:str}/identifiers", status_code=200)
    async def create_identifier(
        request: Request[Any, Any, Any], user_id: FromPath[str]
    ) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        kind = choice(body, "identifierType", IdentifierType, problems)
        value = text(body, "identifierValue", problems)
        status = choice(body, "status", IdentifierStatus, problems)
        raise_problems(problems)
        assert kind is not None
        assert status is not None
        existing_user(user_id)
        try:
            identifier = users.add_identifier(user_id, kind, value, status)
        except IdentifierTaken as exc:
            raise ApiError(
                400,
                "validation_error",
                "Request data is invalid",
                [("identifierValue", "is already an identifier")],
            ) from exc
        return identifier_json(identifier)

    @patch("/users/{user_id:str}/identifiers/{identifier_id:str}", status_code=200)
    async def update_identifier(
        request: Request[Any, Any, Any], user_id: FromPath[str], identifier_id: FromPath[str]
    ) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        status = choice(body, "status", IdentifierStatus, problems)
        raise_problems(problems)
        assert status is not None
        identifier = users.identifier(user_id, identifier_id)
        if identifier is None:
            raise ApiError(404, "not_found", "Identifier not found")
        return identifier_json(users.set_identifier_status(identifier, status))

    @delete("/users/{user_id:str}/identifiers/{identifier_id:str}", status_code=200)
    async def delete_identifier(
        request: Request[Any, Any, Any], user_id: FromPath[str], identifier_id: FromPath[str]
    ) -> dict[str, object]:
        identifier = users.identifier(user_id, identifier_id)
        if identifier is None:
            raise ApiError(404, "not_found", "Identifier not found")
        users.delete_identifier(identifier)
        return generic_rsp(request)

    @get("/users/{user_id:str}/credentials")
    async def list_credentials(
        request: Request[Any, Any, Any], user_id: FromPath[str]
    ) -> dict[str, object]:
        page, page_size = parse_page_query(request.query_params.multi_items())
        existing_user(user_id)
        shown, paging = page_of(users.credentials_of(user_id), page, page_size)
        return {"credentials": [credential_json(c) for c in shown], "paging": paging}

    @delete("/users/{user_id:str}/credentials/{credential_id:str}", status_code=200)
    async def delete_credential(
        request: Request[Any, Any, Any], user_id: FromPath[str], credential_id: FromPath[str]
    ) -> dict[str, object]:
        credential = users.credential(credential_id)
        if credential is None or credential.user_id != user_id:
            raise ApiError(404, "not_found", "Credential not found")
        users.delete_credential(credential)
        return generic_rsp(request)

    return [
        create_connect_token,
        delete_connect_token,
        verify_signed_data,
        list_identifiers,
        create_user,
        get_user,
        delete_user,
        create_identifier,
        update_identifier,
        delete_identifier,
        list_credentials,
        delete_credential,
    ]


def _user_not_found() -> ApiError:
    # corbado-python's integration tests see the live API answer an unknown user with 400
    # validation_error ("userID: does not exist"); the emulator answers 404 not_found, as for
    # any unknown resource. A client should accept either.
    return ApiError(404, "not_found", "User not found")


def _connect_token_request(
    body: Mapping[str, Any],
) -> tuple[ConnectTokenType, dict[str, str], int]:
    problems: list[tuple[str, str]] = []
    token_type = text(body, "type", problems)
    if token_type and token_type not in _TOKEN_TYPES:
        problems.append(("type", f"must be one of {', '.join(sorted(_TOKEN_TYPES))}"))
    data = body.get("data", MISSING)
    echoed: dict[str, str] = {}
    if isinstance(data, dict):
        echoed["identifier"] = text(data, "identifier", problems, field="data.identifier")
        is_append = token_type == ConnectTokenType.PASSKEY_APPEND
        # Corbado's own examples send displayName with every type; only append requires it.
        if is_append or "displayName" in data:
            echoed["displayName"] = text(
                data, "displayName", problems, field="data.displayName", blank_ok=not is_append
            )
    else:
        problems.append(("data", "is required" if data is MISSING else "must be an object"))
    lifetime_s = body.get("maxLifetimeInSeconds", DEFAULT_TOKEN_LIFETIME_S)
    if not isinstance(lifetime_s, int) or isinstance(lifetime_s, bool) or lifetime_s < 1:
        problems.append(("maxLifetimeInSeconds", "must be a positive integer"))
    raise_problems(problems)
    return ConnectTokenType(token_type), echoed, lifetime_s
