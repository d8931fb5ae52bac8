"""The table declared in Python is exactly what the alembic migration creates."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.opengovpe.search.model import search_doc_table
from ckanext.opengovpe.tests.helpers import schema_differences


@pytest.mark.usefixtures("with_plugins", "clean_db")
def test_model_matches_migration():
    diff = schema_differences(search_doc_table.metadata, {search_doc_table.name})
    # alembic cannot compare an index on a sort expression (DESC NULLS LAST):
    # it reports it as removed and added again; that one is checked by name below
    expression_index = "opengovpe_search_doc_newest_idx"
    own = [d for d in diff
           if not (d[0] in ("add_index", "remove_index") and d[1].name == expression_index)]
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
