"""The schema, as SQLAlchemy Core tables; Alembic revisions must keep the database equal to it."""

import sqlalchemy as sa

from domain.credentials import MAX_DISPLAY_NAME_LENGTH, MAX_EMAIL_LENGTH
from domain.model import MAX_CORBADO_ID_LENGTH

# Deterministic constraint names let Alembic alter or drop them on SQLite and PostgreSQL alike.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_ID_LENGTH = 64
_SHA256_HEX_LENGTH = 64
_ORIGIN_LENGTH = 256
_PURPOSE_LENGTH = 16

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.String(_ID_LENGTH), primary_key=True),
    sa.Column("email", sa.String(MAX_EMAIL_LENGTH), nullable=False, unique=True),
    sa.Column("display_name", sa.String(MAX_DISPLAY_NAME_LENGTH), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # Set while the account is being deleted: until then nothing may be granted for it.
    sa.Column("deletion_pending_until", sa.BigInteger, nullable=True),
    # When a mailed link first proved the address; NULL while it is unproven.
    sa.Column("email_verified_at", sa.BigInteger, nullable=True),
)

# The tokens of mailed links, as SHA-256 hashes: one per account and purpose (a new one replaces
# it), deleted when used. An expired one stays until replaced or its account goes: at most two
# rows per account, so nothing needs purging.
email_tokens = sa.Table(
    "email_tokens",
    metadata,
    sa.Column(
        "user_id",
        sa.String(_ID_LENGTH),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("purpose", sa.String(_PURPOSE_LENGTH), primary_key=True),
    sa.Column("token_hash", sa.String(_SHA256_HEX_LENGTH), nullable=False, unique=True),
    sa.Column("issued_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

# Every connect token we asked Corbado for, so that account deletion can delete the live ones.
# Corbado's token id is not our key: nothing promises it is unique across projects or upstreams.
connect_tokens = sa.Table(
    "connect_tokens",
    metadata,
    sa.Column("row_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column(
        "user_id",
        sa.String(_ID_LENGTH),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_id", sa.String(MAX_CORBADO_ID_LENGTH), nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(_ID_LENGTH), primary_key=True),
    sa.Column(
        "user_id",
        sa.String(_ID_LENGTH),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("auth_time", sa.BigInteger, nullable=False),
    # A JSON array of RFC 8176 values, so any tuple of strings round-trips exactly.
    sa.Column("amr", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("last_used_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger, nullable=True, index=True),
    sa.Column("user_agent", sa.String(_ORIGIN_LENGTH), nullable=True),
    sa.Column("credential_id", sa.String(_ORIGIN_LENGTH), nullable=True),
    sa.Column("corbado_user_id", sa.String(_ORIGIN_LENGTH), nullable=True),
    # The session's refresh chain (decision 0007): hashes only, the same few columns however
    # often it is refreshed. The chain id hash finds it; a session from before chains is found
    # by its last opaque token's hash until it is adopted.
    sa.Column(
        "chain_id_hash", sa.String(_SHA256_HEX_LENGTH), nullable=True, unique=True, index=True
    ),
    sa.Column(
        "legacy_token_hash", sa.String(_SHA256_HEX_LENGTH), nullable=True, unique=True, index=True
    ),
    sa.Column("chain_generation", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column(
        "chain_current_hash", sa.String(_SHA256_HEX_LENGTH), nullable=False, server_default=""
    ),
    sa.Column("chain_previous_hash", sa.String(_SHA256_HEX_LENGTH), nullable=True),
    sa.Column("chain_advanced_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("chain_key_id", sa.String(_ID_LENGTH), nullable=True),
)

# Append-only and without a foreign key: the feed must outlive deleted users and sessions.
session_revocations = sa.Table(
    "session_revocations",
    metadata,
    sa.Column("cursor", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("session_id", sa.String(_ID_LENGTH), nullable=False),
    sa.Column("revoked_at", sa.BigInteger, nullable=False, index=True),
)
