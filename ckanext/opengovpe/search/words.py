"""How many datasets carry each word of the full text: the count of a one-word query.

A word found in a quarter of the catalogue ("informacion", "publica") costs a visit to every
matching row when it is counted from the text index, because the index cannot tell which
rows are active, public and of this site: at 100,000 datasets that is tens of thousands of
rows. The indexer keeps the number instead, per word (lexeme) and per visibility (site,
state, capacity, type, set of permission labels, as the facet counts), in
``opengovpe_search_word_count``: a query whose words make one lexeme, filtered only by
visibility, is counted by summing a few rows (query.py).

Every write keeps the counts exact: its deltas are folded in as it commits (index.py). A
rebuild does not write a delta per word of every dataset; it marks the counts stale as it
commits, and ``commit()`` at its end counts them again from the documents in one pass. While
they are stale, one-word queries are counted from the text index, as before.
"""
from __future__ import annotations

import logging
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg

import ckan.model as model

from .model import TEXT_SEARCH_CONFIG, search_doc_table as T, search_state_table as S
from .model import word_count_table as W

log = logging.getLogger(__name__)


def is_stale(site_id: str) -> bool:
    return bool(model.Session.execute(
        sa.select(S.c.words_stale).where(S.c.site_id == site_id)).scalar())


# Every document's distinct words, grouped by visibility as index.py keys the deltas
RECOUNT = f"""INSERT INTO {W.name} (site_id, word, state, capacity, dataset_type,
                                    permission_labels, n)
    SELECT site_id, word, coalesce(state, ''), coalesce(capacity, ''),
           coalesce(dataset_type, ''),
           ARRAY(SELECT DISTINCT unnest(permission_labels) ORDER BY 1), count(*)
    FROM {T.name}, unnest(tsvector_to_array(tsv)) AS word
    WHERE site_id = :site_id
    GROUP BY 1, 2, 3, 4, 5, 6"""


def lock_site(site_id: str) -> None:
    """Take the site's state row for this transaction, as every committing index writer
    does (the generation bump) before it touches any count: whoever holds it writes the
    counts alone."""
    session = model.Session
    session.execute(pg.insert(S).values(site_id=site_id).on_conflict_do_nothing())
    session.execute(sa.select(S.c.site_id).where(S.c.site_id == site_id).with_for_update())


def recount(site_id: str) -> None:
    """Count ``site_id``'s words again from its documents, and commit.

    The site's state row is held for the count (:func:`lock_site`): a writer that committed
    before it is in it, and one that commits after it waits, then folds its deltas (or marks
    the counts stale again) on top of it. Index writes wait for the count: 28 s at 100,000
    datasets, at the end of a rebuild or in the recurring job after one that did not end.
    """
    session = model.Session
    lock_site(site_id)
    session.execute(sa.delete(W).where(W.c.site_id == site_id))
    session.execute(sa.text(RECOUNT), {"site_id": site_id})
    session.execute(sa.update(S).where(S.c.site_id == site_id).values(words_stale=False))
    session.commit()
    session.execute(sa.text(f"ANALYZE {W.name}"))
    session.commit()


def recount_if_stale(site_id: str) -> bool:
    """Count the words again if they are stale (after waiting for whoever holds the site:
    the end of a rebuild and the recurring job may meet); whether they were counted."""
    lock_site(site_id)
    if not is_stale(site_id):
        model.Session.commit()
        return False
    try:
        recount(site_id)
    except sa_exc.DBAPIError as exc:
        # they stay stale: one-word queries are counted from the text index meanwhile
        model.Session.rollback()
        log.warning("Could not count the search words again: %s", exc.orig)
        return False
    return True


# One statement, written out: the Core construct's cache key alone cost more than the
# query (a few milliseconds a search). Each lexeme's count, then the rarest and how many
# lexemes there are; no row when the counts are stale or the words make no lexeme.
COUNT = sa.text(f"""SELECT min(n) AS rarest, count(*) AS lexemes
    FROM (SELECT (SELECT coalesce(sum(n), 0) FROM {W.name}
                  WHERE site_id = :site_id AND word = lexeme
                    AND (CAST(:states AS text[]) IS NULL
                         OR state = ANY(CAST(:states AS text[])))
                    AND (CAST(:capacities AS text[]) IS NULL
                         OR capacity = ANY(CAST(:capacities AS text[])))
                    AND (CAST(:types AS text[]) IS NULL
                         OR dataset_type = ANY(CAST(:types AS text[])))
                    AND (CAST(:labels AS text[]) IS NULL
                         OR permission_labels && CAST(:labels AS text[]))) AS n
          FROM unnest(tsvector_to_array(
                   to_tsvector('{TEXT_SEARCH_CONFIG}'::regconfig, :words))) AS lexeme
          WHERE NOT coalesce((SELECT words_stale FROM {S.name} WHERE site_id = :site_id),
                             false)) AS counted
    HAVING count(*) > 0""")


def count(site_id: str, words: str, visibility: dict[str, set[str]],
          labels: Optional[list[str]]) -> Optional[tuple[int, int]]:
    """How many datasets let through by ``visibility`` (the allowed states, capacities and
    types; a missing key allows any) and ``labels`` (None: any) contain the rarest lexeme
    of ``words``, and how many lexemes they make: the count of the query when they make
    one, and the most it can be when they make several. None when the counts are stale or
    the words make no lexeme (the caller counts from the text index)."""
    def allowed(field: str) -> Optional[list[str]]:
        return sorted(visibility[field]) if field in visibility else None

    found = model.Session.execute(COUNT, {
        "site_id": site_id, "words": words, "states": allowed("state"),
        "capacities": allowed("capacity"), "types": allowed("dataset_type"),
        "labels": list(labels) if labels is not None else None}).first()
    return None if found is None else (int(found.rarest), int(found.lexemes))
