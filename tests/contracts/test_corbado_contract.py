"""What every `CorbadoConnect` and `CorbadoAccounts` must do: the fake, and the httpx adapter
against the emulator."""

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest

from adapters.corbado.client import HttpxCorbadoConnect, build_corbado_client
from corbado_emulator import create_emulator_app
from domain.model import ConnectTokenType, VerificationResult
from domain.ports import CorbadoAccounts, CorbadoConnect
from tests.fakes.fake_corbado import FakeCorbadoConnect

PROJECT_ID = "pro-1234567890"
API_SECRET = "corbado1_contract-secret"


@dataclass(frozen=True)
class Subject:
    """A port implementation plus a way to get `signedPasskeyData` it will accept (which leaves
    the identifier's Corbado user with a passkey, as a login with one would)."""

    corbado: CorbadoConnect
    accounts: CorbadoAccounts
    passkey_login: Callable[[str], Awaitable[str]]


@asynccontextmanager
async def _fake() -> AsyncIterator[Subject]:
    fake = FakeCorbadoConnect()

    async def passkey_login(identifier: str) -> str:
        passkey = fake.add_passkey(identifier, int(time.time()))
        return fake.mint(identifier, credential_id=passkey.credential_id)

    yield Subject(fake, fake, passkey_login)


@asynccontextmanager
async def _emulated() -> AsyncIterator[Subject]:
    app = create_emulator_app(PROJECT_ID, API_SECRET)
    # Litestar types its ASGI events more narrowly than httpx's ASGITransport accepts.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with build_corbado_client(
        "http://corbado.test", PROJECT_ID, API_SECRET, timeout_s=5.0, transport=transport
    ) as client:

        async def passkey_login(identifier: str) -> str:
            response = await client.post("/_emulator/passkeyLogin", json={"identifier": identifier})
            response.raise_for_status()
            signed: str = response.json()["signedPasskeyData"]
            return signed

        corbado = HttpxCorbadoConnect(client, timeout_s=5.0)
        yield Subject(corbado, corbado, passkey_login)


@pytest.fixture(params=[_fake, _emulated], ids=["fake", "httpx+emulator"])
async def subject(request: pytest.FixtureRequest) -> AsyncIterator[Subject]:
    async with request.param() as built:
        yield built


@pytest.mark.parametrize("token_type", list(ConnectTokenType))
async def test_connect_token_secret_is_fresh_for_every_call(
    subject: Subject, token_type: ConnectTokenType
) -> None:
    first = await subject.corbado.create_connect_token(token_type, "jane@doe.com", "Jane Doe")
    second = await subject.corbado.create_connect_token(token_type, "jane@doe.com", "Jane Doe")

    assert first.secret.startswith("ctk1_")
    assert second.secret.startswith("ctk1_")
    assert first.secret != second.secret
    assert first.id.startswith("ctk-")
    assert first.id != second.id


async def test_data_from_a_passkey_login_verifies_for_its_identifier(subject: Subject) -> None:
    signed = await subject.passkey_login("jane@doe.com")

    result = await subject.corbado.verify_signed_passkey_data(signed, "jane@doe.com")

    assert result is VerificationResult.SUCCESS


async def test_another_username_is_a_user_mismatch(subject: Subject) -> None:
    signed = await subject.passkey_login("jane@doe.com")

    result = await subject.corbado.verify_signed_passkey_data(signed, "john@doe.com")

    assert result is VerificationResult.USER_MISMATCH


async def test_a_replay_is_an_invalid_challenge(subject: Subject) -> None:
    signed = await subject.passkey_login("jane@doe.com")
    await subject.corbado.verify_signed_passkey_data(signed, "jane@doe.com")

    result = await subject.corbado.verify_signed_passkey_data(signed, "jane@doe.com")

    assert result is VerificationResult.INVALID_CHALLENGE


async def test_each_passkey_login_gives_its_own_single_use_data(subject: Subject) -> None:
    first = await subject.passkey_login("jane@doe.com")
    second = await subject.passkey_login("jane@doe.com")

    assert await subject.corbado.verify_signed_passkey_data(first, "jane@doe.com") is (
        VerificationResult.SUCCESS
    )
    assert await subject.corbado.verify_signed_passkey_data(second, "jane@doe.com") is (
        VerificationResult.SUCCESS
    )


@pytest.mark.parametrize("garbage", ["", "not a jwt", "a.b.c", "eyJhbGciOiJub25lIn0.e30."])
async def test_garbage_has_an_invalid_signature(subject: Subject, garbage: str) -> None:
    result = await subject.corbado.verify_signed_passkey_data(garbage, "jane@doe.com")

    assert result is VerificationResult.INVALID_SIGNATURE


async def test_tampered_data_has_an_invalid_signature(subject: Subject) -> None:
    signed = await subject.passkey_login("jane@doe.com")
    tampered = signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB")

    result = await subject.corbado.verify_signed_passkey_data(tampered, "jane@doe.com")

    assert result is VerificationResult.INVALID_SIGNATURE


async def test_the_passkeys_of_a_user_are_listed_with_when_they_were_added(
    subject: Subject,
) -> None:
    before = int(time.time())
    await subject.passkey_login("jane@doe.com")
    after = int(time.time())

    [corbado_user] = await subject.accounts.user_ids_for("jane@doe.com")
    [passkey] = await subject.accounts.passkeys_of(corbado_user)

    assert passkey.corbado_user_id == corbado_user
    assert passkey.credential_id.startswith("cre-")
    assert before <= passkey.created_at <= after


async def test_a_deleted_passkey_logs_nobody_in_and_deleting_it_again_is_done(
    subject: Subject,
) -> None:
    signed = await subject.passkey_login("jane@doe.com")
    [corbado_user] = await subject.accounts.user_ids_for("jane@doe.com")
    [passkey] = await subject.accounts.passkeys_of(corbado_user)

    await subject.accounts.delete_passkey(corbado_user, passkey.credential_id)
    await subject.accounts.delete_passkey(corbado_user, passkey.credential_id)

    assert await subject.accounts.passkeys_of(corbado_user) == []
    result = await subject.corbado.verify_signed_passkey_data(signed, "jane@doe.com")
    assert result is not VerificationResult.SUCCESS


async def test_a_user_corbado_no_longer_has_has_no_passkeys(subject: Subject) -> None:
    await subject.passkey_login("jane@doe.com")
    [corbado_user] = await subject.accounts.user_ids_for("jane@doe.com")

    await subject.accounts.delete_user(corbado_user)

    assert await subject.accounts.passkeys_of(corbado_user) == []
    assert await subject.accounts.user_ids_for("jane@doe.com") == []
