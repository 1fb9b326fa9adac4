"""An in-memory SuccessorKeys port whose keys a test can add and remove (named keys, not ones
derived from signing keys; the secret is the same HMAC)."""

import hashlib

from adapters.tokens.successor_keys import hmac_secret


class FakeSuccessorKeys:
    """Named keys; the newest one added derives new successors."""

    def __init__(self, *key_ids: str) -> None:
        self._keys: dict[str, bytes] = {}
        self._current = ""
        for key_id in key_ids or ("key-1",):
            self.add(key_id)

    def add(self, key_id: str) -> None:
        """Configure `key_id` and derive new successors with it."""
        self._keys[key_id] = hashlib.sha256(key_id.encode()).digest()
        self._current = key_id

    def remove(self, key_id: str) -> None:
        """Stop knowing `key_id`, as when a signing key is removed."""
        del self._keys[key_id]

    def current_key_id(self) -> str:
        return self._current

    def derive(self, key_id: str, text: str) -> str | None:
        key = self._keys.get(key_id)
        return None if key is None else hmac_secret(key, text)
