"""A transparent, instant password hasher: tests read the 'hash' and see the rules work."""

CURRENT = "fake-v2$"
OUTDATED = "fake-v1$"


class FakePasswordHasher:
    """Hashes are `fake-v2$<password reversed>`; `fake-v1$` ones verify but need a rehash."""

    def __init__(self) -> None:
        self.verified: list[str] = []

    async def hash(self, password: str) -> str:
        return CURRENT + password[::-1]

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        for prefix in (CURRENT, OUTDATED):
            if password_hash.startswith(prefix):
                return password_hash[len(prefix) :] == password[::-1]
        return False

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(CURRENT)
