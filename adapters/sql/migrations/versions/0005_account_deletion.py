"""Account deletion: the deletion mark on users, and the connect tokens we issued.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("deletion_pending_until", sa.BigInteger(), nullable=True))
    op.create_table(
        "connect_tokens",
        sa.Column(
            "row_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(128), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_connect_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("row_id", name=op.f("pk_connect_tokens")),
    )
    op.create_index(op.f("ix_connect_tokens_user_id"), "connect_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_table("connect_tokens")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deletion_pending_until")
