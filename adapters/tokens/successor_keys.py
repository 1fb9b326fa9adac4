"""The SuccessorKeys port with HMAC-SHA256 keys derived from the signing keys.

A refresh token's successor secret is HMAC(key, token): deterministic, so retries converge, and
unforgeable without the key (decision 0007). Every configured signing key derives one, named by
its `kid`; the first one derives new successors. A successor is only ever derived again within
the grace window, so removing an old signing key costs at most that window.
"""

import base64
import hashlib
import hmac
from collections.abc import Sequence

from adapters.tokens.signing_keys import SigningKey, derive_hmac_key

_HKDF_INFO = b"connect-backend refresh successor key v1"


class HmacSuccessorKeys:
    """Successor secrets from HMAC keys, one per signing key."""

    def __init__(self, signing_keys: Sequence[SigningKey]) -> None:
        if not signing_keys:
            raise ValueError("at least one signing key is required")
        self._current = signing_keys[0].kid
        self._keys = {key.kid: derive_hmac_key(key, _HKDF_INFO) for key in signing_keys}

    def current_key_id(self) -> str:
        return self._current

    def derive(self, key_id: str, text: str) -> str | None:
        key = self._keys.get(key_id)
        return None if key is None else hmac_secret(key, text)


def hmac_secret(key: bytes, text: str) -> str:
    """HMAC-SHA256 of `text` under `key`, as 43 unpadded base64url characters."""
    mac = hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")
