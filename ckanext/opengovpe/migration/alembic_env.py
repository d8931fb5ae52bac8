"""What every plugin's alembic ``env.py`` runs: only that plugin's tables, its own version table."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

from ckan.model.meta import metadata


def run(plugin: str) -> None:
    config = context.config
    if config.config_file_name:
        fileConfig(config.config_file_name)

    def own_tables_only(obj, name, type_, reflected, compare_to):  # noqa: ANN001
        return type_ != "table" or name.startswith(plugin)

    options = dict(target_metadata=metadata, version_table=f"{plugin}_alembic_version",
                   include_object=own_tables_only)
    if context.is_offline_mode():
        context.configure(url=config.get_main_option("sqlalchemy.url"),
                          literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section) or {},
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
