"""The Users port over SQL."""

from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from adapters.sql.engine import Database, OneStatement, durable_transaction
from adapters.sql.tables import users
from domain.errors import EmailAlreadyRegistered
from domain.model import User

# Statements are built once, here, and run with a parameter dict: building one per call (and
# SQLAlchemy computing its cache key) was half of a login's database time. An INSERT takes its
# columns from the dict's keys; an UPDATE's parameters are named "b_..." because SQLAlchemy
# reserves the column names for the SET clause.
_INSERT_USER = insert(users)
_USER_BY_ID = select(users).where(users.c.id == bindparam("id"))
_USER_BY_EMAIL = select(users).where(users.c.email == bindparam("email"))
_SET_PASSWORD_HASH = (
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(password_hash=bindparam("b_password_hash"))
)
_PROVE_EMAIL = (
    update(users)
    .where(users.c.id == bindparam("b_id"), users.c.email_verified_at.is_(None))
    .values(email_verified_at=bindparam("b_at"))
)
_DELETE_USER = delete(users).where(users.c.id == bindparam("id"))
_SET_DELETION_MARK = (
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(deletion_pending_until=bindparam("b_until"))
)


class SqlUsers:
    """The user directory in the `users` table; the unique email index settles races."""

    def __init__(self, engine: Database) -> None:
        self._engine = engine
        self._one_statement = OneStatement(engine)

    async def add(self, user: User) -> None:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(
                    _INSERT_USER,
                    {
                        "id": user.id,
                        "email": user.email,
                        "display_name": user.display_name,
                        "password_hash": user.password_hash,
                        "created_at": user.created_at,
                    },
                )
        except IntegrityError as error:
            # Which constraint failed is spelled differently by every driver; asking is portable.
            if await self.by_email(user.email) is not None:
                raise EmailAlreadyRegistered("email address is already registered") from error
            raise

    async def by_id(self, user_id: str) -> User | None:
        return await self._one(_USER_BY_ID, {"id": user_id})

    async def by_email(self, email: str) -> User | None:
        return await self._one(_USER_BY_EMAIL, {"email": email})

    async def set_password_hash(self, user_id: str, password_hash: str) -> None:
        async with durable_transaction(self._engine) as connection:
            await connection.execute(
                _SET_PASSWORD_HASH, {"b_id": user_id, "b_password_hash": password_hash}
            )

    async def prove_email(self, user_id: str, at: int) -> None:
        async with durable_transaction(self._engine) as connection:
            await connection.execute(_PROVE_EMAIL, {"b_id": user_id, "b_at": at})

    async def delete(self, user_id: str) -> bool:
        # Sessions and refresh tokens go with the user (ON DELETE CASCADE).
        async with durable_transaction(self._engine) as connection:
            deleted = await connection.execute(_DELETE_USER, {"id": user_id})
        return deleted.rowcount == 1

    async def mark_for_deletion(self, user_id: str, until: int) -> bool:
        # On PostgreSQL this UPDATE waits for every transaction that holds the row FOR SHARE
        # (see `account_open`), so no session or connect token is recorded after it commits.
        async with durable_transaction(self._engine) as connection:
            marked = await connection.execute(
                _SET_DELETION_MARK, {"b_id": user_id, "b_until": until}
            )
        return marked.rowcount == 1

    async def clear_deletion_mark(self, user_id: str) -> None:
        async with durable_transaction(self._engine) as connection:
            await connection.execute(_SET_DELETION_MARK, {"b_id": user_id, "b_until": None})

    async def _one(
        self, query: Select[*tuple[Any, ...]], parameters: dict[str, str]
    ) -> User | None:
        async with self._one_statement.read() as connection:
            row = (await connection.execute(query, parameters)).one_or_none()
        return None if row is None else _user(row)


def _user(row: Row[*tuple[Any, ...]]) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        password_hash=row.password_hash,
        created_at=row.created_at,
        deletion_pending_until=row.deletion_pending_until,
        email_verified_at=row.email_verified_at,
    )
