"""Stored emails become their canonical caseless key (decision 0010).

Two users whose addresses have one key stop the migration: which account keeps the address is
an operator's decision, so nothing changes and the message names both.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from adapters.sql.migrate import MigrationBlocked
from domain.credentials import normalise_email
from domain.errors import InvalidEmail

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_log = logging.getLogger("connect_backend.migrate")

_users = sa.table(
    "users",
    sa.column("id", sa.String),
    sa.column("email", sa.String),
    sa.column("created_at", sa.BigInteger),
)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_users.c.id, _users.c.email).order_by(_users.c.created_at, _users.c.id)
    ).all()
    keys = _keys([(row.id, row.email) for row in rows])
    # Every key is new to the table or the row's own (keys are their own key), so no update
    # meets another row's unique email on the way.
    changed = [user_id for user_id, email in rows if keys[user_id] != email]
    for user_id in changed:
        connection.execute(
            sa.update(_users).where(_users.c.id == user_id).values(email=keys[user_id])
        )
    # With CORBADO_IDENTIFIER=email these users' Corbado identifier changes (docs/operations.md).
    _log.info("0004: %d stored emails became their key; user ids: %s", len(changed), changed)


def downgrade() -> None:
    # The spellings the keys replaced are gone. The older code reads the keys as they are, and
    # finds a user by one only when the typed address lower-cases to it (not for "ß", say).
    pass


def _keys(rows: list[tuple[str, str]]) -> dict[str, str]:
    """Each user's new email; `MigrationBlocked` before any change if one is refused or shared."""
    keys: dict[str, str] = {}
    holders: dict[str, tuple[str, str]] = {}
    collisions: list[str] = []
    for user_id, email in rows:
        try:
            key = normalise_email(email)
        except InvalidEmail as error:
            raise MigrationBlocked(
                f"user {user_id} has the email {email!a}, which is not a valid address under "
                "canonical caseless matching (decision 0010); change it, then migrate again"
            ) from error
        if key in holders:
            other_id, other_email = holders[key]
            collisions.append(
                f"users {other_id} ({other_email!a}) and {user_id} ({email!a}) "
                f"are one address, {key!a}"
            )
        holders.setdefault(key, (user_id, email))
        keys[user_id] = key
    if collisions:
        others = len(collisions) - 1
        more = f" (and {others} more pair{'s' if others > 1 else ''})" if others else ""
        raise MigrationBlocked(
            f"{collisions[0]}{more}: change or delete one, then migrate again (decision 0010)"
        )
    return keys
