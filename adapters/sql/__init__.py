"""SQL persistence (SQLite now, PostgreSQL later) through SQLAlchemy Core and Alembic."""
