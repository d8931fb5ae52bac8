"""The catalogue's record table: declared as migrated, and filled by its migration."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from ckanext.opengovpe.model.catalog import catalog_record_table
from ckanext.opengovpe.tests.helpers import schema_differences

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

BEFORE_RECORDS = "7b3d9e1f2a64"


def test_model_matches_migrations():
    assert schema_differences(catalog_record_table.metadata, {"opengovpe_catalog_record"}) == []


def test_migration_fills_records_from_the_embedded_index(migrate_db_for):
    org = factories.Organization()
    ids = {factories.Dataset(owner_org=org["id"])["id"] for _ in range(2)}
    model.Session.remove()
    migrate_db_for("opengovpe", BEFORE_RECORDS, forward=False)
    migrate_db_for("opengovpe")
    rows = model.Session.execute(sa.text(
        "SELECT r.package_id FROM opengovpe_catalog_record r "
        "JOIN package p ON p.id = r.package_id AND p.metadata_modified = r.metadata_modified"))
    assert {row.package_id for row in rows} == ids
