"""Relational persistence: SQLAlchemy 2 models, Alembic migrations, engine and session factory."""
