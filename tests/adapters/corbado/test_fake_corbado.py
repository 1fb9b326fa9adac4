"""FakeCorbadoConnect's test knobs (its Corbado behaviour is in the contract suite)."""

import pytest

from adapters.corbado.passkey_data import JosePasskeyDataReader
from domain.errors import CorbadoTimeout, CorbadoUnavailable
from domain.model import ConnectTokenType, VerificationResult
from tests.fakes.fake_corbado import FAKE_PROJECT_ID, FakeCorbadoConnect


async def test_records_every_call_in_order() -> None:
    fake = FakeCorbadoConnect()

    await fake.create_connect_token(ConnectTokenType.PASSKEY_LIST, "jane@doe.com", "Jane")
    await fake.verify_signed_passkey_data("data", "jane@doe.com")

    assert fake.calls == [
        ("create_connect_token", ConnectTokenType.PASSKEY_LIST, "jane@doe.com", "Jane"),
        ("verify_signed_passkey_data", "data", "jane@doe.com"),
    ]


async def test_a_scripted_verdict_answers_the_next_verification_only() -> None:
    fake = FakeCorbadoConnect()
    signed = fake.mint("jane@doe.com")
    fake.answer_next_verification(VerificationResult.GENERIC_ERROR)

    assert await fake.verify_signed_passkey_data(signed, "jane@doe.com") is (
        VerificationResult.GENERIC_ERROR
    )
    assert await fake.verify_signed_passkey_data(signed, "jane@doe.com") is (
        VerificationResult.SUCCESS
    )


async def test_a_scripted_error_fails_the_next_call_only() -> None:
    fake = FakeCorbadoConnect()
    fake.fail_next_call(CorbadoUnavailable("down", retry_later=True))

    with pytest.raises(CorbadoUnavailable):
        await fake.create_connect_token(ConnectTokenType.PASSKEY_APPEND, "jane@doe.com", "Jane")
    issued = await fake.create_connect_token(ConnectTokenType.PASSKEY_APPEND, "jane@doe.com", "J")
    assert issued.secret == "ctk1_fake_1"

    fake.fail_next_call(CorbadoTimeout("slow"))
    with pytest.raises(CorbadoTimeout):
        await fake.verify_signed_passkey_data("data", "jane@doe.com")
    assert len(fake.calls) == 3


def test_minted_data_is_readable_as_passkey_data() -> None:
    fake = FakeCorbadoConnect()

    claimed = JosePasskeyDataReader().read(fake.mint("jane@doe.com", expires_at=1_900_000_000))

    assert claimed.webauthn_id == "jane@doe.com"
    assert claimed.issuer == FAKE_PROJECT_ID
    assert claimed.expires_at == 1_900_000_000
