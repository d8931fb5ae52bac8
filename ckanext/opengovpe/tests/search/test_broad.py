"""Broad queries: the page taken from the title, head and text tiers, and the facet counts
of ``*:*`` that the indexer keeps."""
from __future__ import annotations

from typing import Any

import pytest

from ckan.tests import helpers

pytestmark = pytest.mark.usefixtures("with_plugins", "corpus")

FACETS = '["tags", "res_format", "organization", "groups"]'


def search(**params: Any) -> dict[str, Any]:
    params.setdefault("rows", 100)
    return helpers.call_action("package_search", **params)


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_tiers_put_title_then_tags_then_notes_and_count_every_match():
    found = search(q="licitacion", fl="name,score")
    assert [d["name"] for d in found["results"]] == [
        "licitacion-medicamentos", "hospitales", "camas-uci"]
    assert [d["score"] for d in found["results"]] == [1.0, 0.4, 0.1]
    assert found["count"] == 3
    assert [d["name"] for d in search(q="licitacion", rows=1, start=1)["results"]] == [
        "hospitales"]
    # the private dataset is counted only for who may see it
    assert search(q="contratacion")["count"] == 2
    assert search(q="contratacion", include_private=True)["count"] == 3


def test_the_catalogue_is_counted_from_the_kept_counts(corpus):
    """``*:*`` with only visibility filters is counted from the kept facet counts (one
    dataset_type term a dataset), as counting the rows does, whoever asks and after
    every write."""
    def sysadmin() -> dict[str, Any]:
        return {"user": corpus["sysadmin"]["name"]}

    def both(**params: Any) -> tuple[int, int]:
        found: list[int] = []
        reads = _statements_on_documents(lambda: found.append(search(**params)["count"]))
        assert reads == [], params
        counted = search(**dict(params, fq="name:*"))["count"]
        return found[0], counted

    cases = ({"q": "*:*"}, {"rows": 0}, {"q": "*:*", "sort": "metadata_modified desc"},
             {"q": "*:*", "include_private": True, "context": sysadmin()},
             {"q": "*:*", "include_private": True, "include_drafts": True,
              "context": sysadmin()},
             {"q": "*:*", "facet.field": FACETS}, {"q": "*:*", "start": 5, "rows": 2})
    for params in cases:
        kept, counted = both(**params)
        assert kept == counted, params
    assert both(q="*:*") == (6, 6)
    helpers.call_action("package_delete", sysadmin(), id="camas-uci")
    helpers.call_action("package_patch", sysadmin(), id="borrador-interno", private=False)
    assert both(q="*:*") == (6, 6)
    assert both(q="*:*", **{"facet.field": FACETS}) == (6, 6)


@pytest.mark.ckan_config("ckanext.opengovpe.search.facet_fields", "tags res_format tags")
def test_the_kept_number_of_datasets_does_not_depend_on_the_facet_fields(corpus):
    """Whatever fields are kept (none of them the type, one listed twice), each dataset
    is counted once."""
    from ckan.lib.search import rebuild
    rebuild()
    found: list[dict[str, Any]] = []
    assert _statements_on_documents(lambda: found.append(search(
        q="*:*", **{"facet.field": '["tags"]'}))) == []
    assert found[0]["count"] == 6 and found[0]["facets"]["tags"]["salud"] == 2
    assert search(q="*:*", fq="name:*", **{"facet.field": '["tags"]'})["facets"] == \
        found[0]["facets"]


def test_a_transaction_with_index_writes_counts_the_rows(corpus):
    """The kept counts take in a transaction's writes only as it commits: until then its
    own searches count the rows, which already show them."""
    from ckan.common import config
    from ckanext.opengovpe.search import cache

    cache.mark_changed(config.get("ckan.site_id"))
    reads = _statements_on_documents(lambda: search(q="*:*"))
    assert len(reads) == 1
    assert search(q="*:*")["count"] == 6


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_stopwords_alone_match_every_dataset_and_show_them(corpus):
    """Words the text index ignores leave nothing to match on: every visible dataset,
    counted and listed, newest first."""
    found = search(q="de la")
    everything = search(q="*:*", sort="metadata_modified desc")
    assert found["count"] == everything["count"] == 6
    assert [d["name"] for d in found["results"]] == [
        d["name"] for d in everything["results"]]


def test_kept_facet_counts_equal_counting_the_rows(corpus):
    def both(**params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        params = dict(params, q="*:*", **{"facet.field": FACETS, "facet.limit": -1})
        kept = search(**params)["facets"]
        # any other filter counts the matching rows
        counted = search(**dict(params, fq="name:*"))["facets"]
        return kept, counted

    def sysadmin() -> dict[str, Any]:
        return {"user": corpus["sysadmin"]["name"]}

    for params in ({}, {"include_private": True, "context": sysadmin()}):
        kept, counted = both(**params)
        assert kept == counted and kept["tags"]["salud"] == 2
    helpers.call_action("package_patch", sysadmin(), id="hospitales",
                        tags=[{"name": "hospitales"}])
    helpers.call_action("package_delete", sysadmin(), id="camas-uci")
    kept, counted = both()
    assert kept == counted
    assert "salud" not in kept["tags"] and kept["tags"]["hospitales"] == 1


def _statements_on_documents(run: Any) -> list[str]:
    """The SQL statements that read the index's documents while ``run()`` runs."""
    import sqlalchemy as sa
    import ckan.model as model

    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "opengovpe_search_doc" in statement and "count(" in statement:
            seen.append(statement)

    engine = model.meta.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return seen


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_one_word_is_counted_from_the_kept_word_counts(corpus):
    """A one-word query's count comes from the word counts, never from visiting the
    matching documents, and equals what counting the documents gives."""
    def sysadmin() -> dict[str, Any]:
        return {"user": corpus["sysadmin"]["name"]}

    def both(word: str, **params: Any) -> tuple[int, int]:
        counts: list[int] = []
        reads = _statements_on_documents(
            lambda: counts.append(search(q=word, **params)["count"]))
        assert reads == [], f"{word!r} was counted from the documents"
        # any filter but visibility counts the matching documents
        counted = search(q=word, fq="name:*", **params)["count"]
        return counts[0], counted

    for word in ("contratacion", "Contratación", "salud", "licitación", "obras",
                 "inexistente"):
        for params in ({}, {"include_private": True, "context": sysadmin()}):
            kept, counted = both(word, **params)
            assert kept == counted, (word, params)
    assert both("obras") == (1, 1)
    assert both("obras", include_private=True, context=sysadmin()) == (2, 2)
    # the kept counts follow every write: a changed tag, a deletion, a dataset made public
    helpers.call_action("package_patch", sysadmin(), id="hospitales",
                        tags=[{"name": "obras"}])
    helpers.call_action("package_delete", sysadmin(), id="contratacion-obras")
    helpers.call_action("package_patch", sysadmin(), id="borrador-interno", private=False)
    assert both("obras") == (2, 2)
    for word in ("contratacion", "salud", "reservada", "hospitales"):
        kept, counted = both(word)
        assert kept == counted, word
    assert both("reservada") == (1, 1)


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_two_words_and_other_filters_are_counted_from_the_documents(corpus):
    reads = _statements_on_documents(lambda: search(q="contratacion obras"))
    assert len(reads) >= 1
    reads = _statements_on_documents(lambda: search(q="obras", fq="organization:oece"))
    assert len(reads) >= 1


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_a_rebuild_counts_the_words_again_at_its_end(corpus):
    """CKAN's rebuild writes no word deltas: its commit marks the counts stale (and one-word
    queries count the documents meanwhile), and its final commit() counts them again."""
    import ckan.model as model
    from ckan.common import config
    from ckan.lib import search as ckan_search
    from ckanext.opengovpe.search import words
    from ckanext.opengovpe.search.model import word_count_table as W

    site_id = config.get("ckan.site_id")
    before = sorted(tuple(r) for r in model.Session.execute(
        W.select().where(W.c.site_id == site_id)))
    model.Session.execute(W.delete())
    model.Session.commit()
    ckan_search.rebuild(defer_commit=True)
    assert words.is_stale(site_id)
    assert len(_statements_on_documents(lambda: search(q="obras"))) == 1
    assert search(q="obras")["count"] == 1
    ckan_search.commit()
    assert not words.is_stale(site_id)
    after = sorted(tuple(r) for r in model.Session.execute(
        W.select().where(W.c.site_id == site_id)))
    assert after == before and after
    assert _statements_on_documents(lambda: search(q="obras")) == []


def test_clearing_the_index_clears_the_word_counts(corpus):
    import ckan.model as model
    from ckan.lib.search import clear_all
    from ckanext.opengovpe.search.model import word_count_table as W

    clear_all()
    assert model.Session.execute(sa_count(W)).scalar() == 0
    assert search(q="obras")["count"] == 0


def test_an_emptied_index_has_fresh_word_counts_unless_a_bulk_write_follows(corpus):
    """Stale counts are forgotten with the rows they counted; a bulk write after the
    emptying, in the same transaction, leaves them stale again."""
    import sqlalchemy as sa
    import ckan.model as model
    from ckan.common import config
    from ckan.lib.search import clear_all
    from ckanext.opengovpe.search import cache, words
    from ckanext.opengovpe.search.model import search_state_table as S

    site_id = config.get("ckan.site_id")
    model.Session.execute(sa.update(S).where(S.c.site_id == site_id).values(words_stale=True))
    model.Session.commit()
    clear_all()
    assert not words.is_stale(site_id)
    # in turn: each transaction starts from the flag the one before left
    for calls, stale in (([{"emptied": True}], False),
                         ([{"emptied": True}, {"words_kept": False}], True),
                         ([{}], True),
                         ([{"words_kept": False}, {"emptied": True}], False),
                         ([{"words_kept": False}, {"emptied": True}, {}], False),
                         ([{}], False)):
        for kwargs in calls:
            cache.mark_changed(site_id, **kwargs)
        model.Session.commit()
        assert words.is_stale(site_id) is stale, calls


def sa_count(table: Any) -> Any:
    import sqlalchemy as sa
    return sa.select(sa.func.count()).select_from(table)


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
def test_the_recurring_job_counts_stale_words_again(corpus):
    """A rebuild stopped before its end leaves the counts stale: the recurring search job
    counts them again, and one-word queries are counted from the documents until then."""
    import sqlalchemy as sa
    import ckan.model as model
    from ckan.common import config
    from ckanext.opengovpe.jobs import registry
    from ckanext.opengovpe.search import words
    from ckanext.opengovpe.search.model import search_state_table as S
    from ckanext.opengovpe.search.model import word_count_table as W

    site_id = config.get("ckan.site_id")
    model.Session.execute(W.delete())
    model.Session.execute(sa.update(S).where(S.c.site_id == site_id).values(words_stale=True))
    model.Session.commit()
    assert search(q="obras")["count"] == 1
    registry._TASKS["search_suggest"]()
    assert not words.is_stale(site_id)
    assert _statements_on_documents(lambda: search(q="obras")) == []
    assert search(q="obras")["count"] == 1


def test_the_word_count_takes_any_visibility(corpus):
    """Empty label lists, missing filters and several values count as the documents do."""
    from ckan.common import config
    from ckanext.opengovpe.search import words

    site_id = config.get("ckan.site_id")
    assert words.count(site_id, "obras", {}, []) == (0, 1)
    assert words.count(site_id, "obras", {}, None) == (2, 1)
    assert words.count(site_id, "obras", {"capacity": {"public", "private"}},
                       ["public"]) == (1, 1)
    assert words.count(site_id, "obras", {"state": set()}, None) == (0, 1)
    # no word but stopwords: nothing to count from
    assert words.count(site_id, "de la", {}, None) is None


def test_several_words_are_bounded_by_their_rarest(corpus):
    """For several words the kept counts give the count of the rarest: no more datasets
    than that can carry them all."""
    from ckan.common import config
    from ckanext.opengovpe.search import words

    site_id = config.get("ckan.site_id")
    anonymous = {"state": {"active"}, "capacity": {"public"}}
    # the hyphenated word is a lexeme of its own besides its two parts
    for text, lexemes in (("contratacion obras", 2), ("Contratación de obras", 2),
                          ("contratación-obras públicas", 4),
                          ("licitacion salud", 2), ("obras inexistente", 2)):
        bound, counted = words.count(site_id, text, anonymous, ["public"])
        each = [words.count(site_id, word, anonymous, ["public"])[0]
                for word in text.replace("-", " ").split() if word != "de"]
        assert counted == lexemes and bound == min(each), text
        # what the search finds, counted from the rows, is never more
        assert search(q=text, fq="name:*")["count"] <= bound, text
    # stale counts give nothing: the caller counts the documents
    import sqlalchemy as sa
    import ckan.model as model
    from ckanext.opengovpe.search.model import search_state_table as S
    model.Session.execute(sa.update(S).where(S.c.site_id == site_id).values(words_stale=True))
    assert words.count(site_id, "contratacion obras", {}, None) is None
    assert words.count(site_id, "obras", {}, None) is None
    model.Session.rollback()


def test_a_rare_word_spares_counting_before_ranking(corpus):
    """Two words whose rarest is under the rank limit are ranked at once: the ranked page
    counts them, and no pass counts them before."""
    counts: list[int] = []
    reads = _statements_on_documents(
        lambda: counts.append(search(q="contratacion obras")["count"]))
    assert len(reads) == 1 and "over ()" in reads[0].lower()
    assert counts == [search(q="contratacion obras", fq="name:*")["count"]] == [1]


@pytest.mark.ckan_config("ckanext.opengovpe.search.rank_all_limit", 0)
@pytest.mark.ckan_config("ckanext.opengovpe.search.facet_cache_ttl", 600)
def test_facets_count_the_matches_in_their_own_pass(corpus):
    """With facets, the pass that counts them counts the matches too; once kept in the
    facet cache, neither is counted again until the index changes."""
    params = {"q": "contratacion", "facet.field": FACETS}
    first: list[dict[str, Any]] = []
    reads = _statements_on_documents(lambda: first.append(search(**params)))
    assert len(reads) == 1 and "array_prepend" in reads[0]
    counted = search(**dict(params, fq="name:*"))
    assert first[0]["count"] == counted["count"] == 2
    assert first[0]["facets"] == counted["facets"]
    again: list[dict[str, Any]] = []
    assert _statements_on_documents(lambda: again.append(search(**params))) == []
    assert again[0]["count"] == 2 and again[0]["facets"] == first[0]["facets"]
    assert [d["name"] for d in again[0]["results"]] == [
        d["name"] for d in first[0]["results"]]
    helpers.call_action("package_delete", {"user": corpus["sysadmin"]["name"]},
                        id="proveedores")
    after = search(**params)
    assert after["count"] == 1 and after["facets"]["tags"] == {"obras": 1, "contratación": 1}
    # nothing matches: nothing counted, no facet values
    assert search(q="inexistente", **{"facet.field": FACETS})["count"] == 0


def test_a_rolled_back_savepoint_keeps_the_transactions_pending_counts(corpus):
    """A search that fails inside its savepoint after an index write in the same
    transaction must not drop the write's pending deltas, stale mark or generation bump."""
    import ckan.model as model
    from ckanext.opengovpe.search import cache, index

    session = model.Session
    session.info[index._COUNTS_PENDING] = True
    cache.mark_changed("default", words_kept=False)
    try:
        with session.begin_nested():
            raise ValueError("a failing read")
    except ValueError:
        pass
    assert session.info[index._COUNTS_PENDING] is True
    assert session.info[cache._PENDING] == {"default": (False, False)}
    session.rollback()
    for key in (index._COUNTS_PENDING, cache._PENDING):
        assert key not in session.info


def test_recounting_only_stale_words(corpus):
    import sqlalchemy as sa
    import ckan.model as model
    from ckan.common import config
    from ckanext.opengovpe.search import words
    from ckanext.opengovpe.search.model import search_state_table as S

    site_id = config.get("ckan.site_id")
    assert words.recount_if_stale(site_id) is False
    model.Session.execute(sa.update(S).where(S.c.site_id == site_id).values(words_stale=True))
    model.Session.commit()
    assert words.recount_if_stale(site_id) is True
    assert not words.is_stale(site_id)


@pytest.mark.ckan_config("ckan.search.solr_commit", False)
def test_with_solr_commit_off_the_job_leaves_stale_words_to_the_text_index(corpus):
    """Every write is a bulk write then: counting after each would hold index writes."""
    import ckan.model as model
    from ckan.common import config
    from ckanext.opengovpe.jobs import registry
    from ckanext.opengovpe.search import words

    site_id = config.get("ckan.site_id")
    helpers.call_action("package_patch", {"user": corpus["sysadmin"]["name"]},
                        id="hospitales", notes="Obras nuevas.")
    assert words.is_stale(site_id)
    registry._TASKS["search_suggest"]()
    model.Session.remove()
    assert words.is_stale(site_id)
    assert search(q="obras")["count"] == 2


def test_a_value_repeated_in_a_dataset_is_counted_once(corpus):
    """CKAN sends one ``res_format`` per resource; a facet counts datasets, as Solr does."""
    factories_dataset(corpus, "tres-csv", ["CSV", "CSV", "CSV", "JSON"])
    for params in ({"q": "*:*"}, {"q": "*:*", "fq": "name:*"}, {"q": "tres"},
                   {"q": "tres", "fq": "name:*"}):
        found = search(**params, **{"facet.field": '["res_format", "vocab_tipo"]'})
        expected = search(**dict(params, rows=0, fq=" ".join(
            p for p in (params.get("fq"), "res_format:CSV") if p)))["count"]
        assert found["facets"]["res_format"]["CSV"] == expected, params
    assert search(q="tres", **{"facet.field": '["res_format"]'})["facets"][
        "res_format"] == {"CSV": 1, "JSON": 1}


def factories_dataset(corpus: dict[str, Any], name: str, formats: list[str]) -> None:
    from ckan.tests import factories
    factories.Dataset(name=name, title="Tres archivos", owner_org=corpus["oece"]["id"],
                      resources=[{"url": f"http://example.org/{name}/{i}", "format": f}
                                 for i, f in enumerate(formats)])


@pytest.mark.ckan_config("ckanext.opengovpe.search.facet_cache_ttl", 0)
def test_the_migration_keeps_each_value_once_in_rows_indexed_before(corpus):
    """Rows indexed by the previous code carry repeated values: the migration removes the
    repeats (first occurrence first) and counts the kept facet counts again."""
    import sqlalchemy as sa
    import ckan.model as model
    from ckan.cli import db
    from ckanext.opengovpe.search.model import facet_count_table as C
    from ckanext.opengovpe.search.model import search_doc_table as T

    factories_dataset(corpus, "tres-csv", ["CSV", "JSON"])
    before = search(q="*:*", **{"facet.field": '["res_format"]'})["facets"]
    model.Session.execute(sa.update(T).where(T.c.name == "tres-csv").values(
        facet_terms=sa.func.array_cat(T.c.facet_terms, ["res_format=CSV"]),
        terms=sa.text("""terms || jsonb_build_object('res_format',
                             terms->'res_format' || '["CSV", "JSON"]'::jsonb)""")))
    model.Session.execute(sa.update(C).where(C.c.term == "res_format=CSV")
                          .values(n=C.c.n + 1))
    model.Session.commit()
    assert search(q="*:*", **{"facet.field": '["res_format"]'})["facets"] != before
    db._run_migrations("opengovpe_search", version="c3f9a7d1e286", forward=False)
    db._run_migrations("opengovpe_search")
    row = model.Session.execute(sa.select(T.c.terms, T.c.facet_terms)
                                .where(T.c.name == "tres-csv")).one()
    assert row.terms["res_format"] == ["CSV", "JSON"]
    assert len(row.facet_terms) == len(set(row.facet_terms))
    assert search(q="*:*", **{"facet.field": '["res_format"]'})["facets"] == before
    assert search(q="tres", **{"facet.field": '["res_format"]'})["facets"] == {
        "res_format": {"CSV": 1, "JSON": 1}}
