import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.errors import (
    EmailAlreadyRegistered,
    InvalidDisplayName,
    InvalidEmail,
    InvalidPassword,
    RegistrationClosed,
)
from tests.domain.conftest import PASSWORD, World, build_world


async def test_registration_stores_a_normalised_user_with_a_hashed_password(world: World) -> None:
    user = await world.register(open_to_public=True).execute(
        "  Jane@Example.COM ", PASSWORD, "  Jane Doe "
    )
    assert (user.email, user.display_name) == ("jane@example.com", "Jane Doe")
    stored = await world.users.by_email("jane@example.com")
    assert stored == user
    assert stored.password_hash is not None
    assert await world.hasher.verify(stored.password_hash, PASSWORD)
    assert stored.password_hash != PASSWORD


async def test_closed_registration_creates_nobody(world: World) -> None:
    with pytest.raises(RegistrationClosed):
        await world.register(open_to_public=False).execute("jane@example.com", PASSWORD, "Jane")
    assert await world.users.by_email("jane@example.com") is None


async def test_the_same_email_in_another_case_is_taken(world: World) -> None:
    register = world.register(open_to_public=True)
    await register.execute("jane@example.com", PASSWORD, "Jane")
    with pytest.raises(EmailAlreadyRegistered):
        await register.execute("JANE@example.com ", PASSWORD, "Other Jane")


@pytest.mark.parametrize(
    "email", ["", "   ", "jane", "@example.com", "jane@", "a@b@c", "j ane@x.y"]
)
async def test_malformed_emails_are_refused(world: World, email: str) -> None:
    with pytest.raises(InvalidEmail):
        await world.create_user.execute(email, PASSWORD, "Jane")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
async def test_blank_or_long_display_names_are_refused(world: World, name: str) -> None:
    with pytest.raises(InvalidDisplayName):
        await world.create_user.execute("jane@example.com", PASSWORD, name)


@pytest.mark.parametrize("name", ["x", "x" * 100, " " + "x" * 100 + " "])
async def test_display_names_of_1_to_100_characters_are_kept(world: World, name: str) -> None:
    user = await world.create_user.execute("jane@example.com", PASSWORD, name)
    assert user.display_name == name.strip()


@settings(max_examples=60, deadline=None)
@given(password=st.text(max_size=200))
@example(password="p" * 7)
@example(password="p" * 8)
@example(password="p" * 128)
@example(password="p" * 129)
async def test_passwords_of_8_to_128_characters_and_only_those_are_accepted(password: str) -> None:
    world = build_world()
    if 8 <= len(password) <= 128:
        user = await world.create_user.execute("jane@example.com", password, "Jane")
        assert user.password_hash is not None
        assert await world.hasher.verify(user.password_hash, password)
    else:
        with pytest.raises(InvalidPassword):
            await world.create_user.execute("jane@example.com", password, "Jane")
        assert await world.users.by_email("jane@example.com") is None


@pytest.mark.parametrize(
    ("email", "password", "name", "error"),
    [
        ("jane\x00@example.com", PASSWORD, "Jane", InvalidEmail),
        ("jane\ud800@example.com", PASSWORD, "Jane", InvalidEmail),
        ("jane@example.com", PASSWORD + "\ud800", "Jane", InvalidPassword),
        ("jane@example.com", PASSWORD, "Ja\x00ne", InvalidDisplayName),
        ("jane@example.com", PASSWORD, "Ja\ud800ne", InvalidDisplayName),
    ],
)
async def test_text_no_store_can_hold_is_refused(
    world: World, email: str, password: str, name: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await world.create_user.execute(email, password, name)
