"""The EmailTokens port over SQL: one row per account and purpose, deleted when used."""

from sqlalchemy import bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from adapters.sql.account_open import open_account_row
from adapters.sql.engine import Database, durable_transaction
from adapters.sql.tables import email_tokens, users
from domain.email_links import EmailPurpose

# An UPDATE's parameters are named "b_..." because SQLAlchemy reserves the column names for SET.
# Replaces the account's earlier token of the purpose, unless it is too recent or the account is
# being deleted; when there is none, the INSERT below takes over.
_REPLACE_EARLIER = (
    update(email_tokens)
    .where(
        email_tokens.c.user_id == bindparam("b_user_id"),
        email_tokens.c.purpose == bindparam("b_purpose"),
        email_tokens.c.issued_at < bindparam("b_unless_issued_since"),
        exists(
            select(users.c.id).where(
                users.c.id == email_tokens.c.user_id,
                or_(
                    users.c.deletion_pending_until.is_(None),
                    users.c.deletion_pending_until <= bindparam("b_now"),
                ),
            )
        ),
    )
    .values(
        token_hash=bindparam("b_token_hash"),
        issued_at=bindparam("b_now"),
        expires_at=bindparam("b_expires_at"),
    )
)
_INSERT_IF_ACCOUNT_OPEN = insert(email_tokens).from_select(
    ["user_id", "purpose", "token_hash", "issued_at", "expires_at"],
    open_account_row(
        users.c.id,
        bindparam("purpose", type_=email_tokens.c.purpose.type),
        bindparam("token_hash", type_=email_tokens.c.token_hash.type),
        bindparam("issued_at", type_=email_tokens.c.issued_at.type),
        bindparam("expires_at", type_=email_tokens.c.expires_at.type),
    ),
)
_LIVE = (
    email_tokens.c.token_hash == bindparam("token_hash"),
    email_tokens.c.purpose == bindparam("purpose"),
    email_tokens.c.expires_at > bindparam("now"),
)
_HOLDER = select(email_tokens.c.user_id).where(*_LIVE)
_USE = delete(email_tokens).where(*_LIVE).returning(email_tokens.c.user_id)
_SET_PASSWORD_HASH = (
    update(users)
    .where(users.c.id == bindparam("b_id"))
    .values(password_hash=bindparam("b_password_hash"))
)


class SqlEmailTokens:
    """Email tokens in the `email_tokens` table; they go with their user."""

    def __init__(self, engine: Database) -> None:
        self._engine = engine

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
        try:
            async with self._engine.begin() as connection:
                replaced = await connection.execute(
                    _REPLACE_EARLIER,
                    {
                        "b_user_id": user_id,
                        "b_purpose": purpose.value,
                        "b_unless_issued_since": unless_issued_since,
                        "b_now": now,
                        "b_token_hash": token_hash,
                        "b_expires_at": expires_at,
                    },
                )
                if replaced.rowcount == 1:
                    return True
                inserted = await connection.execute(
                    _INSERT_IF_ACCOUNT_OPEN,
                    {
                        "user_id": user_id,
                        "now": now,
                        "purpose": purpose.value,
                        "token_hash": token_hash,
                        "issued_at": now,
                        "expires_at": expires_at,
                    },
                )
        except IntegrityError:
            # A token of this purpose is there and too recent, or a racing request stored one.
            return False
        return inserted.rowcount == 1

    async def holder(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        async with self._engine.connect() as connection:
            found = await connection.scalar(_HOLDER, _live(token_hash, purpose, now))
        return None if found is None else str(found)

    async def use(self, token_hash: str, purpose: EmailPurpose, now: int) -> str | None:
        async with durable_transaction(self._engine) as connection:
            used = (await connection.execute(_USE, _live(token_hash, purpose, now))).scalar()
        return None if used is None else str(used)

    async def recover(self, token_hash: str, password_hash: str, now: int) -> str | None:
        async with durable_transaction(self._engine) as connection:
            used = (
                await connection.execute(_USE, _live(token_hash, EmailPurpose.RECOVER, now))
            ).scalar()
            if used is None:
                return None
            await connection.execute(
                _SET_PASSWORD_HASH, {"b_id": used, "b_password_hash": password_hash}
            )
        return str(used)


def _live(token_hash: str, purpose: EmailPurpose, now: int) -> dict[str, object]:
    return {"token_hash": token_hash, "purpose": purpose.value, "now": now}
