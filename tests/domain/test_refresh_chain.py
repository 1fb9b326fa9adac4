"""The refresh tokens' shape, and the judgement of a presented token, as pure functions."""

from hypothesis import example, given
from hypothesis import strategies as st

from domain.refresh_chain import (
    MAX_GENERATION,
    ChainToken,
    LegacyToken,
    Presented,
    RefreshChain,
    chain_token,
    classify,
    first_token,
    read_refresh_token,
)

CHAIN_ID = "c" * 22
SECRET = "s" * 43


@given(generation=st.integers(0, MAX_GENERATION))
@example(generation=MAX_GENERATION)
def test_a_chain_token_of_any_reachable_generation_reads_back(generation: int) -> None:
    token = chain_token(CHAIN_ID, generation, SECRET)
    assert read_refresh_token(token.text) == token


@given(generation=st.integers(MAX_GENERATION + 1, 10 * MAX_GENERATION - 1))
@example(generation=MAX_GENERATION + 1)
def test_a_generation_past_the_maximum_is_no_token(generation: int) -> None:
    assert read_refresh_token(f"{CHAIN_ID}.{generation}.{SECRET}") is None


def test_a_first_token_is_generation_zero_of_a_new_chain() -> None:
    token = first_token()
    assert read_refresh_token(token.text) == token
    assert token.generation == 0
    assert first_token().chain_id != token.chain_id


def test_an_opaque_token_from_before_chains_reads_as_legacy() -> None:
    assert read_refresh_token(SECRET) == LegacyToken(SECRET)
    assert read_refresh_token(SECRET + "x") is None


hashes = st.sampled_from(["a" * 64, "b" * 64, "c" * 64])


@given(
    generation=st.integers(0, 50),
    presented=st.integers(0, 52),
    current=hashes,
    previous=st.none() | hashes,
    token_hash=hashes,
    since=st.integers(0, 60),
    grace=st.integers(0, 60),
)
@example(
    generation=3,
    presented=2,
    current="a" * 64,
    previous="b" * 64,
    token_hash="b" * 64,
    since=29,
    grace=30,
)
@example(
    generation=3,
    presented=2,
    current="a" * 64,
    previous="b" * 64,
    token_hash="b" * 64,
    since=30,
    grace=30,
)
def test_only_the_current_token_and_the_fresh_predecessor_are_not_reuse(
    generation: int,
    presented: int,
    current: str,
    previous: str | None,
    token_hash: str,
    since: int,
    grace: int,
) -> None:
    chain = RefreshChain(generation, current, previous, 1000, "key")
    verdict = classify(chain, presented, token_hash, 1000 + since, grace)
    if presented == generation and token_hash == current:
        assert verdict is Presented.CURRENT
    elif presented == generation - 1 and token_hash == previous and since < grace:
        assert verdict is Presented.PREDECESSOR_IN_WINDOW
    else:
        assert verdict is Presented.REUSED
    assert isinstance(
        read_refresh_token(chain_token(CHAIN_ID, generation, SECRET).text), ChainToken
    )
