"""Log redaction: the fast path never lets through what the full set of patterns would mask."""

import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.observability.redaction import MASK, _redact_all, redact_text

FRAGMENTS = [
    "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln",
    "ctk1_abc",
    "corbado1_xyz",
    "Bearer ",
    "basic ",
    "password=",
    '"refreshToken": "',
    "-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----",
    "x" * 39,
    "Ab1" * 14,
    "GET /auth/me 200",
    "2026-11-26T02:03:36.095995Z",
    "127.0.0.1",
    "=",
    ":",
    "PASSWORD=",
    "pa\u017fsword=",
    "authori\u0131ation: ",
    "bas\u0131c ",
    "bas\u0130c ",
    "\u212aEY",
    " ",
    '"',
]
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet="aZ09_-+/=:. \"'", max_size=50)),
    max_size=8,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(texts, st.text(max_size=200)))
def test_the_fast_path_answers_exactly_as_every_pattern_would(text: str) -> None:
    assert redact_text(text) == _redact_all(text)


@pytest.mark.parametrize(
    "secret",
    [
        "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl",
        "ctk1_" + secrets.token_urlsafe(16),
        "corbado1_" + secrets.token_urlsafe(16),
        secrets.token_urlsafe(32),
    ],
    ids=["jwt", "connect-token", "api-secret", "refresh-token"],
)
def test_secret_shapes_are_masked_inside_text(secret: str) -> None:
    assert redact_text(f"calling with {secret} now") == f"calling with {MASK} now"


def test_values_of_secret_keys_are_masked() -> None:
    assert redact_text("password=hunter2 ok") == f"password={MASK}"
    assert redact_text("Authorization: Bearer abc.def") == f"Authorization: {MASK}"


@pytest.mark.parametrize(
    "harmless",
    ["GET /auth/me 200", "c7cb7f5ae0114bc7a2e5f9619cd524de", "connect_backend.access", "info"],
)
def test_ordinary_log_values_pass_unchanged(harmless: str) -> None:
    assert redact_text(harmless) == harmless
