"""One refresh chain per session: constant columns on sessions replace the refresh_tokens table.

Each session keeps its last unrotated opaque token's hash as `legacy_token_hash`, so it goes on
working: its first refresh adopts it into a chain (decision 0007). Tokens rotated away before the
upgrade are no longer recognised (refused as invalid, not as reuse). A downgrade gives the
sessions that were never refreshed since back their token; the others must log in again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HASH = 64

_sessions = sa.table(
    "sessions",
    sa.column("id", sa.String()),
    sa.column("created_at", sa.BigInteger()),
    sa.column("last_used_at", sa.BigInteger()),
    sa.column("legacy_token_hash", sa.String()),
    sa.column("chain_generation", sa.BigInteger()),
    sa.column("chain_current_hash", sa.String()),
    sa.column("chain_advanced_at", sa.BigInteger()),
)
_refresh_tokens = sa.table(
    "refresh_tokens",
    sa.column("token_hash", sa.String()),
    sa.column("session_id", sa.String()),
    sa.column("issued_at", sa.BigInteger()),
    sa.column("rotated_at", sa.BigInteger()),
)


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch rebuild of `sessions` on SQLite would cascade-delete the
    # refresh_tokens rows read below.
    op.add_column("sessions", sa.Column("chain_id_hash", sa.String(_HASH), nullable=True))
    op.add_column("sessions", sa.Column("legacy_token_hash", sa.String(_HASH), nullable=True))
    op.add_column(
        "sessions",
        sa.Column("chain_generation", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column(
        "sessions",
        sa.Column("chain_current_hash", sa.String(_HASH), nullable=False, server_default=""),
    )
    op.add_column("sessions", sa.Column("chain_previous_hash", sa.String(_HASH), nullable=True))
    op.add_column(
        "sessions",
        sa.Column("chain_advanced_at", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column("sessions", sa.Column("chain_key_id", sa.String(64), nullable=True))
    # A session forked by the old grace reissue has two unrotated tokens: the newest one lives on.
    last_token = (
        sa.select(_refresh_tokens.c.token_hash)
        .where(
            _refresh_tokens.c.session_id == _sessions.c.id,
            _refresh_tokens.c.rotated_at.is_(None),
        )
        .order_by(_refresh_tokens.c.issued_at.desc(), _refresh_tokens.c.token_hash)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        _sessions.update().values(
            legacy_token_hash=last_token,
            chain_current_hash=sa.func.coalesce(last_token, ""),
            chain_advanced_at=_sessions.c.last_used_at,
        )
    )
    op.create_index(op.f("ix_sessions_chain_id_hash"), "sessions", ["chain_id_hash"], unique=True)
    op.create_index(
        op.f("ix_sessions_legacy_token_hash"), "sessions", ["legacy_token_hash"], unique=True
    )
    op.drop_index(op.f("ix_refresh_tokens_session_id"), table_name="refresh_tokens")
    op.drop_table("refresh_tokens")


def downgrade() -> None:
    never_refreshed = (
        op.get_bind()
        .execute(
            sa.select(_sessions.c.legacy_token_hash, _sessions.c.id, _sessions.c.created_at).where(
                _sessions.c.chain_generation == 0, _sessions.c.legacy_token_hash.is_not(None)
            )
        )
        .all()
    )
    op.drop_index(op.f("ix_sessions_legacy_token_hash"), table_name="sessions")
    op.drop_index(op.f("ix_sessions_chain_id_hash"), table_name="sessions")
    with op.batch_alter_table("sessions") as batch:
        for column in (
            "chain_key_id",
            "chain_advanced_at",
            "chain_previous_hash",
            "chain_current_hash",
            "chain_generation",
            "legacy_token_hash",
            "chain_id_hash",
        ):
            batch.drop_column(column)
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(_HASH), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("rotated_at", sa.BigInteger(), nullable=True),
        sa.Column("reissued_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_refresh_tokens_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
    )
    op.create_index(op.f("ix_refresh_tokens_session_id"), "refresh_tokens", ["session_id"])
    if never_refreshed:
        op.bulk_insert(
            _refresh_tokens,
            [
                {"token_hash": token_hash, "session_id": session_id, "issued_at": created_at}
                for token_hash, session_id, created_at in never_refreshed
            ],
        )
