"""The Sessions port over SQL."""

import json
from typing import Any

from sqlalchemy import Row, Select, bindparam, insert, select, update

from adapters.sql.account_open import open_account_row
from adapters.sql.engine import Database, OneStatement, durable_transaction
from adapters.sql.tables import session_revocations, sessions, users
from domain.model import ChainRecord, Session
from domain.refresh_chain import RefreshChain

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
_INSERT_REVOCATION = insert(session_revocations)

_SESSION_BY_ID = select(sessions).where(sessions.c.id == bindparam("id"))
_SESSION_WITH_DELETION_MARK = select(sessions, users.c.deletion_pending_until).join(
    users, users.c.id == sessions.c.user_id
)
_SESSION_BY_CHAIN = _SESSION_WITH_DELETION_MARK.where(
    sessions.c.chain_id_hash == bindparam("chain_id_hash")
)
_SESSION_BY_LEGACY_TOKEN = _SESSION_WITH_DELETION_MARK.where(
    sessions.c.legacy_token_hash == bindparam("token_hash")
)
_LIVE_SESSIONS_OF_USER = select(sessions).where(
    sessions.c.user_id == bindparam("user_id"), sessions.c.revoked_at.is_(None)
)

# The compare-and-set that advances a chain: of racing callers, the database lets one move it.
_ADVANCE_CHAIN = (
    update(sessions)
    .where(
        sessions.c.id == bindparam("b_id"),
        sessions.c.chain_generation == bindparam("b_from_generation"),
        sessions.c.revoked_at.is_(None),
    )
    .values(
        chain_id_hash=bindparam("b_chain_id_hash"),
        chain_generation=bindparam("b_generation"),
        chain_current_hash=bindparam("b_current_hash"),
        chain_previous_hash=bindparam("b_previous_hash"),
        chain_advanced_at=bindparam("b_advanced_at"),
        chain_key_id=bindparam("b_key_id"),
        last_used_at=bindparam("b_advanced_at"),
    )
)
_REVOKE_SESSION = (
    update(sessions)
    .where(sessions.c.id == bindparam("b_id"), sessions.c.revoked_at.is_(None))
    .values(revoked_at=bindparam("b_now"))
)


class SqlSessions:
    """Sessions with their refresh chains; each change is one transaction (a single statement
    where it can be: `OneStatement`).

    `revoke` appends to the revocation log, which `SqlRevocationLog` reads.
    """

    def __init__(self, engine: Database) -> None:
        self._engine = engine
        self._one_statement = OneStatement(engine)

    async def create(self, session: Session, chain_id_hash: str, chain: RefreshChain) -> bool:
        async with self._one_statement.write() as connection:
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
                    "chain_id_hash": chain_id_hash,
                    "legacy_token_hash": None,
                    "chain_generation": chain.generation,
                    "chain_current_hash": chain.current_hash,
                    "chain_previous_hash": chain.previous_hash,
                    "chain_advanced_at": chain.advanced_at,
                    "chain_key_id": chain.key_id,
                },
            )
        return inserted.rowcount == 1

    async def get(self, session_id: str) -> Session | None:
        async with self._one_statement.read() as connection:
            row = (await connection.execute(_SESSION_BY_ID, {"id": session_id})).one_or_none()
        return None if row is None else _session(row)

    async def find_chain(self, chain_id_hash: str) -> ChainRecord | None:
        return await self._find(_SESSION_BY_CHAIN, {"chain_id_hash": chain_id_hash})

    async def find_legacy(self, token_hash: str) -> ChainRecord | None:
        return await self._find(_SESSION_BY_LEGACY_TOKEN, {"token_hash": token_hash})

    async def _find(self, query: Select[Any], parameters: dict[str, str]) -> ChainRecord | None:
        async with self._one_statement.read() as connection:
            row = (await connection.execute(query, parameters)).one_or_none()
        if row is None:
            return None
        chain = RefreshChain(
            generation=row.chain_generation,
            current_hash=row.chain_current_hash,
            previous_hash=row.chain_previous_hash,
            advanced_at=row.chain_advanced_at,
            key_id=row.chain_key_id,
        )
        return ChainRecord(_session(row), chain, row.deletion_pending_until)

    async def advance(
        self, session_id: str, from_generation: int, chain_id_hash: str, chain: RefreshChain
    ) -> bool:
        async with self._one_statement.write() as connection:
            advanced = await connection.execute(
                _ADVANCE_CHAIN,
                {
                    "b_id": session_id,
                    "b_from_generation": from_generation,
                    "b_chain_id_hash": chain_id_hash,
                    "b_generation": chain.generation,
                    "b_current_hash": chain.current_hash,
                    "b_previous_hash": chain.previous_hash,
                    "b_advanced_at": chain.advanced_at,
                    "b_key_id": chain.key_id,
                },
            )
        return advanced.rowcount == 1

    async def list_for_user(self, user_id: str) -> list[Session]:
        async with self._one_statement.read() as connection:
            rows = (await connection.execute(_LIVE_SESSIONS_OF_USER, {"user_id": user_id})).all()
        return [_session(row) for row in rows]

    async def revoke(self, session_id: str, now: int) -> bool:
        async with durable_transaction(self._engine) as connection:
            ended = await connection.execute(_REVOKE_SESSION, {"b_id": session_id, "b_now": now})
            if ended.rowcount != 1:
                return False
            await connection.execute(
                _INSERT_REVOCATION, {"session_id": session_id, "revoked_at": now}
            )
        return True


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
