"""The plan tables declared in Python are exactly what the alembic migrations create."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ckan.model as model

from ckanext.opengovpe.model import plan_item_table

OWN = {"opengovpe_plan_item", "opengovpe_milestone", "opengovpe_evidence",
       "opengovpe_demand", "opengovpe_notification"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migrations():
    with model.meta.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, type_, *_: type_ != "table" or name in OWN,
            "compare_type": True,
        })
        diff = compare_metadata(context, plan_item_table.metadata)
    assert [d for d in diff if any(table in str(d) for table in OWN)] == []
