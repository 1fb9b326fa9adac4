"""The RevokedSessions port: entries deny until their expiry, then vanish."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.memory_revocations import InMemoryRevokedSessions
from domain.ports import RevokedSessions
from tests.fakes.fake_revoked_sessions import FakeRevokedSessions

KINDS = ["fake", "memory"]


def make(kind: str) -> RevokedSessions:
    return FakeRevokedSessions() if kind == "fake" else InMemoryRevokedSessions()


@pytest.mark.parametrize("kind", KINDS)
async def test_an_entry_denies_until_its_expiry(kind: str) -> None:
    revoked = make(kind)
    await revoked.add("s1", until=100)
    assert await revoked.contains("s1", now=99)
    assert not await revoked.contains("s1", now=100)
    assert not await revoked.contains("s2", now=50)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_later_expiry_wins_over_an_earlier_one(kind: str) -> None:
    revoked = make(kind)
    await revoked.add("s1", until=200)
    await revoked.add("s1", until=100)
    assert await revoked.contains("s1", now=150)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=50, deadline=None)
@given(
    entries=st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 100)), max_size=20),
    probes=st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 100)), max_size=20),
)
async def test_any_sequence_matches_the_latest_expiry_rule(
    kind: str, entries: list[tuple[str, int]], probes: list[tuple[str, int]]
) -> None:
    revoked = make(kind)
    for session_id, until in entries:
        await revoked.add(session_id, until)
    for session_id, now in sorted(probes, key=lambda probe: probe[1]):
        latest = max((until for sid, until in entries if sid == session_id), default=0)
        assert await revoked.contains(session_id, now) == (latest > now)
