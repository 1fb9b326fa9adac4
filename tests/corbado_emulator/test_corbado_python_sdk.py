"""`connect-backend emulator` driven by Corbado's official Python SDK (`passkeys` on PyPI): its
services and generated client, for every operation both implement, over real HTTP.

The SDK's `Config` insists on an `https://` Backend API, so the services are built on the
generated client directly (as `CorbadoSDK` builds them). Its generated `ConnectToken` cannot
decode any ConnectTokenCreate answer: the spec's `oneOf` for the token `data` matches several
schemas at once. That operation is called with plain HTTP here (and the SDK's failure is
pinned, so a fixed SDK shows up).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from corbado_python_sdk.exceptions import ServerException
from corbado_python_sdk.generated import (
    ApiClient,
    Configuration,
    ConnectToken,
    ConnectTokensApi,
    IdentifiersApi,
    IdentifierStatus,
    IdentifierType,
    PasskeysApi,
    PasskeyVerifySignedDataReq,
    UsersApi,
    UserStatus,
)
from corbado_python_sdk.generated.exceptions import ApiException
from corbado_python_sdk.services.implementation import IdentifierService, UserService
from jose import jwt

from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from tests.support.authenticator import SoftAuthenticator
from tests.support.ceremonies import Frontend
from tests.support.servers import LOOPBACK, free_port
from tests.support.services import Server, base_environment, started

AUTH = (DEV_PROJECT_ID, DEV_API_SECRET)


def _answers(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/v2/identifiers", timeout=1)
    except httpx.TransportError:
        return False
    return True


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    args = ["emulator", "--host", LOOPBACK, "--port", str(port)]
    workdir: Path = tmp_path_factory.mktemp("emulator")
    with started(args, base_environment(PORT=str(port)), workdir, ready=_answers) as server:
        yield server


def _client(emulator: Server, secret: str = DEV_API_SECRET) -> ApiClient:
    configuration = Configuration(
        host=f"{emulator.base_url}/v2", username=DEV_PROJECT_ID, password=secret
    )
    return ApiClient(configuration=configuration)


@pytest.fixture(scope="module")
def api(emulator: Server) -> ApiClient:
    return _client(emulator)


@pytest.fixture
def http(emulator: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.base_url) as client:
        yield client


def unique() -> str:
    return f"jane-{uuid.uuid4().hex}@example.com"


def connect_token(http: httpx.Client, identifier: str, kind: str) -> dict[str, Any]:
    data = {"identifier": identifier, "displayName": "Jane Doe"}
    response = http.post("/v2/connectTokens", json={"type": kind, "data": data}, auth=AUTH)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# Users and identifiers, through the SDK's services ---------------------------------------------


def test_a_user_is_created_read_and_deleted(api: ApiClient) -> None:
    users = UserService(client=UsersApi(api))

    created = users.create(status=UserStatus.ACTIVE, full_name="Jane Doe")
    read = users.get(created.user_id)
    users.delete(created.user_id)

    assert created.user_id.startswith("usr-")
    assert (read.user_id, read.full_name, read.status) == (created.user_id, "Jane Doe", "active")
    with pytest.raises(ServerException) as gone:
        users.get(created.user_id)
    assert gone.value.http_status_code == 404
    assert gone.value.error_type == "not_found"


def test_an_identifier_is_created_found_updated_and_deleted(api: ApiClient) -> None:
    user = UserService(client=UsersApi(api)).create(status=UserStatus.ACTIVE)
    identifiers = IdentifierService(client=IdentifiersApi(api))
    value = unique()

    created = identifiers.create(
        user.user_id, IdentifierType.EMAIL, value, IdentifierStatus.PENDING
    )
    exists = identifiers.exists_by_value_and_type(value, IdentifierType.EMAIL)
    emails = identifiers.list_all_emails_by_user_id(user.user_id)
    updated = identifiers.update_status(
        user.user_id, created.identifier_id, IdentifierStatus.VERIFIED
    )
    identifiers.delete(user.user_id, created.identifier_id)

    assert (created.value, created.type, created.status) == (value, "email", "pending")
    assert exists is True
    assert [e.identifier_id for e in emails] == [created.identifier_id]
    assert updated.status == "verified"
    assert identifiers.exists_by_value_and_type(value, IdentifierType.EMAIL) is False


def test_identifiers_page_through_the_sdk(api: ApiClient) -> None:
    user = UserService(client=UsersApi(api)).create(status=UserStatus.ACTIVE)
    identifiers = IdentifierService(client=IdentifiersApi(api))
    created = {
        identifiers.create(
            user.user_id, IdentifierType.EMAIL, unique(), IdentifierStatus.PRIMARY
        ).identifier_id
        for _ in range(12)
    }

    first = identifiers.list_identifiers(user_id=user.user_id, page_size=5)
    emails = identifiers.list_all_emails_by_user_id(user.user_id)

    assert (first.paging.page, first.paging.total_pages, first.paging.total_items) == (1, 3, 12)
    assert sorted(e.identifier_id for e in emails) == sorted(created)  # its loop: 2 pages of 10


# Passkeys --------------------------------------------------------------------------------------


def test_a_ceremony_passkey_is_listed_verified_and_deleted(
    api: ApiClient, http: httpx.Client
) -> None:
    identifier = unique()
    authenticator = SoftAuthenticator()
    frontend = Frontend(http)
    append = connect_token(http, identifier, "passkey-append")
    assert frontend.append(authenticator, append["secret"]).status_code == 200
    signed = frontend.login(authenticator, identifier).json()["session"]
    user_id = jwt.get_unverified_claims(signed)["sub"]
    users = UsersApi(api)

    listed = users.credential_list(user_id)
    verdict = PasskeysApi(api).passkey_verify_signed_data(
        PasskeyVerifySignedDataReq(signedPasskeyData=signed, username=identifier)
    )
    users.credential_delete(user_id, listed.credentials[0].id)

    [credential] = listed.credentials
    assert credential.id == jwt.get_unverified_claims(signed)["credential"]
    assert credential.transport == ["internal"]
    assert credential.status == "active"
    assert verdict.verification_result == "success"
    assert users.credential_list(user_id).credentials == []
    fallback = frontend.post("login/start", {"identifier": identifier}).json()
    assert fallback["fallbackOperationError"]["initFallback"] is True


def test_a_connect_token_is_deleted_through_the_sdk(api: ApiClient, http: httpx.Client) -> None:
    token = connect_token(http, unique(), "passkey-list")

    deleted = ConnectTokensApi(api).connect_token_delete(token["id"])

    assert deleted.http_status_code == 200
    with pytest.raises(ApiException) as again:
        ConnectTokensApi(api).connect_token_delete(token["id"])
    assert again.value.status == 404


@pytest.mark.parametrize("kind", ["passkey-append", "passkey-list"])
def test_the_sdk_cannot_decode_a_connect_token(http: httpx.Client, kind: str) -> None:
    # Why ConnectTokenCreate is called with plain HTTP: the spec's oneOf matches more than one
    # of its four schemas for any token data (docs/integration-guide.md).
    answer = connect_token(http, unique(), kind)

    with pytest.raises(ValueError, match="Multiple matches"):
        ConnectToken.from_json(json.dumps(answer))


# Bad credentials -------------------------------------------------------------------------------


def test_bad_credentials_get_401_in_corbados_envelope_on_every_operation(
    emulator: Server,
) -> None:
    api = _client(emulator, secret="corbado1_wrong")
    users = UserService(client=UsersApi(api))
    identifiers = IdentifierService(client=IdentifiersApi(api))
    calls: list[Callable[[], object]] = [
        lambda: users.create(status=UserStatus.ACTIVE),
        lambda: users.get("usr-1"),
        lambda: users.delete("usr-1"),
        lambda: identifiers.create("usr-1", IdentifierType.EMAIL, "j@x", IdentifierStatus.PRIMARY),
        lambda: identifiers.list_identifiers(),
        lambda: identifiers.update_status("usr-1", "ide-1", IdentifierStatus.VERIFIED),
        lambda: identifiers.delete("usr-1", "ide-1"),
    ]
    for call in calls:
        with pytest.raises(ServerException) as refused:
            call()
        assert refused.value.http_status_code == 401
        assert refused.value.error_type == "login_error"
        assert refused.value.request_data["requestID"].startswith("req-")

    generated: list[Callable[[], object]] = [
        lambda: UsersApi(api).credential_list("usr-1"),
        lambda: UsersApi(api).credential_delete("usr-1", "cre-1"),
        lambda: UsersApi(api).user_list(),  # not implemented: still 401 first
        lambda: ConnectTokensApi(api).connect_token_delete("ctk-1"),
        lambda: PasskeysApi(api).passkey_verify_signed_data(
            PasskeyVerifySignedDataReq(signedPasskeyData="x", username="j")
        ),
    ]
    for call in generated:
        with pytest.raises(ApiException) as refused_generated:
            call()
        assert refused_generated.value.status == 401
        assert refused_generated.value.body is not None
        body = json.loads(refused_generated.value.body)
        assert body["error"]["type"] == "login_error"
        assert body["httpStatusCode"] == 401
