"""What every EmailTokens store does, and the proof of an address on every Users store."""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.email_links import EmailPurpose, email_token_hash, new_email_token
from tests.contracts.conftest import StoreFactory, Stores
from tests.contracts.test_sessions_contract import NOW, a_user

TTL_S = 900
QUIET = NOW - 60
VERIFY, RECOVER = EmailPurpose.VERIFY, EmailPurpose.RECOVER


def a_token_hash() -> str:
    return email_token_hash(new_email_token())


async def issued(
    stores: Stores, user_id: str, purpose: EmailPurpose = VERIFY, *, at: int = NOW
) -> str:
    token_hash = a_token_hash()
    assert await stores.email_tokens.issue(
        user_id, purpose, token_hash, at, at + TTL_S, unless_issued_since=at - 60
    )
    return token_hash


async def test_an_issued_token_names_its_account_until_used(stores: Stores) -> None:
    user_id = await a_user(stores)
    token_hash = await issued(stores, user_id)

    assert await stores.email_tokens.holder(token_hash, VERIFY, NOW) == user_id
    assert await stores.email_tokens.holder(token_hash, VERIFY, NOW) == user_id
    assert await stores.email_tokens.use(token_hash, VERIFY, NOW) == user_id
    assert await stores.email_tokens.holder(token_hash, VERIFY, NOW) is None
    assert await stores.email_tokens.use(token_hash, VERIFY, NOW) is None


@settings(max_examples=15, deadline=None)
@given(age=st.integers(min_value=0, max_value=2 * TTL_S))
@example(age=TTL_S - 1)
@example(age=TTL_S)
async def test_a_token_is_live_until_it_expires(store_factory: StoreFactory, age: int) -> None:
    async with store_factory() as stores:
        user_id = await a_user(stores)
        token_hash = await issued(stores, user_id)
        expected = user_id if age < TTL_S else None

        assert await stores.email_tokens.holder(token_hash, VERIFY, NOW + age) == expected
        assert await stores.email_tokens.use(token_hash, VERIFY, NOW + age) == expected


async def test_a_token_is_of_one_purpose(stores: Stores) -> None:
    user_id = await a_user(stores)
    token_hash = await issued(stores, user_id, VERIFY)

    assert await stores.email_tokens.holder(token_hash, RECOVER, NOW) is None
    assert await stores.email_tokens.use(token_hash, RECOVER, NOW) is None
    assert await stores.email_tokens.recover(token_hash, "new-hash", NOW) is None
    assert await stores.email_tokens.holder(token_hash, VERIFY, NOW) == user_id


async def test_an_unknown_token_names_nobody(stores: Stores) -> None:
    await issued(stores, await a_user(stores))

    assert await stores.email_tokens.holder(a_token_hash(), VERIFY, NOW) is None
    assert await stores.email_tokens.use(a_token_hash(), VERIFY, NOW) is None


async def test_a_new_token_replaces_the_earlier_one_of_its_purpose(stores: Stores) -> None:
    user_id = await a_user(stores)
    first = await issued(stores, user_id, VERIFY)
    recovery = await issued(stores, user_id, RECOVER)

    second = await issued(stores, user_id, VERIFY, at=NOW + 61)

    assert await stores.email_tokens.holder(first, VERIFY, NOW + 61) is None
    assert await stores.email_tokens.holder(second, VERIFY, NOW + 61) == user_id
    assert await stores.email_tokens.holder(recovery, RECOVER, NOW + 61) == user_id


@pytest.mark.parametrize(("later", "issued_again"), [(0, False), (60, False), (61, True)])
async def test_a_token_issued_since_the_quiet_bound_keeps_the_new_one_out(
    stores: Stores, later: int, issued_again: bool
) -> None:
    user_id = await a_user(stores)
    first = await issued(stores, user_id)
    now = NOW + later
    second = a_token_hash()

    assert (
        await stores.email_tokens.issue(
            user_id, VERIFY, second, now, now + TTL_S, unless_issued_since=now - 60
        )
        is issued_again
    )
    assert await stores.email_tokens.holder(first, VERIFY, now) == (
        None if issued_again else user_id
    )
    assert await stores.email_tokens.holder(second, VERIFY, now) == (
        user_id if issued_again else None
    )


async def test_no_token_for_an_unknown_or_closing_account(stores: Stores) -> None:
    assert not await stores.email_tokens.issue(
        "no-such-user", VERIFY, a_token_hash(), NOW, NOW + TTL_S, unless_issued_since=QUIET
    )
    user_id = await a_user(stores)
    await stores.users.mark_for_deletion(user_id, NOW + 600)
    for purpose in (VERIFY, RECOVER):
        token_hash = a_token_hash()
        assert not await stores.email_tokens.issue(
            user_id, purpose, token_hash, NOW, NOW + TTL_S, unless_issued_since=QUIET
        )
        assert await stores.email_tokens.holder(token_hash, purpose, NOW) is None


async def test_no_replacement_for_a_closing_account(stores: Stores) -> None:
    user_id = await a_user(stores)
    first = await issued(stores, user_id)
    await stores.users.mark_for_deletion(user_id, NOW + 600)
    now = NOW + 120

    assert not await stores.email_tokens.issue(
        user_id, VERIFY, a_token_hash(), now, now + TTL_S, unless_issued_since=now - 60
    )
    assert await stores.email_tokens.holder(first, VERIFY, NOW) == user_id


async def test_recovery_uses_the_token_and_replaces_the_password_hash(stores: Stores) -> None:
    user_id = await a_user(stores)
    token_hash = await issued(stores, user_id, RECOVER)

    assert await stores.email_tokens.recover(token_hash, "argon2-new", NOW) == user_id
    recovered = await stores.users.by_email(f"{user_id}@example.com")
    assert recovered is not None
    assert recovered.password_hash == "argon2-new"
    assert await stores.email_tokens.recover(token_hash, "argon2-other", NOW) is None
    again = await stores.users.by_email(f"{user_id}@example.com")
    assert again is not None
    assert again.password_hash == "argon2-new"


async def test_an_expired_recovery_token_changes_nothing(stores: Stores) -> None:
    user_id = await a_user(stores)
    token_hash = await issued(stores, user_id, RECOVER)

    assert await stores.email_tokens.recover(token_hash, "argon2-new", NOW + TTL_S) is None
    user = await stores.users.by_email(f"{user_id}@example.com")
    assert user is not None
    assert user.password_hash is None


async def test_tokens_go_with_their_account(stores: Stores) -> None:
    user_id = await a_user(stores)
    token_hash = await issued(stores, user_id)

    assert await stores.users.delete(user_id)

    assert await stores.email_tokens.holder(token_hash, VERIFY, NOW) is None


async def test_the_first_proof_of_an_address_is_kept(stores: Stores) -> None:
    user_id = await a_user(stores)
    unproven = await stores.users.by_id(user_id)
    assert unproven is not None
    assert unproven.email_verified_at is None

    await stores.users.prove_email(user_id, NOW)
    await stores.users.prove_email(user_id, NOW + 10)

    proven = await stores.users.by_id(user_id)
    assert proven is not None
    assert proven.email_verified_at == NOW
    by_email = await stores.users.by_email(proven.email)
    assert by_email is not None
    assert by_email.email_verified_at == NOW


async def test_proving_an_unknown_account_changes_nothing(stores: Stores) -> None:
    await stores.users.prove_email("no-such-user", NOW)

    assert await stores.users.by_id("no-such-user") is None
