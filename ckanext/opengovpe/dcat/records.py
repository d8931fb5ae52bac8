"""The catalogue's own copy of each dataset's ``package_show`` dict.

CKAN builds that dict whenever it indexes a dataset, whatever the search backend; the
``opengovpe`` plugin's ``before_dataset_index`` hands it to :func:`write`, in the transaction
that changed the dataset. The catalogue reads it back with :func:`read`, and rebuilds the dict
with ``package_show`` for a dataset whose record is missing or older than the dataset (a portal
that has not run ``ckan opengovpe catalog-records`` since upgrading, or a dataset changed with
indexing switched off).
"""
from __future__ import annotations

import datetime
import json
import logging
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.logic as logic
import ckan.model as model
from ckan.lib.navl.dictization_functions import MissingNullEncoder

from ..model.catalog import catalog_record_table as T

log = logging.getLogger(__name__)

# What the catalogue publishes: publication datasets and the procurement datasets the
# OCDS harvester writes. Never the programme's records (working groups, regulations,
# plans), harvest sources, drafts or private datasets.
PUBLISHED_TYPES = ("dataset", "contrataciones")


def _naive_utc(value: str) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


# One statement, built once (CKAN indexes thousands of datasets in a rebuild); a dataset that
# is not in the database (yet, or any more) gets no record.
_UPSERT = sa.text(f"""INSERT INTO {T.name} (package_id, metadata_modified, data_dict, written)
    SELECT :package_id, :metadata_modified, :data_dict, clock_timestamp()
    WHERE EXISTS (SELECT 1 FROM package WHERE id = :package_id)
    ON CONFLICT (package_id) DO UPDATE SET metadata_modified = excluded.metadata_modified,
        data_dict = excluded.data_dict, written = excluded.written""")


def _upsert(package_id: str, metadata_modified: str, data_dict: str) -> None:
    model.Session.execute(_UPSERT, {"package_id": package_id,
                                    "metadata_modified": _naive_utc(metadata_modified),
                                    "data_dict": data_dict})


def write(index_dict: dict[str, Any]) -> None:
    """Keep the record of a dataset CKAN is indexing (its ``before_dataset_index`` dict)."""
    if index_dict.get("dataset_type") not in PUBLISHED_TYPES:
        return
    validated = index_dict.get("validated_data_dict")
    if not validated:
        return
    _upsert(index_dict["id"], index_dict["metadata_modified"], validated)


def build(package_id: str) -> dict[str, Any]:
    """The dict CKAN indexes for ``package_id``, from the database."""
    return logic.package_show_default_and_custom_schemas({}, package_id)[1]


def rebuild(package_id: str) -> None:
    """Write the record of ``package_id`` again (in the caller's transaction)."""
    dataset = build(package_id)
    _upsert(package_id, dataset["metadata_modified"],
            json.dumps(dataset, cls=MissingNullEncoder))


def read(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The current records of ``ids`` (those not older than their dataset), by id."""
    rows = model.Session.execute(sa.text(
        "SELECT r.package_id, r.data_dict FROM opengovpe_catalog_record r "
        "JOIN package p ON p.id = r.package_id "
        "WHERE r.package_id = ANY(:ids) AND r.metadata_modified = p.metadata_modified"),
        {"ids": list(ids)})
    return {row.package_id: json.loads(row.data_dict) for row in rows}


def outdated(include_current: bool = False) -> list[str]:
    """Published datasets whose record is missing or stale (every one with
    ``include_current``), oldest change first."""
    published = ("p.state = 'active' AND NOT p.private AND p.type IN ("
                 + ", ".join(f"'{t}'" for t in PUBLISHED_TYPES) + ")")
    condition = "" if include_current else (
        " AND (r.package_id IS NULL OR r.metadata_modified <> p.metadata_modified)")
    rows = model.Session.execute(sa.text(
        "SELECT p.id FROM package p LEFT JOIN opengovpe_catalog_record r "
        f"ON r.package_id = p.id WHERE {published}{condition} "
        "ORDER BY p.metadata_modified, p.id"))
    return [row.id for row in rows]
