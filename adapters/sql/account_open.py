"""The one SQL rule for "may something be recorded for this account now?"."""

from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, or_, select

from adapters.sql.tables import users


def open_account_row(*values: ColumnElement[Any]) -> Select[Any]:
    """`SELECT values FROM users WHERE id = :user_id AND <no deletion mark at :now> FOR SHARE`.

    Used as the source of an INSERT ... SELECT, it inserts nothing for an account that is gone or
    being deleted. On PostgreSQL the row lock (FOR SHARE) makes `mark_for_deletion`'s UPDATE wait
    for this transaction, and makes this statement wait for a mark being set and then see it;
    SQLite has a single writer, so there the statement always sees the latest mark.
    """
    return (
        select(*values)
        .where(
            users.c.id == bindparam("user_id"),
            or_(
                users.c.deletion_pending_until.is_(None),
                users.c.deletion_pending_until <= bindparam("now"),
            ),
        )
        .with_for_update(read=True)
    )
