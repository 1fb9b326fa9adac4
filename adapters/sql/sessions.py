"""The Sessions port over SQL."""

import json
from typing import Any

from sqlalchemy import Integer, Row, Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.account_open import open_account_row
from adapters.sql.tables import refresh_tokens, session_revocations, sessions, users
from domain.model import RefreshTokenRecord, Revocation, Session

# Statements are built once, here, and run with a parameter dict: building one per call (and
# SQLAlchemy computing its cache key) was half of a login's database time. An INSERT takes its
# columns from the dict's keys; an UPDATE's parameters are named "b_..." because SQLAlchemy
# reserves the column names for the SET clause.
# A session is inserted only while its account is open: a login racing an account deletion
# inserts nothing (see `open_account_row`). Takes the session's columns and "now".
_SESSION_COLUMNS = [column.name for column in sessions.columns]
_INSERT_SESSION_IF_ACCOUNT_OPEN = insert(sessions).from_select(
    _SESSION_COLUMNS,
    open_account_row(
        *(
            users.c.id if name == "user_id" else bindparam(name, type_=sessions.c[name].type)
            for name in _SESSION_COLUMNS
        )
    ),
)
_INSERT_REFRESH_TOKEN = insert(refresh_tokens)
_INSERT_REVOCATION = insert(session_revocations)

_SESSION_BY_ID = select(sessions).where(sessions.c.id == bindparam("id"))
_REFRESH_BY_HASH = (
    select(sessions, refresh_tokens.c.rotated_at, users.c.deletion_pending_until)
    .join_from(refresh_tokens, sessions)
    .join(users, users.c.id == sessions.c.user_id)
    .where(refresh_tokens.c.token_hash == bindparam("token_hash"))
)
_SESSION_OF_TOKEN = select(refresh_tokens.c.session_id).where(
    refresh_tokens.c.token_hash == bindparam("token_hash")
)
_LIVE_SESSIONS_OF_USER = select(sessions).where(
    sessions.c.user_id == bindparam("user_id"), sessions.c.revoked_at.is_(None)
)
_REVOKED_SINCE = select(session_revocations.c.session_id).where(
    session_revocations.c.revoked_at >= bindparam("since")
)
_REVOCATIONS_AFTER = (
    select(session_revocations)
    .where(session_revocations.c.cursor > bindparam("cursor"))
    .order_by(session_revocations.c.cursor)
    .limit(bindparam("limit", type_=Integer))
)

# The compare-and-set claims: of racing callers, the database lets one update the row; each
# takes {"b_token_hash", "b_now"}.
_CLAIM_FOR_ROTATION = (
    update(refresh_tokens)
    .where(
        refresh_tokens.c.token_hash == bindparam("b_token_hash"),
        refresh_tokens.c.rotated_at.is_(None),
    )
    .values(rotated_at=bindparam("b_now"))
)
_CLAIM_FOR_REISSUE = (
    update(refresh_tokens)
    .where(
        refresh_tokens.c.token_hash == bindparam("b_token_hash"),
        refresh_tokens.c.rotated_at.is_not(None) & refresh_tokens.c.reissued_at.is_(None),
    )
    .values(reissued_at=bindparam("b_now"))
)
_TOUCH_SESSION = (
    update(sessions)
    .where(sessions.c.id == bindparam("b_id"))
    .values(last_used_at=bindparam("b_now"))
)
_REVOKE_SESSION = (
    update(sessions)
    .where(sessions.c.id == bindparam("b_id"), sessions.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("b_now"))
)


class SqlSessions:
    """Sessions and their refresh-token hashes; each change is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, session: Session, refresh_hash: str) -> bool:
        async with self._engine.begin() as connection:
            inserted = await connection.execute(
                _INSERT_SESSION_IF_ACCOUNT_OPEN,
                {
                    "now": session.created_at,
                    "id": session.id,
                    "user_id": session.user_id,
                    "auth_time": session.auth_time,
                    "amr": json.dumps(session.amr),
                    "created_at": session.created_at,
                    "last_used_at": session.last_used_at,
                    "expires_at": session.expires_at,
                    "revoked_at": session.revoked_at,
                    "user_agent": session.user_agent,
                    "credential_id": session.credential_id,
                    "corbado_user_id": session.corbado_user_id,
                },
            )
            if inserted.rowcount != 1:
                return False
            await _add_token(connection, session.id, refresh_hash, session.created_at)
        return True

    async def get(self, session_id: str) -> Session | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(_SESSION_BY_ID, {"id": session_id})).one_or_none()
        return None if row is None else _session(row)

    async def find_refresh(self, refresh_hash: str) -> RefreshTokenRecord | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(_REFRESH_BY_HASH, {"token_hash": refresh_hash})
            ).one_or_none()
        if row is None:
            return None
        return RefreshTokenRecord(_session(row), row.rotated_at, row.deletion_pending_until)

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        return await self._succeed(_CLAIM_FOR_ROTATION, old_hash, new_hash, now)

    async def reissue(self, rotated_hash: str, new_hash: str, now: int) -> bool:
        return await self._succeed(_CLAIM_FOR_REISSUE, rotated_hash, new_hash, now)

    async def _succeed(self, claim: Update, token_hash: str, new_hash: str, now: int) -> bool:
        """In one transaction: claim `token_hash` with the conditional UPDATE `claim`, then add
        its successor; the claim's row count says whether this caller won."""
        async with self._engine.begin() as connection:
            claimed = await connection.execute(claim, {"b_token_hash": token_hash, "b_now": now})
            if claimed.rowcount != 1:
                return False
            session_id = (
                await connection.execute(_SESSION_OF_TOKEN, {"token_hash": token_hash})
            ).scalar_one()
            await _add_token(connection, session_id, new_hash, now)
            await connection.execute(_TOUCH_SESSION, {"b_id": session_id, "b_now": now})
        return True

    async def list_for_user(self, user_id: str) -> list[Session]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_LIVE_SESSIONS_OF_USER, {"user_id": user_id})).all()
        return [_session(row) for row in rows]

    async def revoke(self, session_id: str, now: int) -> bool:
        async with self._engine.begin() as connection:
            ended = await connection.execute(_REVOKE_SESSION, {"b_id": session_id, "b_now": now})
            if ended.rowcount != 1:
                return False
            await connection.execute(
                _INSERT_REVOCATION, {"session_id": session_id, "revoked_at": now}
            )
        return True

    async def revoked_since(self, since: int) -> list[str]:
        async with self._engine.connect() as connection:
            return list(await connection.scalars(_REVOKED_SINCE, {"since": since}))

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(_REVOCATIONS_AFTER, {"cursor": cursor, "limit": limit})
            ).all()
        return [Revocation(row.cursor, row.session_id, row.revoked_at) for row in rows]


async def _add_token(
    connection: AsyncConnection, session_id: str, token_hash: str, issued_at: int
) -> None:
    await connection.execute(
        _INSERT_REFRESH_TOKEN,
        {"token_hash": token_hash, "session_id": session_id, "issued_at": issued_at},
    )


def _session(row: Row[*tuple[Any, ...]]) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        auth_time=row.auth_time,
        amr=tuple(json.loads(row.amr)),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        user_agent=row.user_agent,
        credential_id=row.credential_id,
        corbado_user_id=row.corbado_user_id,
    )
