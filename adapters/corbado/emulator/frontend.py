"""The passkey ceremonies, at the paths and with the bodies of Corbado's Frontend API for
Corbado Connect (`/v2/connect/...`, as `@corbado/web-core`'s ConnectService calls them).

Under `FRONTEND_PREFIX` (so `<emulator>/frontendapi` is the Frontend API base URL); no project
credentials, as in a browser. Connect tokens are presented as Corbado's components present them:
- append: `append/start` `{"appendTokenValue"}` takes a passkey-append token's secret and
  answers `attestationOptions` (a JSON string of `{"publicKey": …}`, for
  `navigator.credentials.create`); `append/finish` `{"attestationResponse"}` takes the
  credential (JSON string) and keeps the passkey under the token's identifier;
- login: `login/start` `{"identifier", "loginConnectToken"?}` answers `assertionOptions` for
  that identifier's passkeys; `login/init` answers `conditionalUIChallenge`, options for any
  passkey (discoverable). `login/finish` `{"assertionResponse"}` answers `session`: the
  `signedPasskeyData` (what the login component hands its `onComplete`), with the real
  `credential` id, `webauthnId` = the identifier and `sub` = the user;
- manage: `manage/list` `{"connectToken"}` takes a passkey-list token and lists the identifier's
  passkeys; `manage/delete` `{"connectToken", "credentialID"}` takes a passkey-delete token
  and deletes that passkey (by its `cre-…` id) if it is the identifier's.

A token of the wrong type, unknown, expired or used is 403 `invalid_connect_token`. The `init`
operations need no earlier call and the emulator keeps no process: the challenge itself ties a
`finish` to its `start`. Their `flags` are empty and every operation is allowed.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, post
from litestar.handlers import HTTPRouteHandler

from adapters.corbado.emulator.authentication import Authentication
from adapters.corbado.emulator.bodies import json_object, optional_text, raise_problems, text
from adapters.corbado.emulator.challenges import CHALLENGE_LIFETIME_S
from adapters.corbado.emulator.connect_tokens import ConnectToken, ConnectTokens
from adapters.corbado.emulator.directory import Directory
from adapters.corbado.emulator.envelope import ApiError, validation_error
from adapters.corbado.emulator.ids import random_text
from adapters.corbado.emulator.passkeys import PasskeyAuthority
from adapters.corbado.emulator.records import Identifier
from adapters.corbado.emulator.registration import Registration
from adapters.corbado.emulator.schemas import passkey_json
from domain.model import ConnectTokenType

FRONTEND_PREFIX = "/frontendapi"


@dataclass(frozen=True, slots=True)
class FrontendState:
    """What the ceremonies read and change."""

    directory: Directory
    connect_tokens: ConnectTokens
    authority: PasskeyAuthority
    registration: Registration
    authentication: Authentication
    clock: Callable[[], int]


def frontend_handlers(state: FrontendState) -> list[HTTPRouteHandler]:
    """The route handlers, relative to `FRONTEND_PREFIX`."""

    def redeem(secret: str, token_type: ConnectTokenType) -> ConnectToken:
        token = state.connect_tokens.redeem(secret, token_type)
        if token is None:
            raise ApiError(
                403, "invalid_connect_token", f"Not a live, unused {token_type.value} token"
            )
        return token

    def init(allowed: str) -> dict[str, object]:
        return {
            "processID": f"cps-{random_text(20)}",
            "expiresAt": state.clock() + CHALLENGE_LIFETIME_S,
            "frontendApiUrl": "",
            allowed: True,
            "flags": {},
        }

    @post("/v2/connect/append/init", status_code=200)
    async def append_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        await json_object(request)
        return init("appendAllowed")

    @post("/v2/connect/append/start", status_code=200)
    async def append_start(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        secret = text(await json_object(request), "appendTokenValue", problems)
        raise_problems(problems)
        token = redeem(secret, ConnectTokenType.PASSKEY_APPEND)
        identifier = state.directory.ensure(token.data["identifier"], state.clock())
        options = state.registration.options(identifier, token.data["displayName"])
        return {"attestationOptions": _serialized(options), "variant": "default"}

    @post("/v2/connect/append/finish", status_code=200)
    async def append_finish(request: Request[Any, Any, Any]) -> dict[str, object]:
        answer = _answer(await json_object(request), "attestationResponse")
        credential = state.registration.finish(answer)
        holder = state.directory.holder(credential.identifier_value)
        assert holder is not None
        return {"passkeyOperation": _operation("append", holder)}

    @post("/v2/connect/login/init", status_code=200)
    async def login_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        await json_object(request)
        answer = init("loginAllowed")
        answer["token"] = answer.pop("processID")
        answer["conditionalUIChallenge"] = _serialized(state.authentication.options(None))
        return answer

    @post("/v2/connect/login/start", status_code=200)
    async def login_start(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        value = text(body, "identifier", problems)
        secret = optional_text(body, "loginConnectToken", problems)
        raise_problems(problems)
        if secret is not None:
            token = redeem(secret, ConnectTokenType.PASSKEY_LOGIN)
            if token.data["identifier"] != value:
                raise ApiError(403, "invalid_connect_token", "The token is for another identifier")
        identifier = state.directory.holder(value)
        if identifier is None:
            raise ApiError(404, "not_found", "No user was found for the identifier")
        options = state.authentication.options(identifier)
        return {"assertionOptions": _serialized(options), "isCDA": False}

    @post("/v2/connect/login/finish", status_code=200)
    async def login_finish(request: Request[Any, Any, Any]) -> dict[str, object]:
        login = state.authentication.finish(
            _answer(await json_object(request), "assertionResponse")
        )
        return {
            "passkeyOperation": _operation("verify", login.identifier),
            "session": state.authority.mint(login.credential),
        }

    @post("/v2/connect/manage/init", status_code=200)
    async def manage_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        await json_object(request)
        return init("manageAllowed")

    @post("/v2/connect/manage/list", status_code=200)
    async def manage_list(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        secret = text(await json_object(request), "connectToken", problems)
        raise_problems(problems)
        token = redeem(secret, ConnectTokenType.PASSKEY_LIST)
        holder = state.directory.holder(token.data["identifier"])
        passkeys = [] if holder is None else state.directory.credentials_of(holder.user_id)
        return {"passkeys": [passkey_json(c) for c in passkeys]}

    @post("/v2/connect/manage/delete", status_code=200)
    async def manage_delete(request: Request[Any, Any, Any]) -> dict[str, object]:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        secret = text(body, "connectToken", problems)
        credential_id = text(body, "credentialID", problems)
        raise_problems(problems)
        token = redeem(secret, ConnectTokenType.PASSKEY_DELETE)
        holder = state.directory.holder(token.data["identifier"])
        credential = state.directory.credential(credential_id)
        if holder is None or credential is None or credential.user_id != holder.user_id:
            raise ApiError(404, "not_found", "The identifier has no such passkey")
        state.directory.delete_credential(credential)
        return {"credentialID": credential_id}

    return [
        append_init,
        append_start,
        append_finish,
        login_init,
        login_start,
        login_finish,
        manage_init,
        manage_list,
        manage_delete,
    ]


def _serialized(options: dict[str, Any]) -> str:
    """Options as Corbado sends them: a JSON string of `{"publicKey": …}` (webauthn-json)."""
    return json.dumps({"publicKey": options})


def _answer(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The browser's credential, which Corbado's components send as a JSON string."""
    problems: list[tuple[str, str]] = []
    serialized = text(body, name, problems)
    raise_problems(problems)
    try:
        answer = msgspec.json.decode(serialized)
    except (msgspec.DecodeError, RecursionError) as exc:
        raise validation_error([(name, "is not JSON")]) from exc
    if not isinstance(answer, dict):
        raise validation_error([(name, "is not a JSON object")])
    return answer


def _operation(kind: str, identifier: Identifier) -> dict[str, str]:
    """The Frontend API's `passkeyOperation`."""
    return {
        "operationType": kind,
        "identifierValue": identifier.value,
        "identifierType": identifier.type.value,
        "ceremonyType": "local",
    }
