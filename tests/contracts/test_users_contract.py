"""The Users contract, run against every backend."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credentials import MAX_DISPLAY_NAME_LENGTH, new_id, normalise_email
from domain.errors import EmailAlreadyRegistered, InvalidEmail
from domain.model import User
from tests.contracts.conftest import StoreFactory, Stores

# Without "@", whitespace or control characters; the rare one that case folding lengthens past
# the limit, or with a label that only looks like an A-label, is no address.
_address_part = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="@"),
    min_size=1,
    max_size=60,
)


def _is_address(text: str) -> bool:
    try:
        normalise_email(text)
    except InvalidEmail:
        return False
    return True


emails = (
    st.builds("{}@{}".format, _address_part, _address_part).filter(_is_address).map(normalise_email)
)
# Only what UTF-8 can encode, and no NUL, which PostgreSQL text cannot hold.
display_names = (
    st.text(
        st.characters(codec="utf-8", exclude_characters="\x00"),
        min_size=1,
        max_size=MAX_DISPLAY_NAME_LENGTH,
    )
    .map(str.strip)
    .filter(bool)
)


def a_user(
    email: str,
    *,
    display_name: str = "Ada Lovelace",
    password_hash: str | None = None,
    created_at: int = 1_700_000_000,
) -> User:
    return User(new_id(), email, display_name, password_hash, created_at)


@settings(max_examples=25, deadline=None)
@given(
    email=emails,
    display_name=display_names,
    password_hash=st.none() | st.text(st.characters(codec="ascii", exclude_characters="\x00")),
    created_at=st.integers(min_value=0, max_value=2**63 - 1),
)
async def test_a_user_round_trips_exactly(
    store_factory: StoreFactory,
    email: str,
    display_name: str,
    password_hash: str | None,
    created_at: int,
) -> None:
    user = a_user(
        email, display_name=display_name, password_hash=password_hash, created_at=created_at
    )
    async with store_factory() as stores:
        await stores.users.add(user)

        assert await stores.users.by_id(user.id) == user
        assert await stores.users.by_email(email) == user


async def test_unknown_users_are_none(stores: Stores) -> None:
    await stores.users.add(a_user("ada@example.com"))

    assert await stores.users.by_id(new_id()) is None
    assert await stores.users.by_email("grace@example.com") is None


async def test_a_taken_email_is_refused_and_the_first_user_kept(stores: Stores) -> None:
    first = a_user("ada@example.com")
    await stores.users.add(first)

    with pytest.raises(EmailAlreadyRegistered):
        await stores.users.add(a_user("ada@example.com", display_name="Impostor"))

    assert await stores.users.by_email("ada@example.com") == first


async def test_set_password_hash_replaces_only_that_users_hash(stores: Stores) -> None:
    ada = a_user("ada@example.com", password_hash="old-hash")
    grace = a_user("grace@example.com", password_hash="graces-hash")
    await stores.users.add(ada)
    await stores.users.add(grace)

    await stores.users.set_password_hash(ada.id, "new-hash")

    assert await stores.users.by_id(ada.id) == replace(ada, password_hash="new-hash")
    assert await stores.users.by_id(grace.id) == grace


async def test_set_password_hash_of_an_unknown_user_changes_nothing(stores: Stores) -> None:
    ada = a_user("ada@example.com")
    await stores.users.add(ada)

    await stores.users.set_password_hash(new_id(), "new-hash")

    assert await stores.users.by_id(ada.id) == ada
