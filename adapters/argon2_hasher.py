"""The PasswordHasher port on argon2-cffi (argon2id, RFC 9106 defaults)."""

import asyncio

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2PasswordHasher:
    """argon2id with the library's recommended parameters, computed in worker threads.

    argon2-cffi releases the GIL while hashing, so threads keep the event loop serving
    other requests during the ~50 ms a hash takes.
    """

    def __init__(self, hasher: _Argon2 | None = None) -> None:
        self._hasher = hasher or _Argon2()

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, _utf8(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, _utf8(password))

    def _verify(self, password_hash: str, password: bytes) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True


def _utf8(password: str) -> bytes:
    # A lone surrogate from JSON has no strict UTF-8 form; it must fail to match, not crash.
    return password.encode("utf-8", "surrogatepass")
