"""An in-memory EmailTokens port."""

from dataclasses import dataclass

from domain.email_links import EmailPurpose
from tests.fakes.fake_users import FakeUsers


@dataclass(frozen=True, slots=True)
class _Token:
    user_id: str
    purpose: EmailPurpose
    token_hash: str
    issued_at: int
    expires_at: int


class FakeEmailTokens:
    """Tokens in a dict by (account, purpose), with the semantics the SQL store has; no await
    inside a method, so each is atomic."""

    def __init__(self, users: FakeUsers) -> None:
        self._users = users
        self._tokens: dict[tuple[str, EmailPurpose], _Token] = {}

    async def issue(
        self,
        user_id: str,
        purpose: EmailPurpose,
        token_hash: str,
        now: int,
        expires_at: int,
        *,
        unless_issued_since: int,
    ) -> bool:
        self._drop_orphans()
        earlier = self._tokens.get((user_id, purpose))
        if earlier is not None and earlier.issued_at >= unless_issued_since:
            return False
        if not self._users.is_open(user_id, now):
            return False
        self._tokens[user_id, purpose] = _Token(user_id, purpose, token_hash, now, expires_at)
        return True

    async def holder(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        token = self._live(token_hash, purpose, now)
        return None if token is None else token.user_id

    async def use(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        token = self._live(token_hash, purpose, now)
        if token is None:
            return None
        del self._tokens[token.user_id, purpose]
        return token.user_id

    async def recover(self, token_hash: str, password_hash: str, now: int) -> str | None:
        token = self._live(token_hash, EmailPurpose.RECOVER, now)
        if token is None:
            return None
        del self._tokens[token.user_id, EmailPurpose.RECOVER]
        self._users.replace_password_hash(token.user_id, password_hash)
        return token.user_id

    def _live(self, token_hash: str, purpose: EmailPurpose, now: int) -> _Token | None:
        self._drop_orphans()
        return next(
            (
                token
                for token in self._tokens.values()
                if token.token_hash == token_hash
                and token.purpose is purpose
                and now < token.expires_at
            ),
            None,
        )

    def _drop_orphans(self) -> None:
        # Tokens go with their account, as ON DELETE CASCADE takes them in SQL.
        self._tokens = {
            key: token for key, token in self._tokens.items() if self._users.exists(token.user_id)
        }
