"""Where sessions came from (user agent, passkey) and the append-only revocation log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("user_agent", sa.String(256), nullable=True))
        batch.add_column(sa.Column("credential_id", sa.String(256), nullable=True))
        batch.add_column(sa.Column("corbado_user_id", sa.String(256), nullable=True))
    op.create_table(
        "session_revocations",
        sa.Column(
            "cursor",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("cursor", name=op.f("pk_session_revocations")),
    )
    op.create_index(
        op.f("ix_session_revocations_revoked_at"), "session_revocations", ["revoked_at"]
    )
    # Sessions revoked before this revision join the log, oldest first.
    op.execute(
        "INSERT INTO session_revocations (session_id, revoked_at) "
        "SELECT id, revoked_at FROM sessions WHERE revoked_at IS NOT NULL ORDER BY revoked_at"
    )


def downgrade() -> None:
    op.drop_table("session_revocations")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("corbado_user_id")
        batch.drop_column("credential_id")
        batch.drop_column("user_agent")
