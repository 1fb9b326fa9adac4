import pytest

from domain.errors import InvalidCredentials
from domain.model import PASSWORD_AMR
from tests.domain.conftest import PASSWORD, World
from tests.fakes.fake_password_hasher import OUTDATED


async def test_a_correct_password_starts_a_password_session(world: World) -> None:
    user = await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    pair = await world.password_login.execute("JANE@example.com", PASSWORD)
    principal = await world.authenticate.execute(pair.access_token)
    assert principal.user_id == user.id
    assert principal.amr == PASSWORD_AMR
    assert principal.auth_time == world.clock.now()
    assert pair.expires_in == world.policy.access_token_ttl_s
    assert pair.session_expires_in == world.policy.session_lifetime_s
    session = await world.sessions.get(principal.session_id)
    assert session is not None
    assert session.user_id == user.id


async def test_a_password_session_keeps_the_clients_user_agent(world: World) -> None:
    await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    pair = await world.password_login.execute("jane@example.com", PASSWORD, "Firefox on Linux")
    principal = await world.authenticate.execute(pair.access_token)
    session = await world.sessions.get(principal.session_id)
    assert session is not None
    assert session.user_agent == "Firefox on Linux"


async def test_unknown_email_and_wrong_password_fail_alike_and_both_hash(world: World) -> None:
    await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    world.hasher.verified.clear()
    with pytest.raises(InvalidCredentials) as unknown:
        await world.password_login.execute("nobody@example.com", PASSWORD)
    with pytest.raises(InvalidCredentials) as wrong:
        await world.password_login.execute("jane@example.com", "wrong password")
    assert str(unknown.value) == str(wrong.value)
    assert len(world.hasher.verified) == 2


async def test_unknown_emails_are_checked_against_one_real_hash(world: World) -> None:
    # Against an empty or malformed hash the check would return at once, and the time an
    # unknown email takes would tell it apart from a known one.
    for email in ("nobody@example.com", "nobody-else@example.com"):
        with pytest.raises(InvalidCredentials):
            await world.password_login.execute(email, PASSWORD)
    first, second = world.hasher.verified
    assert first == second
    assert first
    assert not world.hasher.needs_rehash(first)  # made with today's parameters: full cost


async def test_a_malformed_email_is_just_wrong_credentials(world: World) -> None:
    with pytest.raises(InvalidCredentials):
        await world.password_login.execute("not an email", PASSWORD)


async def test_an_outdated_hash_is_upgraded_on_login(world: World) -> None:
    user = await world.create_user.execute("jane@example.com", PASSWORD, "Jane")
    await world.users.set_password_hash(user.id, OUTDATED + PASSWORD[::-1])
    await world.password_login.execute("jane@example.com", PASSWORD)
    upgraded = await world.users.by_id(user.id)
    assert upgraded is not None
    assert upgraded.password_hash is not None
    assert not world.hasher.needs_rehash(upgraded.password_hash)
