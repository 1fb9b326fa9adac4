"""The Sessions port over SQL."""

import json
from typing import Any

from sqlalchemy import ColumnElement, Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sql.tables import refresh_tokens, session_revocations, sessions
from domain.model import RefreshTokenRecord, Revocation, Session


class SqlSessions:
    """Sessions and their refresh-token hashes; each change is one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, session: Session, refresh_hash: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                insert(sessions).values(
                    id=session.id,
                    user_id=session.user_id,
                    auth_time=session.auth_time,
                    amr=json.dumps(session.amr),
                    created_at=session.created_at,
                    last_used_at=session.last_used_at,
                    expires_at=session.expires_at,
                    revoked_at=session.revoked_at,
                    user_agent=session.user_agent,
                    credential_id=session.credential_id,
                    corbado_user_id=session.corbado_user_id,
                )
            )
            await _add_token(connection, session.id, refresh_hash, session.created_at)

    async def get(self, session_id: str) -> Session | None:
        async with self._engine.connect() as connection:
            row = (
                await connection.execute(select(sessions).where(sessions.c.id == session_id))
            ).one_or_none()
        return None if row is None else _session(row)

    async def find_refresh(self, refresh_hash: str) -> RefreshTokenRecord | None:
        query = (
            select(sessions, refresh_tokens.c.rotated_at)
            .join_from(refresh_tokens, sessions)
            .where(refresh_tokens.c.token_hash == refresh_hash)
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).one_or_none()
        return None if row is None else RefreshTokenRecord(_session(row), row.rotated_at)

    async def rotate(self, old_hash: str, new_hash: str, now: int) -> bool:
        # The compare-and-set: of racing callers, the database lets one update the row.
        claim = refresh_tokens.c.rotated_at.is_(None), {"rotated_at": now}
        return await self._succeed(old_hash, claim, new_hash, now)

    async def reissue(self, rotated_hash: str, new_hash: str, now: int) -> bool:
        claim = (
            refresh_tokens.c.rotated_at.is_not(None) & refresh_tokens.c.reissued_at.is_(None),
            {"reissued_at": now},
        )
        return await self._succeed(rotated_hash, claim, new_hash, now)

    async def _succeed(
        self,
        token_hash: str,
        claim: tuple[ColumnElement[bool], dict[str, int]],
        new_hash: str,
        now: int,
    ) -> bool:
        """In one transaction: claim `token_hash` if `claim` holds, then add its successor."""
        condition, changes = claim
        async with self._engine.begin() as connection:
            claimed = await connection.execute(
                update(refresh_tokens)
                .where(refresh_tokens.c.token_hash == token_hash, condition)
                .values(**changes)
            )
            if claimed.rowcount != 1:
                return False
            session_id = (
                await connection.execute(
                    select(refresh_tokens.c.session_id).where(
                        refresh_tokens.c.token_hash == token_hash
                    )
                )
            ).scalar_one()
            await _add_token(connection, session_id, new_hash, now)
            await _touch(connection, session_id, now)
        return True

    async def list_for_user(self, user_id: str) -> list[Session]:
        query = select(sessions).where(
            sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_session(row) for row in rows]

    async def revoke(self, session_id: str, now: int) -> bool:
        async with self._engine.begin() as connection:
            ended = await connection.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            if ended.rowcount != 1:
                return False
            await connection.execute(
                insert(session_revocations).values(session_id=session_id, revoked_at=now)
            )
        return True

    async def revoked_since(self, since: int) -> list[str]:
        query = select(session_revocations.c.session_id).where(
            session_revocations.c.revoked_at >= since
        )
        async with self._engine.connect() as connection:
            return list(await connection.scalars(query))

    async def revocations_after(self, cursor: int, limit: int) -> list[Revocation]:
        query = (
            select(session_revocations)
            .where(session_revocations.c.cursor > cursor)
            .order_by(session_revocations.c.cursor)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [Revocation(row.cursor, row.session_id, row.revoked_at) for row in rows]


async def _add_token(
    connection: AsyncConnection, session_id: str, token_hash: str, issued_at: int
) -> None:
    await connection.execute(
        insert(refresh_tokens).values(
            token_hash=token_hash, session_id=session_id, issued_at=issued_at
        )
    )


async def _touch(connection: AsyncConnection, session_id: str, now: int) -> None:
    await connection.execute(
        update(sessions).where(sessions.c.id == session_id).values(last_used_at=now)
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
