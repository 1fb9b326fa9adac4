"""The random values the domain hands out, and the stored form of a refresh token."""

import base64
import hashlib

from domain.credentials import new_token_id, refresh_token_hash
from domain.refresh_chain import first_token


def random_bits(token: str) -> int:
    return 8 * len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))


def test_a_first_refresh_token_carries_a_128_bit_chain_id_and_a_256_bit_secret() -> None:
    tokens = {first_token() for _ in range(3)}
    assert len({token.text for token in tokens}) == 3
    assert {random_bits(token.chain_id) for token in tokens} == {128}
    assert {random_bits(token.text.split(".")[2]) for token in tokens} == {256}


def test_an_access_token_id_carries_128_random_bits() -> None:
    ids = {new_token_id() for _ in range(3)}
    assert len(ids) == 3
    assert {random_bits(token_id) for token_id in ids} == {128}


def test_a_refresh_token_with_a_lone_surrogate_still_has_a_stored_form() -> None:
    # Whatever string reaches the domain, its lookup is a miss (an invalid token), never a crash.
    assert refresh_token_hash("a\ud800") == hashlib.sha256(b"a\xed\xa0\x80").hexdigest()
    assert refresh_token_hash("a\ud800") != refresh_token_hash("a\udc00")
