"""The backend is in CKAN's search dispatch only while the plugin is loaded."""
from __future__ import annotations

import pytest

import ckan.lib.search as search
import ckan.lib.search.index as search_index
import ckan.model as model
import ckan.plugins as plugins
from ckan.lib.search.index import PackageSearchIndex
from ckan.lib.search.query import PackageSearchQuery

from ckanext.opengovpe.search.index import PostgresPackageSearchIndex
from ckanext.opengovpe.search.query import PostgresPackageSearchQuery


@pytest.mark.usefixtures("with_plugins")
def test_plugin_loaded_uses_postgresql():
    assert isinstance(search.index_for(model.Package), PostgresPackageSearchIndex)
    assert isinstance(search.query_for(model.Package), PostgresPackageSearchQuery)
    assert isinstance(search.PackageSearchQuery(), PostgresPackageSearchQuery)
    assert search.check_solr_schema_version() is False


@pytest.mark.ckan_config("ckan.plugins", "activity")
@pytest.mark.usefixtures("with_plugins")
def test_without_the_plugin_ckan_is_stock_solr():
    assert not plugins.plugin_loaded("opengovpe_search")
    assert type(search.index_for(model.Package)) is PackageSearchIndex
    assert type(search.query_for(model.Package)) is PackageSearchQuery
    assert type(search.PackageSearchQuery()) is PackageSearchQuery
    # indexing talks to a Solr client again
    assert type(search_index.make_connection()).__module__ == "pysolr"
