"""An in-memory Sessions port."""

from collections.abc import Callable
from dataclasses import dataclass, replace

from domain.model import ChainRecord, Revocation, Session
from domain.refresh_chain import RefreshChain
from tests.fakes.fake_users import FakeUsers


@dataclass(frozen=True, slots=True)
class _StoredChain:
    chain: RefreshChain
    chain_id_hash: str | None
    legacy_token_hash: str | None = None


class FakeSessions:
    """Sessions and their refresh chains in dicts, with the semantics the SQL store has.

    No method awaits between reading and writing, so each one is atomic on the event loop. It
    reads the users' deletion marks from `users`, as the SQL store joins the users table.
    """

    def __init__(self, users: FakeUsers) -> None:
        self._users = users
        self._sessions: dict[str, Session] = {}
        self._chains: dict[str, _StoredChain] = {}
        # The revocation log: appended here, read through `FakeRevocationLog`.
        self.log: list[Revocation] = []

    async def create(self, session: Session, chain_id_hash: str, chain: RefreshChain) -> bool:
        if not self._users.is_open(session.user_id, session.created_at):
            return False
        self._sessions[session.id] = session
        self._chains[session.id] = _StoredChain(chain, chain_id_hash)
        return True

    def seed_legacy(self, session: Session, token_hash: str) -> None:
        """A session as migration 0006 leaves one from before chains: found by its last opaque
        token's hash, at generation 0."""
        self._sessions[session.id] = session
        chain = RefreshChain(0, token_hash, None, session.last_used_at, None)
        self._chains[session.id] = _StoredChain(chain, None, token_hash)

    async def get(self, session_id: str) -> Session | None:
        return self._sessions.get(session_id)

    async def find_chain(self, chain_id_hash: str) -> ChainRecord | None:
        return self._find(lambda stored: stored.chain_id_hash == chain_id_hash)

    async def find_legacy(self, token_hash: str) -> ChainRecord | None:
        return self._find(lambda stored: stored.legacy_token_hash == token_hash)

    def _find(self, matches: Callable[[_StoredChain], bool]) -> ChainRecord | None:
        for session_id, stored in self._chains.items():
            if matches(stored):
                session = self._sessions[session_id]
                mark = self._users.deletion_mark(session.user_id)
                return ChainRecord(session, stored.chain, mark)
        return None

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        stored = self._chains.get(session_id)
        session = self._sessions.get(session_id)
        if (
            stored is None
            or session is None
            or session.revoked_at is not None
            or stored.chain.generation != from_generation
        ):
            return False
        self._chains[session_id] = replace(stored, chain=chain, chain_id_hash=chain_id_hash)
        self._sessions[session_id] = replace(session, last_used_at=chain.advanced_at)
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
        self.log.append(Revocation(self._next_cursor(), session_id, now))
        return True

    def erase_user(self, user_id: str, now: int) -> tuple[str, ...]:
        """Revoke the user's sessions into the log, then drop them with their chains, at once
        (the erasure fake's middle step; the SQL store does it by ON DELETE CASCADE)."""
        ended = tuple(
            sorted(
                session.id
                for session in self._sessions.values()
                if session.user_id == user_id and session.revoked_at is None
            )
        )
        for session_id in ended:
            self.log.append(Revocation(self._next_cursor(), session_id, now))
        gone = {sid for sid, session in self._sessions.items() if session.user_id == user_id}
        for session_id in gone:
            del self._sessions[session_id]
            del self._chains[session_id]
        return ended

    def _next_cursor(self) -> int:
        # As SQLite's rowid: one above the highest cursor still stored.
        return self.log[-1].cursor + 1 if self.log else 1

    # Retention: what FakeRetention removes. The SQL store deletes rows, and a session's refresh
    # chain is a part of its row.

    def purge_sessions(self, ended: Callable[[Session], bool], limit: int) -> int:
        """Drop up to `limit` sessions for which `ended` holds, with their refresh chains."""
        doomed = [sid for sid, session in self._sessions.items() if ended(session)][:limit]
        for session_id in doomed:
            del self._sessions[session_id]
            del self._chains[session_id]
        return len(doomed)

    def purge_revocations(self, revoked_before: int, limit: int) -> int:
        """Drop up to `limit` log entries revoked before `revoked_before`, never the newest."""
        newest = self.log[-1].cursor if self.log else None
        doomed = {
            entry.cursor
            for entry in self.log
            if entry.revoked_at < revoked_before and entry.cursor != newest
        }
        doomed = set(sorted(doomed)[:limit])
        self.log[:] = [entry for entry in self.log if entry.cursor not in doomed]
        return len(doomed)
