"""The table declared in Python is exactly what the alembic migration creates."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import ckan.model as model

from ckanext.opengovpe.search.model import search_doc_table


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migration():
    with model.meta.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": lambda obj, name, type_, *_: (
                type_ != "table" or name == search_doc_table.name),
            "compare_type": True,
        })
        # the declared tables (clean_db rebinds model.meta.metadata to a reflected copy)
        diff = compare_metadata(context, search_doc_table.metadata)
    # alembic cannot compare an index on a sort expression (DESC NULLS LAST):
    # it reports it as removed and added again; that one is checked by name below
    expression_index = "opengovpe_search_doc_newest_idx"
    own = [d for d in diff if search_doc_table.name in str(d)
           and not (d[0] in ("add_index", "remove_index") and d[1].name == expression_index)]
    assert own == []
    indexes = {i["name"] for i in sa.inspect(model.meta.engine).get_indexes(
        search_doc_table.name)}
    assert expression_index in indexes


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_spanish_text_configuration_folds_accents_and_stems():
    vector = model.Session.execute(sa.text(
        "select to_tsvector('opengovpe_es', 'Contratación de los contratos')::text")).scalar()
    # accents folded before stemming: one lexeme for both spellings
    assert vector == "'contrat':4 'contratacion':1"
