"""The procurement table declared in Python is exactly what the alembic migration creates."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ckan.model as model

from ckanext.opengovpe.model.procurement import ocds_process_table

OWN = {"opengovpe_ocds_process"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migrations():
    with model.meta.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, type_, *_: type_ != "table" or name in OWN,
            "compare_type": True,
        })
        diff = compare_metadata(context, ocds_process_table.metadata)
    assert [d for d in diff if any(table in str(d) for table in OWN)] == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_one_row_per_source_and_ocid():
    row = {"source_id": "s", "ocid": "ocds-1", "dataset_name": "d", "digest": "x",
           "release": {}}
    model.Session.execute(ocds_process_table.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(ocds_process_table.insert().values(**row))
    model.Session.rollback()
