"""The procurement table declared in Python is exactly what the alembic migration creates."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.opengovpe.model.procurement import ocds_process_table
from ckanext.opengovpe.tests.helpers import schema_differences

OWN = {"opengovpe_ocds_process"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migrations():
    assert schema_differences(ocds_process_table.metadata, OWN) == []


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_one_row_per_source_and_ocid():
    row = {"source_id": "s", "ocid": "ocds-1", "dataset_name": "d", "digest": "x",
           "release": {}}
    model.Session.execute(ocds_process_table.insert().values(**row))
    with pytest.raises(sa.exc.IntegrityError):
        model.Session.execute(ocds_process_table.insert().values(**row))
    model.Session.rollback()
