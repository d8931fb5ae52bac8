"""The plan tables declared in Python are exactly what the alembic migrations create."""
from __future__ import annotations

import pytest

from ckanext.opengovpe.model import plan_item_table
from ckanext.opengovpe.tests.helpers import schema_differences

OWN = {"opengovpe_plan_item", "opengovpe_milestone", "opengovpe_evidence",
       "opengovpe_demand", "opengovpe_notification", "opengovpe_sync_report",
       "opengovpe_plan_dataset", "opengovpe_data_request",
       "opengovpe_data_request_support", "opengovpe_data_request_follow",
       "opengovpe_link_check", "opengovpe_quality_score", "opengovpe_usage_month",
       "opengovpe_usage_dataset"}


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migrations():
    assert schema_differences(plan_item_table.metadata, OWN) == []
