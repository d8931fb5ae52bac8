"""Alembic migrations, one folder per plugin that owns tables."""
