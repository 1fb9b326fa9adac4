"""What every `CorbadoAccounts` must do, per the port's docstrings: the fake, the httpx adapter
against a scripted Corbado that answers per Corbado's spec (and the live API's quirks), and the
httpx adapter against the emulator.

What exists is listed and removed; removing what is gone is done, not an error; removing one
user's things leaves everyone else's; refused credentials are `CorbadoRejected`.
"""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from adapters.corbado.client import HttpxCorbadoConnect, build_corbado_client
from domain.errors import CorbadoRejected
from domain.model import ConnectTokenType
from domain.ports import CorbadoAccounts
from tests.contracts.conftest import EmulatorFactory
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.support.spec_corbado import SpecCorbado

PROJECT_ID = "pro-1234567890"
API_SECRET = "corbado1_contract-secret"
BASE_URL = "http://corbado.test"
JANE = "jane+work@doe.com"
JOHN = "john@doe.com"


@dataclass(frozen=True)
class Subject:
    """A `CorbadoAccounts` with ways to arrange and observe what Corbado keeps."""

    accounts: CorbadoAccounts
    # The identifier's Corbado user (made if new) gets a passkey, as a passkey login leaves it.
    add_passkey: Callable[[str], Awaitable[None]]
    # A live connect token's id.
    issue_connect_token: Callable[[], Awaitable[str]]
    # Whether Corbado still has the connect token (asking may use it up).
    has_connect_token: Callable[[str], Awaitable[bool]]
    # The same port on a project whose credentials Corbado refuses, for one call.
    refused: Callable[[], CorbadoAccounts]


@asynccontextmanager
async def _fake(_: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    fake = FakeCorbadoConnect()

    async def add_passkey(identifier: str) -> None:
        fake.add_passkey(identifier, int(time.time()))

    async def issue_connect_token() -> str:
        issued = await fake.create_connect_token(ConnectTokenType.PASSKEY_LOGIN, JOHN, "John")
        return issued.id

    async def has_connect_token(token_id: str) -> bool:
        return token_id in fake.live_tokens

    def refused() -> CorbadoAccounts:
        refusing = FakeCorbadoConnect()
        refusing.fail_next_call(CorbadoRejected("Corbado refused our credentials"))
        return refusing

    yield Subject(fake, add_passkey, issue_connect_token, has_connect_token, refused)


@asynccontextmanager
async def _httpx(
    transport: httpx.AsyncBaseTransport,
) -> AsyncIterator[Callable[[str], HttpxCorbadoConnect]]:
    clients: list[httpx.AsyncClient] = []

    def adapter(api_secret: str) -> HttpxCorbadoConnect:
        client = build_corbado_client(
            BASE_URL, PROJECT_ID, api_secret, timeout_s=5.0, transport=transport
        )
        clients.append(client)
        return HttpxCorbadoConnect(client, timeout_s=5.0)

    try:
        yield adapter
    finally:
        for client in clients:
            await client.aclose()


@asynccontextmanager
async def _spec(_: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    corbado = SpecCorbado(PROJECT_ID, API_SECRET)
    async with _httpx(httpx.MockTransport(corbado.handle)) as adapter:

        async def add_passkey(identifier: str) -> None:
            corbado.add_passkey(identifier, int(time.time() * 1000))

        async def issue_connect_token() -> str:
            return corbado.add_connect_token()

        async def has_connect_token(token_id: str) -> bool:
            return token_id in corbado.connect_tokens

        yield Subject(
            adapter(API_SECRET),
            add_passkey,
            issue_connect_token,
            has_connect_token,
            lambda: adapter("corbado1_wrong-secret"),
        )


@asynccontextmanager
async def _emulated(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    emulator: EmulatorFactory = request.getfixturevalue("corbado_emulator")
    # Litestar types its ASGI events more narrowly than httpx's ASGITransport accepts.
    transport = httpx.ASGITransport(app=emulator(PROJECT_ID, API_SECRET))  # type: ignore[arg-type]
    async with _httpx(transport) as adapter:
        accounts = adapter(API_SECRET)
        backend = httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, auth=(PROJECT_ID, API_SECRET)
        )

        async def add_passkey(identifier: str) -> None:
            response = await backend.post(
                "/v2/_emulator/passkeyLogin", json={"identifier": identifier}
            )
            response.raise_for_status()

        async def issue_connect_token() -> str:
            issued = await accounts.create_connect_token(
                ConnectTokenType.PASSKEY_LOGIN, JOHN, "John"
            )
            return issued.id

        async def has_connect_token(token_id: str) -> bool:
            # The Backend API has no read of a connect token: deleting answers whether it was
            # there, which is all a test asks after it deleted it.
            response = await backend.delete(f"/v2/connectTokens/{token_id}")
            assert response.status_code in (200, 404), response.text
            return response.status_code == 200

        async with backend:
            yield Subject(
                accounts,
                add_passkey,
                issue_connect_token,
                has_connect_token,
                lambda: adapter("corbado1_wrong-secret"),
            )


@pytest.fixture(params=[_fake, _spec, _emulated], ids=["fake", "httpx+spec", "httpx+emulator"])
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    async with request.param(request) as built:
        yield built


# Users by identifier ---------------------------------------------------------------------------


async def test_an_identifier_no_one_holds_has_no_users(subject: Subject) -> None:
    assert await subject.accounts.user_ids_for(JANE) == []


async def test_the_user_holding_an_identifier_is_found_by_it_alone(subject: Subject) -> None:
    await subject.add_passkey(JANE)
    await subject.add_passkey(JOHN)

    [jane] = await subject.accounts.user_ids_for(JANE)
    [john] = await subject.accounts.user_ids_for(JOHN)

    assert jane.startswith("usr-")
    assert jane != john
    # Exact matches only: neither a prefix nor the address without its "+" part.
    assert await subject.accounts.user_ids_for("jane@doe.com") == []
    assert await subject.accounts.user_ids_for("jane+work@doe.co") == []


# Deleting users --------------------------------------------------------------------------------


async def test_a_deleted_user_holds_nothing_and_deleting_it_again_is_done(
    subject: Subject,
) -> None:
    await subject.add_passkey(JANE)
    [jane] = await subject.accounts.user_ids_for(JANE)

    await subject.accounts.delete_user(jane)
    await subject.accounts.delete_user(jane)

    assert await subject.accounts.user_ids_for(JANE) == []
    assert await subject.accounts.passkeys_of(jane) == []


async def test_deleting_a_user_corbado_never_had_is_done(subject: Subject) -> None:
    await subject.accounts.delete_user("usr-4693224802260150919")


async def test_deleting_one_user_leaves_the_others(subject: Subject) -> None:
    await subject.add_passkey(JANE)
    await subject.add_passkey(JOHN)
    [jane] = await subject.accounts.user_ids_for(JANE)
    [john] = await subject.accounts.user_ids_for(JOHN)

    await subject.accounts.delete_user(jane)

    assert await subject.accounts.user_ids_for(JOHN) == [john]
    assert len(await subject.accounts.passkeys_of(john)) == 1


# Passkeys --------------------------------------------------------------------------------------


async def test_a_users_passkeys_are_listed_with_when_they_were_added(subject: Subject) -> None:
    before = int(time.time())
    await subject.add_passkey(JANE)
    after = int(time.time())
    [jane] = await subject.accounts.user_ids_for(JANE)

    [passkey] = await subject.accounts.passkeys_of(jane)

    assert passkey.corbado_user_id == jane
    assert passkey.credential_id.startswith("cre-")
    assert before <= passkey.created_at <= after


async def test_a_user_corbado_never_had_has_no_passkeys(subject: Subject) -> None:
    assert await subject.accounts.passkeys_of("usr-4693224802260150919") == []


async def test_a_deleted_passkey_is_no_longer_listed_and_deleting_it_again_is_done(
    subject: Subject,
) -> None:
    await subject.add_passkey(JANE)
    [jane] = await subject.accounts.user_ids_for(JANE)
    [passkey] = await subject.accounts.passkeys_of(jane)

    await subject.accounts.delete_passkey(jane, passkey.credential_id)
    await subject.accounts.delete_passkey(jane, passkey.credential_id)

    assert await subject.accounts.passkeys_of(jane) == []
    assert await subject.accounts.user_ids_for(JANE) == [jane]


async def test_a_passkey_named_with_another_users_id_is_left_alone(subject: Subject) -> None:
    await subject.add_passkey(JANE)
    await subject.add_passkey(JOHN)
    [jane] = await subject.accounts.user_ids_for(JANE)
    [john] = await subject.accounts.user_ids_for(JOHN)
    [janes] = await subject.accounts.passkeys_of(jane)

    await subject.accounts.delete_passkey(john, janes.credential_id)

    assert await subject.accounts.passkeys_of(jane) == [janes]


# Connect tokens --------------------------------------------------------------------------------


async def test_a_deleted_connect_token_is_gone_and_deleting_it_again_is_done(
    subject: Subject,
) -> None:
    kept = await subject.issue_connect_token()
    deleted = await subject.issue_connect_token()

    await subject.accounts.delete_connect_token(deleted)
    await subject.accounts.delete_connect_token(deleted)

    assert not await subject.has_connect_token(deleted)
    assert await subject.has_connect_token(kept)


async def test_deleting_a_connect_token_corbado_never_issued_is_done(subject: Subject) -> None:
    await subject.accounts.delete_connect_token("ctk-940364795071150919")


# Failures --------------------------------------------------------------------------------------

_OPERATIONS: dict[str, Callable[[CorbadoAccounts], Awaitable[object]]] = {
    "delete_connect_token": lambda a: a.delete_connect_token("ctk-1"),
    "user_ids_for": lambda a: a.user_ids_for(JANE),
    "delete_user": lambda a: a.delete_user("usr-1"),
    "passkeys_of": lambda a: a.passkeys_of("usr-1"),
    "delete_passkey": lambda a: a.delete_passkey("usr-1", "cre-1"),
}


@pytest.mark.parametrize("operation", list(_OPERATIONS))
async def test_refused_credentials_are_corbado_rejected(subject: Subject, operation: str) -> None:
    with pytest.raises(CorbadoRejected):
        await _OPERATIONS[operation](subject.refused())
