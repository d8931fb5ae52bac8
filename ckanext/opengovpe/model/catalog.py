"""The catalogue's copy of each published dataset, on every search backend.

The catalogue (``/catalog.{fmt}``, ``/data.json``, ``catalog-dump``) reads its pages from
CKAN's own ``package`` table, through an index our migration adds on
``(metadata_modified, id)`` of published datasets, and each dataset's ``package_show`` dict
from this table. A row is written whenever CKAN indexes the dataset (with Solr or with
``opengovpe_search``), in the same transaction. Created by alembic
(``ckan db upgrade -p opengovpe``).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckan.model import meta

catalog_record_table = sa.Table(
    "opengovpe_catalog_record",
    meta.metadata,
    sa.Column("package_id", sa.Text, sa.ForeignKey("package.id", ondelete="CASCADE"),
              primary_key=True),
    # the dataset's metadata_modified when the dict was written: a row whose value differs
    # from the package's is stale and is not used
    sa.Column("metadata_modified", sa.DateTime, nullable=False),
    # package_show's dict, with the dataset type's own schema applied
    sa.Column("data_dict", sa.Text, nullable=False),
    # when the row was last written: with the count of published datasets, what
    # data.json's cache is keyed on
    sa.Column("written", sa.DateTime, nullable=False, server_default=sa.func.now()),
    sa.Index("opengovpe_catalog_record_written_idx", "written"),
)
