"""Embedded PostgreSQL search backend for CKAN datasets.

How a dataset reaches the index: CKAN builds the same document it would send to
Solr (``ckan.lib.search.index.PackageSearchIndex.index_package``, after every
``before_dataset_index``); :mod:`.connection` receives it instead of Solr and
:mod:`.document` turns it into one row of ``opengovpe_search_doc``.

How a query becomes SQL: :mod:`.query` checks the Solr-style parameters,
:mod:`.translate` parses ``q`` and ``fq`` with luqum (Lucene syntax) and turns
the tree into SQLAlchemy expressions with bound parameters, :mod:`.datemath`
resolves ``NOW-1DAY``-style bounds, and facets are counted in the same
statement.

:mod:`.dispatch` plugs both into CKAN's own search dispatch and restores the
stock Solr classes when the plugin is unloaded.
"""
