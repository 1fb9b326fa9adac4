"""IssueConnectToken and CompleteLogin against a scripted Corbado and a fake data reader."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import CorbadoTimeout, InvalidAccessToken, PasskeyLoginFailed
from domain.model import (
    PASSKEY_AMR,
    PASSWORD_AMR,
    ConnectTokenType,
    IdentifierKind,
    PasskeyAssertion,
    Principal,
    VerificationResult,
)
from domain.usecases.complete_login import CompleteLogin
from domain.usecases.issue_connect_token import IssueConnectToken
from tests.domain.conftest import PASSWORD, POLICY, World, build_world
from tests.fakes.fake_corbado import FakeCorbadoConnect
from tests.fakes.fake_passkey_data_reader import FakePasskeyDataReader

PROJECT = "pro-123"


class Passkeys:
    def __init__(self, world: World, kind: IdentifierKind = IdentifierKind.EMAIL) -> None:
        self.world = world
        self.corbado = FakeCorbadoConnect()
        self.reader = FakePasskeyDataReader()
        self.issue = IssueConnectToken(
            world.who_am_i,
            self.corbado,
            self.corbado,
            world.issued_tokens,
            world.clock,
            world.policy,
            kind,
        )
        self.complete = CompleteLogin(
            self.reader,
            self.corbado,
            world.users,
            world.start_session,
            world.clock,
            world.audit,
            project_id=PROJECT,
            identifier_kind=kind,
            clock_leeway_s=world.policy.clock_leeway_s,
        )

    def data_for(self, webauthn_id: str, *, issuer: str = PROJECT, expires_in: int = 300) -> str:
        token = f"spd-{len(self.corbado.calls)}-{webauthn_id}-{issuer}-{expires_in}"
        assertion = PasskeyAssertion(
            webauthn_id=webauthn_id,
            issuer=issuer,
            expires_at=self.world.clock.now() + expires_in,
            credential_id="cre-1",
            corbado_user_id="usr-1",
        )
        self.reader.remember(token, assertion)
        return token


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(IdentifierKind.EMAIL, "jane@example.com"), (IdentifierKind.USER_ID, None)],
)
async def test_connect_tokens_name_the_user_by_the_configured_identifier(
    world: World, kind: IdentifierKind, expected: str | None
) -> None:
    user = await world.create_user.execute("Jane@Example.com", PASSWORD, "Jane Doe")
    passkeys = Passkeys(world, kind)
    principal = Principal(user.id, "session-1", world.clock.now(), PASSWORD_AMR)
    secret = await passkeys.issue.execute(principal, ConnectTokenType.PASSKEY_APPEND)
    assert secret.startswith("ctk1_")
    identifier = expected or user.id
    assert passkeys.corbado.calls == [
        ("create_connect_token", ConnectTokenType.PASSKEY_APPEND, identifier, "Jane Doe")
    ]


async def test_connect_token_for_a_deleted_user_is_refused(world: World) -> None:
    passkeys = Passkeys(world)
    with pytest.raises(InvalidAccessToken):
        await passkeys.issue.execute(
            Principal("gone", "session-1", world.clock.now(), PASSWORD_AMR),
            ConnectTokenType.PASSKEY_LIST,
        )
    assert passkeys.corbado.calls == []


@pytest.mark.parametrize("kind", list(IdentifierKind))
async def test_success_starts_a_passkey_session_for_the_mapped_user(
    world: World, kind: IdentifierKind
) -> None:
    user = await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    passkeys = Passkeys(world, kind)
    webauthn_id = user.email if kind is IdentifierKind.EMAIL else user.id
    passkeys.corbado.answer_next_verification(VerificationResult.SUCCESS)
    pair = await passkeys.complete.execute(passkeys.data_for(webauthn_id), "Firefox")
    principal = await world.authenticate.execute(pair.access_token)
    assert (principal.user_id, principal.amr) == (user.id, PASSKEY_AMR)
    assert [call[2] for call in passkeys.corbado.calls] == [webauthn_id]
    session = await world.sessions.get(principal.session_id)
    assert session is not None
    assert (session.credential_id, session.corbado_user_id) == ("cre-1", "usr-1")
    assert session.method == "passkey"
    assert session.user_agent == "Firefox"


@pytest.mark.parametrize("webauthn_id", ["jose\u0301@x.example", "JOS\u00c9@X.example"])
async def test_a_webauthn_id_in_another_unicode_spelling_finds_the_user(
    world: World, webauthn_id: str
) -> None:
    user = await world.create_user.execute("jos\u00e9@x.example", PASSWORD, "Jos\u00e9")
    passkeys = Passkeys(world)
    passkeys.corbado.answer_next_verification(VerificationResult.SUCCESS)
    pair = await passkeys.complete.execute(passkeys.data_for(webauthn_id))
    principal = await world.authenticate.execute(pair.access_token)
    assert principal.user_id == user.id


@pytest.mark.parametrize(
    "result", [r for r in VerificationResult if r is not VerificationResult.SUCCESS]
)
async def test_anything_but_success_is_a_failed_login(
    world: World, result: VerificationResult
) -> None:
    await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    passkeys = Passkeys(world)
    passkeys.corbado.answer_next_verification(result)
    with pytest.raises(PasskeyLoginFailed):
        await passkeys.complete.execute(passkeys.data_for("jane@example.com"))


async def test_success_for_an_unknown_user_is_a_failed_login(world: World) -> None:
    passkeys = Passkeys(world)
    passkeys.corbado.answer_next_verification(VerificationResult.SUCCESS)
    with pytest.raises(PasskeyLoginFailed):
        await passkeys.complete.execute(passkeys.data_for("stranger@example.com"))


async def test_another_projects_data_never_reaches_corbado(world: World) -> None:
    passkeys = Passkeys(world)
    with pytest.raises(PasskeyLoginFailed):
        await passkeys.complete.execute(passkeys.data_for("jane@example.com", issuer="pro-999"))
    assert passkeys.corbado.calls == []


@settings(max_examples=60, deadline=None)
@given(expires_in=st.integers(-200, 200))
@example(expires_in=-POLICY.clock_leeway_s)
@example(expires_in=-POLICY.clock_leeway_s + 1)
async def test_expired_data_never_reaches_corbado(expires_in: int) -> None:
    world = build_world()
    await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    passkeys = Passkeys(world)
    passkeys.corbado.answer_next_verification(VerificationResult.SUCCESS)
    data = passkeys.data_for("jane@example.com", expires_in=expires_in)
    if expires_in > -world.policy.clock_leeway_s:
        assert await passkeys.complete.execute(data)
        assert len(passkeys.corbado.calls) == 1
    else:
        with pytest.raises(PasskeyLoginFailed):
            await passkeys.complete.execute(data)
        assert passkeys.corbado.calls == []


async def test_a_timeout_is_not_retried(world: World) -> None:
    await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    passkeys = Passkeys(world)
    passkeys.corbado.fail_next_call(CorbadoTimeout("slow"))
    with pytest.raises(CorbadoTimeout):
        await passkeys.complete.execute(passkeys.data_for("jane@example.com"))
    assert len(passkeys.corbado.calls) == 1
