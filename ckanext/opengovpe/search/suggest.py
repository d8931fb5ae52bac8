"""Typing help: "did you mean" corrections of misspelt queries and title autocomplete.

Only *public, active* datasets feed it: the indexer keeps one row per such dataset in
``opengovpe_search_suggest_doc`` (its title and its distinct words) and removes it when the
dataset is deleted or made private. Every caller, signed in or not, gets the same answers,
so they can be cached and never reveal a private dataset's title or words, even to its own
editors (who still find it by searching).

The word dictionary (``opengovpe_search_word``) is computed from those rows, refreshed at
the end of a rebuild and by the recurring job ``search_suggest`` when the index has
changed. Between refreshes it may still hold a word whose only dataset has just
become private: a correction is therefore offered only after checking, on the per-dataset
rows (always current), that public datasets contain every word of it.

Matching uses PostgreSQL's ``pg_trgm``: the nearest dictionary words by trigram distance
(GiST index, ``<->``), and title substrings (GIN index, ``LIKE``).
"""
from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql as pg

import ckan.model as model
from ckan.common import config

from .model import upsert
from .suggest_model import suggest_doc_table as D, word_table as W

log = logging.getLogger(__name__)

# words are runs of letters (accents included), 3 to 40 of them
_WORD = re.compile(r"[^\W\d_]{3,40}")
MAX_WORDS_PER_DATASET = 500
TITLE_LENGTH = 300
# below this trigram similarity a dictionary word is no correction of a typed one
MIN_SIMILARITY = 0.3
# words shorter than this are left as typed: too many neighbours to guess from
MIN_CORRECTED_LENGTH = 4
# characters of Lucene syntax: a fielded or structured query is not corrected
_SYNTAX = re.compile(r'[:"()\[\]{}*?~^\\+!]|\b(AND|OR|NOT|TO)\b')
# an answer is only as long as it can be counted quickly
_COUNT_CAP = 1000
# dataset types that are not shown in the dataset search
_HIDDEN_TYPES = frozenset({"harvest"})


def fold(text: str) -> str:
    """Lower case without accents (what the search and autocomplete compare)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words_of(*texts: str) -> list[str]:
    """The distinct lower-case words of ``texts``, in order of first use."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in _WORD.finditer(text or ""):
            seen.setdefault(match.group().lower(), None)
            if len(seen) >= MAX_WORDS_PER_DATASET:
                return list(seen)
    return list(seen)


def _title_folded(title: str) -> str:
    return " ".join(fold(title).split())[:TITLE_LENGTH]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


# --------------------------------------------------------------------------
# Written by the indexer
# --------------------------------------------------------------------------

_UPSERT = upsert(D, "index_id")
_DELETE = sa.delete(D).where(D.c.index_id == sa.bindparam("index_id"))


def entry(doc: dict[str, Any], row: dict[str, Any]) -> dict[str, Any] | None:
    """The typing-help row of an index row, or None when the dataset is not public."""
    if (row.get("capacity") != "public" or row.get("state") != "active"
            or row.get("dataset_type") in _HIDDEN_TYPES):
        return None
    title = str(doc.get("title") or doc.get("name") or "").replace("\x00", "")
    words = words_of(title, *_texts(doc.get("notes")), *_texts(doc.get("tags")))
    return {"index_id": row["index_id"], "site_id": row["site_id"],
            "name": str(row.get("name") or ""), "title": title[:TITLE_LENGTH],
            "title_folded": _title_folded(title), "words": words}


def write(doc: dict[str, Any], row: dict[str, Any]) -> None:
    """Keep the typing help of one dataset in step with its index row (same transaction)."""
    values = entry(doc, row)
    if values is None:
        model.Session.execute(_DELETE, {"index_id": row["index_id"]})
    else:
        model.Session.execute(_UPSERT, values)


def forget(where: Any) -> None:
    """Remove the typing help of the index rows ``where`` selects (before they go)."""
    from .model import search_doc_table as T

    model.Session.execute(sa.delete(D).where(
        D.c.index_id.in_(sa.select(T.c.index_id).where(where))))


def after_rebuild() -> None:
    """The end of a rebuild: drop rows whose dataset left the index, refresh the words."""
    from .model import search_doc_table as T

    try:
        model.Session.execute(sa.delete(D).where(~sa.exists().where(
            T.c.index_id == D.c.index_id)))
        model.Session.commit()
        log.info("Typing-help dictionary refreshed in %.1f s", refresh_dictionary())
    except sa_exc.DBAPIError as exc:
        model.Session.rollback()
        log.warning("Could not refresh the typing-help dictionary: %s", exc.orig)


# One statement: the words as the per-dataset rows count them now; a word whose count
# changed is updated, a word no public dataset uses any more is removed, the others are
# left alone (a refresh after a small change writes little). Readers keep the previous
# dictionary until it commits.
REFRESH = sa.text("""
WITH fresh AS MATERIALIZED (
  SELECT w.word, count(*)::int AS ndoc
  FROM opengovpe_search_suggest_doc d, unnest(d.words) AS w(word)
  WHERE d.site_id = :site_id
  GROUP BY w.word
), gone AS (
  DELETE FROM opengovpe_search_word o
  WHERE o.site_id = :site_id AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.word = o.word)
)
INSERT INTO opengovpe_search_word (site_id, word, folded, ndoc)
SELECT :site_id, f.word, lower(unaccent(f.word)), f.ndoc FROM fresh f
ON CONFLICT (site_id, word) DO UPDATE SET ndoc = EXCLUDED.ndoc
WHERE opengovpe_search_word.ndoc <> EXCLUDED.ndoc
""")
# one refresh at a time (the job and the end of a rebuild may meet)
_LOCK = sa.text("SELECT pg_advisory_xact_lock(hashtext('opengovpe_search_word'))")


def refresh_dictionary() -> float:
    """Recount the word dictionary from the per-dataset rows; returns the seconds it took."""
    import time

    started = time.perf_counter()
    model.Session.execute(_LOCK)
    model.Session.execute(REFRESH, {"site_id": _site_id()})
    model.Session.commit()
    return time.perf_counter() - started


def refresh_if_changed() -> bool:
    """Refresh the dictionary if the index changed since the last refresh (recurring job)."""
    from ckan.lib.redis import connect_to_redis

    from .cache import current_generation

    site_id = _site_id()
    generation = current_generation(site_id)
    key = f"{site_id}:opengovpe_search:suggest_generation"
    redis = connect_to_redis()
    if redis.get(key) == str(generation).encode():
        return False
    seconds = refresh_dictionary()
    redis.set(key, str(generation))
    log.info("Typing-help dictionary refreshed in %.1f s (index generation %s)",
             seconds, generation)
    return True


def backfill(connection: Any, batch: int = 2000) -> int:
    """Fill the per-dataset rows from the index as it stands (migration, upgrade).

    Reads each indexed document's stored fields, so no dataset has to be re-indexed.
    """
    from .model import search_doc_table as T

    written = 0
    last = ""
    select = (sa.select(T.c.index_id, T.c.site_id, T.c.name, T.c.state, T.c.capacity,
                        T.c.dataset_type, T.c.stored)
              .where(T.c.index_id > sa.bindparam("last"))
              .order_by(T.c.index_id).limit(batch))
    while True:
        rows = connection.execute(select, {"last": last}).mappings().all()
        if not rows:
            return written
        values = [v for v in (entry(dict(r["stored"] or {}), dict(r)) for r in rows) if v]
        if values:
            connection.execute(pg.insert(D).on_conflict_do_nothing(), values)
            written += len(values)
        last = rows[-1]["index_id"]


# --------------------------------------------------------------------------
# Read by the actions and the search page
# --------------------------------------------------------------------------

def _site_id() -> str:
    return str(config.get("ckan.site_id") or "")


def titles(text: str, limit: int) -> list[dict[str, str]]:
    """Public dataset titles for what is being typed, accents and case ignored.

    Titles that start with the text come first (alphabetical, read in index order: the
    first ``limit`` rows only), then titles with a word that starts with it, shortest
    first. Fewer than three letters match only title starts.
    """
    folded = " ".join(fold(text).split())
    if not folded:
        return []
    pattern = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    site_id = _site_id()
    columns = (D.c.name, D.c.title)
    found = model.Session.execute(
        sa.select(*columns).where(D.c.site_id == site_id,
                                  D.c.title_folded.like(pattern + "%", escape="\\"))
        .order_by(D.c.title_folded).limit(limit)).all()
    if len(found) < limit and len(folded) >= 3:
        # a word inside the title; LIMIT without ORDER BY lets PostgreSQL stop early
        seen = {r.name for r in found}
        more = model.Session.execute(
            sa.select(*columns).where(D.c.site_id == site_id,
                                      D.c.title_folded.like(f"% {pattern}%", escape="\\"))
            .limit(limit + len(seen))).all()
        found += sorted((r for r in more if r.name not in seen),
                        key=lambda r: (len(r.title), r.title))[: limit - len(found)]
    return [{"name": r.name, "title": r.title} for r in found]


@dataclasses.dataclass
class Correction:
    text: str  # the corrected query, as it would be typed
    count: int  # public datasets with every word of it (at most _COUNT_CAP)


def _known(folded_words: Iterable[str], site_id: str) -> dict[str, list[tuple[str, int]]]:
    """Dictionary entries by folded word: [(word as written, datasets using it)]."""
    out: dict[str, list[tuple[str, int]]] = {}
    rows = model.Session.execute(
        sa.select(W.c.folded, W.c.word, W.c.ndoc)
        .where(W.c.site_id == site_id, W.c.folded.in_(list(folded_words)))).all()
    for folded, word, ndoc in rows:
        out.setdefault(folded, []).append((word, int(ndoc)))
    for entries in out.values():
        entries.sort(key=lambda e: -e[1])
    return out


def _nearest(folded: str, site_id: str) -> tuple[str, str] | None:
    """The dictionary word nearest to an unknown one: (folded, as written), or None."""
    distance = W.c.folded.op("<->")(folded)
    rows = model.Session.execute(
        sa.select(W.c.folded, W.c.word, W.c.ndoc, (1 - distance).label("similarity"))
        .where(W.c.site_id == site_id).order_by(distance).limit(8)).all()
    candidates = [r for r in rows if r.similarity >= MIN_SIMILARITY]
    if not candidates:
        return None
    # fewest edits first, then the closest trigrams, then the most used word
    best = min(candidates, key=lambda r: (_edits(folded, r.folded), -r.similarity, -r.ndoc))
    if _edits(folded, best.folded) > max(2, len(folded) // 3):
        return None
    return best.folded, best.word


def _edits(a: str, b: str) -> int:
    """Levenshtein distance (the words are short)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def correction(query: str) -> Correction | None:
    """A better-spelt query for ``query``, if its words are unknown and near known ones.

    Only plain words are corrected (a query with Lucene syntax is left alone); words
    shorter than four letters stay as typed. None when nothing needs correcting or when
    no public dataset contains every word of the correction.
    """
    if _SYNTAX.search(query):
        return None
    tokens = [m.group() for m in re.finditer(r"[^\W_]+", query)]
    if not tokens or len(tokens) > 8:
        return None
    site_id = _site_id()
    folded = [fold(t) for t in tokens]
    known = _known({f for f in folded if len(f) >= 3}, site_id)
    output: list[str] = []
    groups: list[list[str]] = []  # the written forms each output word may take
    changed = False
    for token, key in zip(tokens, folded):
        if len(key) < 3 or key.isdigit():
            output.append(token)
            continue
        if key not in known and len(key) >= MIN_CORRECTED_LENGTH:
            nearest = _nearest(key, site_id)
            if nearest is None:
                return None
            key, word = nearest
            known.update(_known([key], site_id))
            output.append(word)
            changed = True
        else:
            output.append(token)
        if key not in known:
            return None
        groups.append([word for word, _ in known[key]])
    if not changed:
        return None
    count = _public_count(groups, site_id)
    if not count:
        return None
    return Correction(" ".join(output), count)


def _public_count(groups: list[list[str]], site_id: str) -> int:
    """Public datasets whose words include one form of each group (capped)."""
    where = [D.c.site_id == site_id]
    where += [D.c.words.overlap(sa.cast(forms, pg.ARRAY(sa.Text))) for forms in groups]
    inner = sa.select(sa.literal(1)).select_from(D).where(*where).limit(_COUNT_CAP)
    return int(model.Session.execute(
        sa.select(sa.func.count()).select_from(inner.subquery())).scalar() or 0)
