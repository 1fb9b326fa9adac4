"""An in-memory IssuedConnectTokens port."""

from domain.model import IssuedConnectToken
from tests.fakes.fake_users import FakeUsers


class FakeIssuedConnectTokens:
    """Issued tokens in a list, with the semantics the SQL store has (no await: atomic)."""

    def __init__(self, users: FakeUsers) -> None:
        self._users = users
        self._tokens: list[tuple[str, IssuedConnectToken]] = []

    async def record(self, user_id: str, token: IssuedConnectToken, now: int) -> bool:
        if not self._users.is_open(user_id, now):
            return False
        self._tokens.append((user_id, token))
        return True

    async def live_for(self, user_id: str, now: int) -> list[str]:
        return sorted(
            {
                token.id
                for owner, token in self._tokens
                if owner == user_id and token.expires_at > now
            }
        )

    async def forget(self, user_id: str, token_id: str) -> None:
        self._tokens = [
            (owner, token)
            for owner, token in self._tokens
            if not (owner == user_id and token.id == token_id)
        ]

    def erase_user(self, user_id: str) -> None:
        """Drop every token of the user (the SQL store does it by ON DELETE CASCADE)."""
        self._tokens = [(owner, token) for owner, token in self._tokens if owner != user_id]

    # Retention: what FakeRetention removes.

    def purge_expired(self, expired_before: int, limit: int) -> int:
        """Drop up to `limit` records whose token expired before `expired_before`."""
        doomed = [
            index
            for index, (_, token) in enumerate(self._tokens)
            if token.expires_at < expired_before
        ][:limit]
        gone = set(doomed)
        self._tokens = [entry for index, entry in enumerate(self._tokens) if index not in gone]
        return len(doomed)
