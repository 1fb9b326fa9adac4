"""An in-memory Sessions port."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from domain.model import RefreshTokenRecord, Revocation, Session
from tests.fakes.fake_users import FakeUsers


@dataclass(frozen=True, slots=True)
class _StoredToken:
    session_id: str
    rotated_at: int | None = None
    reissued: bool = False


class FakeSessions:
    """Sessions and refresh-token hashes in dicts, with the semantics the SQL store has.

    No method awaits between reading and writing, so each one is atomic on the event loop. It
    reads the users' deletion marks from `users`, as the SQL store joins the users table.
    """

    def __init__(self, users: FakeUsers) -> None:
        self._users = users
        self._sessions: dict[str, Session] = {}
        self._tokens: dict[str, _StoredToken] = {}
        self._log: list[Revocation] = []

    async def create(self, session: Session, refresh_hash: str) -> bool:
        if not self._users.is_open(session.user_id, session.created_at):
            return False
        self._sessions[session.id] = session
        self._tokens[refresh_hash] = _StoredToken(session.id)
        return True

    async def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    async def find_refresh(self, refresh_hash: str) -> RefreshTokenRecord | None:
        token = self._tokens.get(refresh_hash)
        if token is None:
            return None
        session = self._sessions[token.session_id]
        return RefreshTokenRecord(
            session, token.rotated_at, self._users.deletion_mark(session.user_id)
        )

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        token = self._tokens.get(old_hash)
        if token is None or token.rotated_at is not None:
            return False
        self._tokens[old_hash] = replace(token, rotated_at=now)
        self._add_token(token.session_id, new_hash, now)
        return True

    async def reissue(self, rotated_hash: str, new_hash: str, now: int) -> bool:
        token = self._tokens.get(rotated_hash)
        if token is None or token.rotated_at is None or token.reissued:
            return False
        self._tokens[rotated_hash] = replace(token, reissued=True)
        self._add_token(token.session_id, new_hash, now)
        return True

    async def list_for_user(self, user_id: str) -> list[Session]:
        return [
            session
            for session in self._sessions.values()
            if session.user_id == user_id and session.revoked_at is None
        ]

    async def revoke(self, session_id: str, now: int) -> bool:
        session = self._sessions.get(session_id)
        if session is None or session.revoked_at is not None:
            return False
        self._sessions[session_id] = replace(session, revoked_at=now)
        self._log.append(Revocation(self._next_cursor(), session_id, now))
        return True

    async def revoked_since(self, since: int) -> list[str]:
        return [entry.session_id for entry in self._log if entry.revoked_at >= since]

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        return [entry for entry in self._log if entry.cursor > cursor][:limit]

    def erase_user(self, user_id: str, now: int) -> tuple[str, ...]:
        """Revoke the user's sessions into the log, then drop them with their tokens, at once
        (the erasure fake's middle step; the SQL store does it by ON DELETE CASCADE)."""
        ended = tuple(
            sorted(
                session.id
                for session in self._sessions.values()
                if session.user_id == user_id and session.revoked_at is None
            )
        )
        for session_id in ended:
            self._log.append(Revocation(self._next_cursor(), session_id, now))
        gone = {sid for sid, session in self._sessions.items() if session.user_id == user_id}
        for session_id in gone:
            del self._sessions[session_id]
        self._tokens = {h: t for h, t in self._tokens.items() if t.session_id not in gone}
        return ended

    def _add_token(self, session_id: str, token_hash: str, now: int) -> None:
        session = self._sessions[session_id]
        self._tokens[token_hash] = _StoredToken(session_id)
        self._sessions[session_id] = replace(session, last_used_at=now)

    def _next_cursor(self) -> int:
        # As SQLite's rowid: one above the highest cursor still stored.
        return self._log[-1].cursor + 1 if self._log else 1

    # Retention: what FakeRetention removes. The SQL store deletes rows, and refresh tokens go
    # with their session by ON DELETE CASCADE.

    def purge_sessions(self, ended: Callable[[Session], bool], limit: int) -> int:
        """Drop up to `limit` sessions for which `ended` holds, with their refresh tokens."""
        doomed = [sid for sid, session in self._sessions.items() if ended(session)][:limit]
        for session_id in doomed:
            del self._sessions[session_id]
        gone = set(doomed)
        self._tokens = {h: t for h, t in self._tokens.items() if t.session_id not in gone}
        return len(doomed)

    def purge_revocations(self, revoked_before: int, limit: int) -> int:
        """Drop up to `limit` log entries revoked before `revoked_before`, never the newest."""
        newest = self._log[-1].cursor if self._log else None
        doomed = {
            entry.cursor
            for entry in self._log
            if entry.revoked_at < revoked_before and entry.cursor != newest
        }
        doomed = set(sorted(doomed)[:limit])
        self._log = [entry for entry in self._log if entry.cursor not in doomed]
        return len(doomed)
