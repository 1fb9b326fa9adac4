"""The PasswordHasher port, against the fake and argon2id."""

import pytest
from argon2 import PasswordHasher as Argon2
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.argon2_hasher import Argon2PasswordHasher
from domain.ports import PasswordHasher
from tests.fakes.fake_password_hasher import FakePasswordHasher

# Cheap argon2 parameters keep the suite fast; the production defaults are argon2-cffi's.
FAST_ARGON2 = Argon2(time_cost=1, memory_cost=8, parallelism=1)


def make(kind: str) -> PasswordHasher:
    return FakePasswordHasher() if kind == "fake" else Argon2PasswordHasher(FAST_ARGON2)


KINDS = ["fake", "argon2"]
passwords = st.text(min_size=1, max_size=64)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=20, deadline=None)
@given(password=passwords, other=passwords)
async def test_a_hash_verifies_its_password_only(kind: str, password: str, other: str) -> None:
    hasher = make(kind)
    password_hash = await hasher.hash(password)
    assert await hasher.verify(password_hash, password)
    assert await hasher.verify(password_hash, other) == (other == password)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("garbage", ["", "not a hash", "$argon2id$v=19$broken"])
async def test_a_malformed_hash_never_verifies_and_never_raises(kind: str, garbage: str) -> None:
    hasher = make(kind)
    assert not await hasher.verify(garbage, "password")
    assert hasher.needs_rehash(garbage)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_fresh_hash_needs_no_rehash(kind: str) -> None:
    hasher = make(kind)
    assert not hasher.needs_rehash(await hasher.hash("correct horse"))


async def test_argon2_weaker_parameters_need_a_rehash() -> None:
    weak = await Argon2PasswordHasher(FAST_ARGON2).hash("correct horse")
    assert weak.startswith("$argon2id$")
    assert Argon2PasswordHasher().needs_rehash(weak)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_password_with_a_lone_surrogate_never_raises(kind: str) -> None:
    hasher = make(kind)
    password_hash = await hasher.hash("correct horse")
    assert not await hasher.verify(password_hash, "correct horse\ud800")
