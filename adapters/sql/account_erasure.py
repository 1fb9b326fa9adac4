"""The AccountErasure port over SQL: the local end of an account deletion, one transaction."""

from sqlalchemy import bindparam, delete, insert, select, update

from adapters.sql.engine import Database, durable_transaction
from adapters.sql.tables import session_revocations, sessions, users
from domain.errors import DeletionInterrupted

# The first statement writes, so that SQLite takes its write lock before anything is read; on
# PostgreSQL it locks the user's row, and only while the deletion mark still stands.
_HOLD_MARKED_USER = (
    update(users)
    .where(
        users.c.id == bindparam("b_id"),
        users.c.deletion_pending_until > bindparam("b_now"),
    )
    .values(deletion_pending_until=users.c.deletion_pending_until)
)
_USER_EXISTS = select(users.c.id).where(users.c.id == bindparam("id"))
_REVOKE_ALL_OF_USER = (
    update(sessions)
    .where(sessions.c.user_id == bindparam("b_user_id"), sessions.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("b_now"))
    .returning(sessions.c.id)
)
_INSERT_REVOCATION = insert(session_revocations)
# Sessions, refresh tokens and connect tokens go with the user (ON DELETE CASCADE); the
# revocation log has no foreign key and keeps its entries.
_DELETE_USER = delete(users).where(users.c.id == bindparam("id"))


class SqlAccountErasure:
    """Revokes an account's sessions into the revocation log and deletes the user, atomically."""

    def __init__(self, engine: Database) -> None:
        self._engine = engine

    async def erase(self, user_id: str, now: int) -> tuple[str, ...] | None:
        async with durable_transaction(self._engine) as connection:
            held = await connection.execute(_HOLD_MARKED_USER, {"b_id": user_id, "b_now": now})
            if held.rowcount != 1:
                if (await connection.execute(_USER_EXISTS, {"id": user_id})).first() is None:
                    return None
                raise DeletionInterrupted("the account's deletion mark no longer stands")
            revoked = await connection.execute(
                _REVOKE_ALL_OF_USER, {"b_user_id": user_id, "b_now": now}
            )
            ended = tuple(sorted(revoked.scalars()))
            if ended:
                await connection.execute(
                    _INSERT_REVOCATION,
                    [{"session_id": session_id, "revoked_at": now} for session_id in ended],
                )
            await connection.execute(_DELETE_USER, {"id": user_id})
        return ended
