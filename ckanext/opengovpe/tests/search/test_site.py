"""Two portals sharing one index table, as two CKAN sites share one Solr core.

CKAN scopes every read to ``+site_id:<ckan.site_id>`` (a caller's ``fq`` cannot lift it),
deletes and clears only its own documents, and counts only its own in ``search-index
check``. The embedded index does the same with its ``site_id`` column.
"""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.cli.cli import ckan as ckan_command
from ckan.tests import factories, helpers

from ckanext.opengovpe.search.model import search_doc_table as T

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

OTHER = "otro-portal"


@pytest.fixture
def two_sites(ckan_config) -> dict[str, Any]:
    own = ckan_config["ckan.site_id"]
    org = factories.Organization(name="oece")
    factories.Dataset(name="obras-propias", title="Obras del portal", owner_org=org["id"])
    ckan_config["ckan.site_id"] = OTHER
    factories.Dataset(name="obras-ajenas", title="Obras de otro portal", owner_org=org["id"])
    ckan_config["ckan.site_id"] = own
    model.Session.remove()
    return {"own": own}


def names(**params: Any) -> list[str]:
    return sorted(d["name"] for d in
                  helpers.call_action("package_search", rows=100, **params)["results"])


def indexed(site_id: str) -> list[str]:
    rows = model.Session.execute(sa.select(T.c.name).where(T.c.site_id == site_id))
    return sorted(r[0] for r in rows)


def run(cli, *args: str) -> str:
    result = cli.invoke(ckan_command, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_both_sites_write_their_own_documents(two_sites):
    assert indexed(two_sites["own"]) == ["obras-propias"]
    assert indexed(OTHER) == ["obras-ajenas"]


def test_a_search_sees_only_its_own_site_whatever_the_filter_says(two_sites):
    assert names(q="obras") == ["obras-propias"]
    assert names(fq=f"site_id:{OTHER}") == []
    assert names(fq=f"+site_id:{OTHER}") == []
    assert names(fq_list=[f"site_id:{OTHER}"], q="*:*") == []
    assert names(fq="site_id:*") == ["obras-propias"]


def test_deleting_a_dataset_removes_only_this_sites_document(two_sites):
    helpers.call_action("dataset_purge", context={"ignore_auth": True}, id="obras-propias")
    assert indexed(two_sites["own"]) == []
    assert indexed(OTHER) == ["obras-ajenas"]


def test_clear_check_and_rebuild_touch_only_this_site(cli, two_sites):
    """Both datasets are in this site's database (as after a change of ``ckan.site_id``):
    the check counts the other site's document as missing, and a rebuild indexes it for
    this site while the other site's copy stays untouched, as on a shared Solr core."""
    assert "Packages not indexed = 1 out of 2" in run(cli, "search-index", "check")
    run(cli, "search-index", "clear")
    assert indexed(two_sites["own"]) == []
    assert indexed(OTHER) == ["obras-ajenas"]
    assert "Packages not indexed = 2 out of 2" in run(cli, "search-index", "check")
    run(cli, "search-index", "rebuild", "-q")
    assert indexed(two_sites["own"]) == ["obras-ajenas", "obras-propias"]
    assert indexed(OTHER) == ["obras-ajenas"]
