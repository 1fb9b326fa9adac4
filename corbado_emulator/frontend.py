"""The passkey ceremonies, at the paths and with the bodies of Corbado's Frontend API for
Corbado Connect (`/v2/connect/...`, as `@corbado/web-core`'s ConnectService calls them).

Under `FRONTEND_PREFIX` (so `<emulator>/frontendapi` is the Frontend API base URL); no project
credentials, as in a browser, and CORS for pages on loopback origins (`cors.py`). Every answer
carries the members web-core 3.5.0's generated types (`dist/api/v2/api.d.ts`) declare for it.
Connect tokens are presented as Corbado's components present them:
- append: `append/start` `{"appendTokenValue"}` takes a passkey-append token's secret and
  answers `attestationOptions` (a JSON string of `{"publicKey": …}`, for
  `navigator.credentials.create`); `append/finish` `{"attestationResponse"}` takes the
  credential (JSON string) and keeps the passkey under the token's identifier;
- login: `login/start` `{"identifier", "loginConnectToken"?}` answers `assertionOptions` for
  that identifier's passkeys, or, when no user holds the identifier or it has no passkey, empty
  `assertionOptions` with `fallbackOperationError.initFallback` true and the reason
  (`user_not_found`, `no_passkey_available`): the answer web-core takes for "use your other
  login" (it clears its last-login hint when `assertionOptions` is empty). `login/init` answers
  `conditionalUIChallenge`, options for any passkey (discoverable). `login/finish`
  `{"assertionResponse"}` answers the `signedPasskeyData` (what the login component hands its
  `onComplete`) as both `signedPasskeyData` and `session`, with the real `credential` id,
  `webauthnId` = the identifier and `sub` = the user;
- manage: `manage/list` `{"connectToken"}` takes a passkey-list token and lists the identifier's
  passkeys, with the relying party id and the WebAuthn user handle (base64url) that
  `PublicKeyCredential.signalAllAcceptedCredentials` takes; `manage/delete` `{"connectToken",
  "credentialID"}` takes a passkey-delete token and deletes that passkey (by its `cre-…` id) if
  it is the identifier's;
- `events` `{"eventType"}` (what the components report) is taken and forgotten: 204;
  `process/clear` `{"processId"}` answers it back (the emulator keeps no process).

A token of the wrong type, unknown, expired or used is 403 `invalid_connect_token`. The `init`
operations need no earlier call and the emulator keeps no process: the challenge itself ties a
`finish` to its `start`. Their `flags` are empty and every operation is allowed; their
`frontendApiUrl` is this Frontend API's own URL, as the request reached it, and
`newClientEnvHandle` the handle the client sent (a new one when it sent none).
"""

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, post
from litestar.handlers import HTTPRouteHandler

from corbado_emulator.authentication import Authentication
from corbado_emulator.bodies import json_object, optional_text, raise_problems, text
from corbado_emulator.challenges import CHALLENGE_LIFETIME_S
from corbado_emulator.connect_tokens import ConnectToken, ConnectTokens
from corbado_emulator.directory import Directory
from corbado_emulator.envelope import ApiError, validation_error
from corbado_emulator.ids import random_text
from corbado_emulator.passkeys import PasskeyAuthority
from corbado_emulator.records import Credential, Identifier
from corbado_emulator.registration import Registration
from corbado_emulator.relying_party import RP_ID
from corbado_emulator.schemas import aaguid_details, passkey_json
from domain.model import ConnectTokenType

FRONTEND_PREFIX = "/frontendapi"
# What a client's first init gets to keep (ConnectService stores it and sends it back).
CLIENT_ENV_HANDLE_PREFIX = "ceh-"
USER_NOT_FOUND = "user_not_found"
NO_PASSKEY = "no_passkey_available"


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

    def init(request: Request[Any, Any, Any], body: dict[str, Any]) -> dict[str, object]:
        handle = _client_env_handle(body) or f"{CLIENT_ENV_HANDLE_PREFIX}{random_text(20)}"
        return {
            "expiresAt": state.clock() + CHALLENGE_LIFETIME_S,
            "frontendApiUrl": frontend_api_url(request),
            "flags": {},
            "newClientEnvHandle": handle,
        }

    def client_state(answer: dict[str, object]) -> str:
        """`newClientState` as web-core's ClientStateService reads it: the handle, base64."""
        entry = {"data": answer["newClientEnvHandle"], "ts": state.clock() * 1000}
        return base64.b64encode(json.dumps({"clientEnvHandle": entry}).encode()).decode()

    @post("/v2/connect/append/init", status_code=200)
    async def append_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        answer = init(request, await json_object(request))
        answer |= {"processID": _process_id(), "appendAllowed": True}
        answer["newClientState"] = client_state(answer)
        return answer

    @post("/v2/connect/append/start", status_code=200)
    async def append_start(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        secret = text(await json_object(request), "appendTokenValue", problems)
        raise_problems(problems)
        token = redeem(secret, ConnectTokenType.PASSKEY_APPEND)
        identifier = state.directory.ensure(token.data["identifier"], state.clock())
        options = state.registration.options(identifier, token.data["displayName"])
        return {
            "attestationOptions": _serialized(options),
            "variant": "default",
            # Corbado's own judgement of the browser and its append policies; the emulator
            # restricts nothing and never appends by itself.
            "isRestrictedBrowser": False,
            "autoAppend": False,
            "conditionalAppend": False,
        }

    @post("/v2/connect/append/finish", status_code=200)
    async def append_finish(request: Request[Any, Any, Any]) -> dict[str, object]:
        answer = _answer(await json_object(request), "attestationResponse")
        credential = state.registration.finish(answer)
        holder = state.directory.holder(credential.identifier_value)
        assert holder is not None
        return {"passkeyOperation": _operation("append", holder, credential)}

    @post("/v2/connect/login/init", status_code=200)
    async def login_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        answer = init(request, await json_object(request))
        answer |= {
            "token": _process_id(),
            "loginAllowed": True,
            "conditionalUIChallenge": _serialized(state.authentication.options(None)),
        }
        answer["newClientState"] = client_state(answer)
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
            return _fallback(value, USER_NOT_FOUND, "No user was found for the identifier")
        if not state.authentication.has_passkeys(identifier):
            return _fallback(value, NO_PASSKEY, "No passkey was found for the identifier")
        options = state.authentication.options(identifier)
        return {
            "assertionOptions": _serialized(options),
            "isCDA": False,
            "fallbackOperationError": {"initFallback": False},
            "preferImmediatelyAvailable": False,
        }

    @post("/v2/connect/login/finish", status_code=200)
    async def login_finish(request: Request[Any, Any, Any]) -> dict[str, object]:
        login = state.authentication.finish(
            _answer(await json_object(request), "assertionResponse")
        )
        signed_passkey_data = state.authority.mint(login.credential)
        return {
            "passkeyOperation": _operation("verify", login.identifier, login.credential),
            "session": signed_passkey_data,
            "signedPasskeyData": signed_passkey_data,
            "fallbackOperationError": {"initFallback": False},
        }

    @post("/v2/connect/manage/init", status_code=200)
    async def manage_init(request: Request[Any, Any, Any]) -> dict[str, object]:
        answer = init(request, await json_object(request))
        return answer | {"processID": _process_id(), "manageAllowed": True}

    @post("/v2/connect/manage/list", status_code=200)
    async def manage_list(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        secret = text(await json_object(request), "connectToken", problems)
        raise_problems(problems)
        token = redeem(secret, ConnectTokenType.PASSKEY_LIST)
        holder = state.directory.holder(token.data["identifier"])
        passkeys = [] if holder is None else state.directory.credentials_of(holder.user_id)
        return {
            "passkeys": [passkey_json(c) for c in passkeys],
            "rpID": RP_ID,
            # The WebAuthn user handle the passkeys were made with (the user id's bytes).
            "userID": "" if holder is None else _base64url(holder.user_id.encode()),
        }

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

    @post("/v2/connect/events", status_code=204)
    async def create_event(request: Request[Any, Any, Any]) -> None:
        body = await json_object(request)
        problems: list[tuple[str, str]] = []
        text(body, "eventType", problems)
        optional_text(body, "message", problems)
        optional_text(body, "challenge", problems)
        raise_problems(problems)

    @post("/v2/connect/process/clear", status_code=200)
    async def clear_process(request: Request[Any, Any, Any]) -> dict[str, object]:
        problems: list[tuple[str, str]] = []
        process_id = text(await json_object(request), "processId", problems)
        raise_problems(problems)
        return {"processId": process_id}

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
        create_event,
        clear_process,
    ]


def frontend_api_url(request: Request[Any, Any, Any]) -> str:
    """This Frontend API's base URL as the request reached it: scheme, `Host`, the path the
    emulator is mounted under (`root_path`) and `FRONTEND_PREFIX`."""
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server")
        host = "" if server is None else f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}{FRONTEND_PREFIX}"


def _process_id() -> str:
    return f"cps-{random_text(20)}"


def _client_env_handle(body: dict[str, Any]) -> str | None:
    """The handle the client sent in `clientInformation.clientEnvHandle`, if it is usable."""
    information = body.get("clientInformation")
    handle = information.get("clientEnvHandle") if isinstance(information, dict) else None
    if isinstance(handle, str) and 0 < len(handle) <= 200 and handle.isprintable():
        return handle
    return None


def _fallback(identifier: str, code: str, message: str) -> dict[str, object]:
    """login/start's answer when no passkey login is possible: the frontend falls back."""
    return {
        "assertionOptions": "",
        "isCDA": False,
        "fallbackOperationError": {
            "initFallback": True,
            "identifier": identifier,
            "error": {"code": code, "message": message},
        },
        "preferImmediatelyAvailable": False,
    }


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


def _operation(kind: str, identifier: Identifier, credential: Credential) -> dict[str, object]:
    """The Frontend API's `passkeyOperation`, for the passkey just made or used."""
    return {
        "operationType": kind,
        "identifierValue": identifier.value,
        "identifierType": identifier.type.value,
        "ceremonyType": "local",
        "aaguidDetails": aaguid_details(credential),
    }


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
