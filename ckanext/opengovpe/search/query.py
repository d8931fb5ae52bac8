"""Dataset queries on the embedded index, with the contract of CKAN's ``PackageSearchQuery``."""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Callable, Iterable, Optional

import sqlalchemy as sa
from luqum import tree
from sqlalchemy import exc as sa_exc

import ckan.model as model
from ckan.common import _, config
from ckan.lib.search.common import SearchError, SearchQueryError, SolrConnectionError
from ckan.lib.search.query import VALID_SOLR_PARAMETERS, PackageSearchQuery

from . import fields, local_params, words
from .cache import cached_facets, has_pending_changes
from .model import COUNTED_TERMS, DATASET_TERM, TSV_HEAD, TSV_TITLE, facet_count_table as C
from .model import search_doc_table as T
from .model import TEXT_SEARCH_CONFIG
from .translate import Translator, parse_query, rank_expression

log = logging.getLogger(__name__)

# CKAN's Solr parameters; those only Solr's dismax parser understands (qf, bf,
# boost, tie, mm, defType, df, wt, q.op) are accepted and have no effect here
ACCEPTED_PARAMETERS = VALID_SOLR_PARAMETERS | {"q.op"}


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError as exc:
                raise SearchQueryError(_("Invalid list: {value}").format(value=text[:50])) from exc
            return [str(v) for v in loaded]
        return [text]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def _int(params: dict[str, Any], key: str, default: int, minimum: int) -> int:
    value = params.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise SearchQueryError(_("'{key}' must be an integer").format(key=key)) from exc
    if number < minimum:
        raise SearchQueryError(
            _("'{key}' must be at least {minimum}").format(key=key, minimum=minimum))
    return number


def _field_list(value: Any) -> list[str]:
    names: list[str] = []
    for part in _as_list(value):
        names.extend(p for p in part.replace(",", " ").split() if p)
    for name in names:
        if name != "*" and not fields.is_valid_field_name(name):
            raise SearchQueryError(
                _("Invalid field in 'fl': {name}").format(name=name[:50]))
    return names


def _sort_expressions(name: str, rank: Optional[sa.ColumnElement[Any]]
                      ) -> list[sa.ColumnElement[Any]]:
    if name == "score":
        return [rank] if rank is not None else []
    if name in ("title_string", "title"):
        return [T.c.title_sort]
    if name in fields.DATE_COLUMNS or name in fields.COLUMN_FIELDS:
        return [T.c[name]]
    first = T.c.terms[name].op("->>")(0)
    # numbers in numeric order, then everything else in code-point order
    return [sa.func.opengovpe_try_numeric(first), first.collate("C")]


def _sort_clauses(sort: str, rank: Optional[sa.ColumnElement[Any]]
                  ) -> list[sa.ColumnElement[Any]]:
    clauses: list[sa.ColumnElement[Any]] = []
    parts = [p.strip() for p in sort.split(",") if p.strip()]
    max_fields = int(config.get("ckanext.opengovpe.search.max_sort_fields"))
    if len(parts) > max_fields:
        raise SearchQueryError(_('"sort" has more than {count} fields').format(count=max_fields))
    for part in parts:
        pieces = part.split()
        if len(pieces) == 1:
            pieces.append("asc")
        if len(pieces) != 2 or pieces[1].lower() not in ("asc", "desc") \
                or not fields.is_valid_field_name(pieces[0]):
            raise SearchQueryError(_('Invalid "sort" parameter'))
        descending = pieces[1].lower() == "desc"
        for expression in _sort_expressions(pieces[0], rank):
            ordered = expression.desc() if descending else expression.asc()
            clauses.append(ordered.nulls_last())
    # a stable order, so that pages never overlap
    clauses.append(T.c.id.asc())
    return clauses


DEFAULT_SORT = "score desc, metadata_modified desc"
# what ``fl`` may name that is read from its own column, not from the stored fields
_NOT_STORED = frozenset({"id", "name", "data_dict", "validated_data_dict", "score"})
_CFG = sa.literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")

# Tiers of a broad query, best first: where its words are found, and the score that says so
TIERS = ((TSV_TITLE, 1.0), (TSV_HEAD, 0.4), (T.c.tsv, 0.1))


# "+capacity:public", "+state:(active OR draft)", "dataset_type:dataset": what CKAN itself
# puts in fq; a search filtered by nothing else is counted from the maintained facet counts
_VISIBILITY_FILTER = re.compile(
    r'\+?(state|capacity|dataset_type):(?:\(([\w-]+(?: OR [\w-]+)*)\)|"?([\w-]+)"?)(?=\s|$)')


def visibility_filters(fq_texts: list[str]) -> Optional[dict[str, set[str]]]:
    """The values allowed for state, capacity and dataset_type when the filters say nothing
    else (the same field twice: both must hold); else None."""
    allowed: dict[str, set[str]] = {}
    for text in fq_texts:
        rest = _VISIBILITY_FILTER.sub(" ", text)
        if rest.strip():
            return None
        for match in _VISIBILITY_FILTER.finditer(text):
            values = set((match.group(2) or match.group(3)).split(" OR "))
            field = match.group(1)
            allowed[field] = allowed[field] & values if field in allowed else values
    return allowed


def plain_words(q: str) -> Optional[str]:
    """The words of ``q`` when it is only plain words (no field, phrase, wildcard, operator
    other than the implicit AND), joined by spaces; else None."""
    try:
        node = parse_query(q)
    except SearchQueryError:
        return None
    children = node.children if isinstance(
        node, (tree.UnknownOperation, tree.AndOperation)) else (node,)
    words = []
    for child in children:
        if not isinstance(child, tree.Word) or child.has_wildcard() \
                or child.value in ("&&", "||", "*"):
            return None
        words.append(tree.Term.WORD_ESCAPED_CHARS.sub(r"\1", child.value))
    return " ".join(words) or None


class PostgresPackageSearchQuery(PackageSearchQuery):
    """Answers ``package_search`` (and CKAN's other index reads) from PostgreSQL."""

    def _site_filter(self) -> sa.ColumnElement[bool]:
        return T.c.site_id == config.get("ckan.site_id")

    def _guarded(self, work: Callable[[], Any]) -> Any:
        """Run ``work`` (reads) in a savepoint with the search's statement timeout, so a
        failing query never spoils the request's transaction; a search runs all its
        statements in one (each savepoint and setting is a round trip to PostgreSQL)."""
        if self._in_guard:
            return work()
        session = model.Session
        timeout = int(config.get("ckanext.opengovpe.search.statement_timeout"))
        self._in_guard = True
        try:
            with session.begin_nested():
                session.execute(sa.text(f"SET LOCAL statement_timeout = {timeout:d}"))
                result = work()
                session.execute(sa.text("SET LOCAL statement_timeout = DEFAULT"))
            return result
        except sa_exc.OperationalError as exc:
            if "statement timeout" in str(exc.orig):
                raise SearchQueryError(
                    _("The query took too long to run; simplify it")) from exc
            log.warning("Search index unavailable: %s", exc.orig)
            raise SolrConnectionError("The search index is not available") from exc
        except RecursionError as exc:
            # compiling a very deep expression tree
            raise SearchQueryError(_("Query is nested too deeply")) from exc
        except sa_exc.DataError as exc:
            raise SearchQueryError(_("Invalid value in query")) from exc
        except sa_exc.DBAPIError as exc:
            log.error("Search query failed: %s", exc.orig)
            raise SearchError("The search index failed to run the query") from exc
        finally:
            self._in_guard = False

    _in_guard = False
    # how many rows match, when counting the facets counted them too (else None)
    _matched: Optional[int] = None

    def _execute(self, statement: sa.Executable, no_seqscan: bool = False) -> list[Any]:
        def read() -> list[Any]:
            session = model.Session
            if no_seqscan:
                session.execute(sa.text("SET LOCAL enable_seqscan = off"))
            rows = session.execute(statement).mappings().all()
            if no_seqscan:
                session.execute(sa.text("SET LOCAL enable_seqscan = DEFAULT"))
            return list(rows)

        return self._guarded(read)

    # ------------------------------------------------------------------
    def get_all_entity_ids(self, max_results: int = 1000) -> list[str]:
        statement = (sa.select(T.c.id)
                     .where(self._site_filter(), T.c.state == "active")
                     .order_by(T.c.id).limit(max_results))
        return [row["id"] for row in self._execute(statement)]

    def get_index(self, reference: str) -> dict[str, Any]:
        statement = (sa.select(T.c.stored, T.c.data_dict, T.c.validated_data_dict)
                     .where(self._site_filter(),
                            sa.or_(T.c.id == reference, T.c.name == reference))
                     .limit(1))
        rows = self._execute(statement)
        if not rows:
            raise SearchError(f"Dataset not found in the search index: {reference}")
        row = rows[0]
        doc = dict(row["stored"])
        doc["data_dict"] = row["data_dict"]
        doc["validated_data_dict"] = row["validated_data_dict"]
        return doc

    # ------------------------------------------------------------------
    def _condition(self, text: str, translator: Translator) -> sa.ColumnElement[bool]:
        max_length = int(config.get("ckanext.opengovpe.search.max_query_length"))
        if "\x00" in text:
            raise SearchQueryError(_("Query contains a NUL character"))
        if len(text) > max_length:
            raise SearchQueryError(
                _("Query is too long ({length} characters, at most {max_length})")
                .format(length=len(text), max_length=max_length))
        try:
            return translator.translate(parse_query(text))
        except RecursionError as exc:
            raise SearchQueryError(_("Query is nested too deeply")) from exc

    def _where(self, query: dict[str, Any], permission_labels: Optional[list[str]],
               translator: Translator) -> sa.ColumnElement[bool]:
        conditions: list[sa.ColumnElement[bool]] = [self._site_filter()]
        q = query.get("q")
        if isinstance(q, list):
            q = " ".join(str(p) for p in q)
        if q:
            q = local_params.rewrite("q", q)
        self._words = None
        if q and q.strip() not in ('""', "''", "*:*", "*"):
            conditions.append(self._condition(q, translator))
            self._words = plain_words(q)
        q_conditions = len(conditions)

        fq = query.get("fq")
        fq_texts = [str(f) for f in fq] if isinstance(fq, list) else _as_list(fq)
        fq_texts.extend(str(f) for f in query.get("fq_list", []) or [])
        fq_texts = [local_params.rewrite("fq", text) for text in fq_texts]
        # filters never count towards the score
        filter_translator = Translator()
        conditions.extend(self._condition(text, filter_translator)
                          for text in fq_texts if text.strip())
        visibility = visibility_filters(fq_texts)
        if not any("+state:" in text for text in fq_texts):
            conditions.append(T.c.state == "active")
            if visibility is not None:
                visibility["state"] = visibility.get("state", {"active"}) & {"active"}
        # the filters when they say only which datasets are visible (the counts the indexer
        # keeps answer those); for facets, only when q says nothing either. Not while this
        # transaction has index writes whose deltas the counts take in only as it commits
        if has_pending_changes():
            visibility = None
        self._filter_visibility = visibility
        self._visibility = visibility if q_conditions == 1 else None
        self._labels = permission_labels
        if permission_labels is not None:
            conditions.append(T.c.permission_labels.op("&&")(
                sa.cast(sa.literal(list(permission_labels)), T.c.permission_labels.type)))
        # everything but the words of q: the filters the tiers of a broad query run under
        self._filters = sa.and_(*conditions[:1], *conditions[q_conditions:])
        return sa.and_(*conditions)

    def run(self, query: dict[str, Any],
            permission_labels: Optional[list[str]] = None,
            **kwargs: Any) -> dict[str, Any]:
        '''Run a dataset search, as CKAN's Solr query does.

        :param query: Solr-style parameters: q, fq, fq_list, sort, rows, start,
            fl, facet, facet.field, facet.limit, facet.mincount
        :param permission_labels: only datasets carrying one of these labels;
            None for no filter
        :returns: dict with ``results`` and ``count``; facets in ``self.facets``
        '''
        unknown = set(query.keys()) - ACCEPTED_PARAMETERS
        if unknown:
            raise SearchQueryError(_("Invalid search parameters: {names}").format(
                names=", ".join(sorted(unknown))))
        # in CKAN's order, and with fq_list checked as part of fq, as CKAN does
        for param, value in list(query.items()):
            items = value if isinstance(value, list) else [value]
            if param == "fq":
                items = items + list(query.get("fq_list") or [])
            for item in items:
                local_params.check(param, item)

        translator = Translator()
        where = self._where(query, permission_labels, translator)
        self._cache_key = [query.get("q"), query.get("fq"), query.get("fq_list"),
                           sorted(permission_labels) if permission_labels is not None
                           else None]
        rank = rank_expression(translator.rank_queries)
        rows = min(_int(query, "rows", 10, 0),
                   max(int(config.get("ckan.search.rows_max") or 1000), 1000))
        start = _int(query, "start", 0, 0)
        max_start = int(config.get("ckanext.opengovpe.search.max_start"))
        if start > max_start:
            raise SearchQueryError(
                _("'start' must be at most {max_start}; to read every dataset, follow the "
                  "pages of /catalog.ttl").format(max_start=max_start))
        order = _sort_clauses(str(query.get("sort") or "score desc, metadata_modified desc"),
                              rank)
        fl = _field_list(query.get("fl") or "name")

        self.results = []

        def page_and_facets() -> None:
            # facets first: the pass that counts them counts the matches too, and the page
            # then needs no pass of its own to count them
            self._matched = None
            self.facets = self._facets(query, where)
            self._page(query, where, order, rank, fl, start, rows)

        self._guarded(page_and_facets)

        if fl in (["id"], ["name"]):
            self.results = [r.get(fl[0]) for r in self.results]
        return {"results": self.results, "count": self.count}

    def _page(self, query: dict[str, Any], where: sa.ColumnElement[bool], order: list[Any],
              rank: Optional[sa.ColumnElement[Any]], fl: list[str], start: int, rows: int
              ) -> None:
        """Set ``self.count`` and ``self.results``."""
        if rank is not None and self._words is not None \
                and " ".join(str(query.get("sort") or DEFAULT_SORT).split()) == DEFAULT_SORT:
            # plain words in the default order: count first (unless few can match), and when
            # thousands of datasets match, take the page from the tiers instead of ranking
            # every match
            limit = int(config.get("ckanext.opengovpe.search.rank_all_limit"))
            count = self._count_words(where, limit)
            if count is not None:
                self.count = count
                if not count:
                    return
                if count > limit:
                    self.results = self._tiered_page(start, rows, fl)
                    return
        if rank is not None:
            self._ranked_page(where, order, rank, fl, start, rows)
        else:
            self._ordered_page(where, order, fl, start, rows)

    def _ranked_page(self, where: sa.ColumnElement[bool], order: list[Any],
                     rank: sa.ColumnElement[Any], fl: list[str], start: int, rows: int
                     ) -> None:
        # ranked full text: the matches are read once for the rank anyway, so the total
        # comes with the page instead of from a second scan. The window runs over narrow
        # rows (key, position, total); only the page's documents are read afterwards, so
        # thousands of matches never carry their documents through the window (which
        # spilled to disk at 100,000 datasets)
        chosen = (sa.select(T.c.index_id, sa.func.count().over().label("total"),
                            sa.func.row_number().over(order_by=order).label("position"))
                  .where(where).order_by(*order).limit(max(rows, 1)).offset(start)
                  .subquery("chosen"))
        page = (sa.select(*self._columns(fl, rank), chosen.c.total)
                .join(chosen, chosen.c.index_id == T.c.index_id)
                .order_by(chosen.c.position))
        found = self._execute(page)
        if found:
            self.count = int(found[0]["total"])
            self.results = [self._result(row, fl) for row in found][:rows]
        else:
            self.count = self._count(where)

    def _ordered_page(self, where: sa.ColumnElement[bool], order: list[Any], fl: list[str],
                      start: int, rows: int) -> None:
        self.count = self._count(where)
        if rows and self.count > start:
            # choose the page's rows from the narrow index first, then read
            # their documents: deep pages do not drag skipped documents along
            chosen = (sa.select(T.c.index_id).where(where).order_by(*order)
                      .limit(rows).offset(start).subquery("chosen"))
            page = (sa.select(*self._columns(fl, None))
                    .join(chosen, chosen.c.index_id == T.c.index_id).order_by(*order))
            self.results = [self._result(row, fl) for row in self._execute(page)]

    def _tiered_page(self, start: int, rows: int, fl: list[str]) -> list[dict[str, Any]]:
        """The page of a broad plain-words query, its score the best tier its words are in.

        Datasets with every word in the title come first (score 1.0), then those with every
        word in the title, name, tags, groups and organization (0.4), then the other
        matches (0.1); in each tier the newest first, as the default sort says. Each tier
        is read from its own text index, newest first, only as far as the page needs: no
        match is ranked, and the ones past the page are not read.
        """
        words = sa.func.plainto_tsquery(_CFG, sa.literal(self._words, sa.Text))
        need = start + rows
        picked: list[tuple[str, float]] = []
        for column, score in TIERS:
            if len(picked) >= need:
                break
            # words that are all stopwords match every dataset, as the count says
            conditions = [self._filters,
                          sa.or_(sa.func.numnode(words) == 0, column.op("@@")(words))]
            if picked:
                conditions.append(T.c.index_id.notin_([key for key, _ in picked]))
            statement = (sa.select(T.c.index_id).where(*conditions)
                         .order_by(T.c.metadata_modified.desc().nulls_last(), T.c.id.asc())
                         .limit(need - len(picked)))
            picked.extend((row["index_id"], score) for row in self._execute(statement))
        page = picked[start:need]
        if not page:
            return []
        scores = dict(page)
        found = {row["index_id"]: row for row in self._execute(
            sa.select(T.c.index_id, *self._columns(fl, None))
            .where(T.c.index_id.in_(list(scores))))}
        results = []
        for key, score in page:
            result = self._result(found[key], fl)
            if "score" in fl:
                result["score"] = score
            results.append(result)
        return results

    def _count_words(self, where: sa.ColumnElement[bool], limit: int) -> Optional[int]:
        """How many rows match a query of plain words, or None when they are known to be at
        most ``limit`` (the ranked page counts them as it ranks them).

        Known already when the facets were counted; from the word counts when only
        visibility filters apply (words.py): exact for one lexeme, and for several the
        count of the rarest bounds them; else from the text index. Called inside the
        search's savepoint (run)."""
        if self._matched is None and self._filter_visibility is not None:
            counted = words.count(config.get("ckan.site_id"), self._words,
                                  self._filter_visibility, self._labels)
            if counted is not None:
                rarest, lexemes = counted
                if lexemes == 1 or rarest == 0:
                    return rarest
                if rarest <= limit:
                    return None
        return self._count(where, by_index=True)

    def _count(self, where: sa.ColumnElement[bool], by_index: bool = False) -> int:
        """How many rows match; ``by_index``: from the text index's bitmap, never testing
        each row's text. A word in half the catalogue looks cheaper to test row by row,
        which decompresses every text vector (ten times the pages read).

        With only visibility filters, from the kept facet counts instead (the datasets
        under ``DATASET_TERM``, model.py): the catalogue's pages count a few rows, not
        every dataset. Known already when the facets were counted (``self._matched``)."""
        if self._matched is not None:
            return self._matched
        if self._visibility is not None:
            statement = (sa.select(sa.func.coalesce(sa.func.sum(C.c.n), 0).label("n"))
                         .where(*self._maintained_conditions(self._visibility),
                                C.c.term == DATASET_TERM))
            return int(self._execute(statement)[0]["n"])
        statement = sa.select(sa.func.count().label("n")).where(where)
        return int(self._execute(statement, no_seqscan=by_index)[0]["n"])

    @staticmethod
    def _columns(fl: list[str], rank: Optional[sa.ColumnElement[Any]]
                 ) -> list[sa.ColumnElement[Any]]:
        columns: list[sa.ColumnElement[Any]] = [T.c.id, T.c.name]
        # the stored fields only when fl asks for one: CKAN's own searches ask for the id and
        # the dataset dict, and each row's stored fields are kilobytes of JSON to decode
        if any(name not in _NOT_STORED for name in fl):
            columns.append(T.c.stored)
        for name in ("data_dict", "validated_data_dict"):
            if name in fl or "*" in fl:
                columns.append(T.c[name])
        if "score" in fl:
            columns.append((rank if rank is not None else sa.literal(1.0)).label("score"))
        return columns

    @staticmethod
    def _result(row: Any, fl: list[str]) -> dict[str, Any]:
        stored = row.get("stored") or {}
        if "*" in fl:
            result = dict(stored)
            for name in ("data_dict", "validated_data_dict"):
                result[name] = row.get(name)
        else:
            result = {}
            for name in fl:
                if name in ("data_dict", "validated_data_dict", "score"):
                    result[name] = row.get(name)
                elif name == "id":
                    result["id"] = row["id"]
                elif name == "name":
                    result["name"] = row["name"]
                elif name in stored:
                    result[name] = stored[name]
        extras = {key[len("extras_"):]: result.pop(key)
                  for key in [k for k in result if k.startswith("extras_")]}
        if extras:
            result["extras"] = extras
        return result

    def _facets(self, query: dict[str, Any], where: sa.ColumnElement[bool]
                ) -> dict[str, dict[str, int]]:
        if str(query.get("facet", "true")).lower() == "false":
            return {}
        names = _as_list(query.get("facet.field"))
        if not names:
            return {}
        for name in names:
            if not fields.is_valid_field_name(name):
                raise SearchQueryError(
                    _("Invalid facet field: {name}").format(name=name[:50]))
        max_fields = int(config.get("ckanext.opengovpe.search.max_facet_fields"))
        if len(set(names)) > max_fields:
            raise SearchQueryError(
                _("'facet.field' has more than {count} fields").format(count=max_fields))
        limit = query.get("facet.limit")
        limit = int(config.get("search.facets.limit")) if limit in (None, "") else limit
        try:
            limit = int(limit)
            mincount = int(query.get("facet.mincount", 1) or 0)
        except (TypeError, ValueError) as exc:
            raise SearchQueryError(
                _("'facet.limit' and 'facet.mincount' must be integers")) \
                from exc
        max_limit = int(config.get("ckanext.opengovpe.search.max_facet_limit"))
        if limit > max_limit:
            raise SearchQueryError(
                _("'facet.limit' must be at most {max_limit}").format(max_limit=max_limit))
        if limit < 0:
            # Solr's "every value", within the limit
            limit = max_limit

        def count() -> dict[str, Any]:
            facets, matched = self._count_facets(names, limit, mincount, where)
            return {"facets": facets, "matched": matched}

        key = self._cache_key + [names, limit, mincount]
        # date math moves with the clock: never cached
        counted = count() if "NOW" in json.dumps(key, default=str) \
            else cached_facets(key, count)
        self._matched = counted["matched"]
        return counted["facets"]

    def _count_facets(self, names: list[str], limit: int, mincount: int,
                      where: sa.ColumnElement[bool]
                      ) -> tuple[dict[str, dict[str, int]], Optional[int]]:
        """The facets, and how many rows match when counting them counted those too."""
        compact = set(config.get("ckanext.opengovpe.search.facet_fields") or [])
        unique = list(dict.fromkeys(names))
        facets, matched = self._count_compact([n for n in unique if n in compact], limit,
                                              mincount, where)
        others = [n for n in unique if n not in compact]
        if others:
            facets.update(self._count_from_terms(others, limit, mincount, where))
        return {name: facets.get(name, {}) for name in unique}, matched

    def _count_compact(self, names: list[str], limit: int, mincount: int,
                       where: sa.ColumnElement[bool]
                       ) -> tuple[dict[str, dict[str, int]], Optional[int]]:
        """One pass over the ``field=value`` array of the matching rows, which counts the
        matches too (None when no field is asked): each row adds ``DATASET_TERM``, as in
        the kept counts, which no field's ``field=value`` is.

        Every compact field is counted and the unwanted ones are dropped here: the few
        distinct terms cost less to skip than testing the field of each of the (many)
        unnested terms in SQL, which took a third of the time at 100,000 datasets.
        """
        if not names:
            return {}, None
        if self._visibility is not None:
            statement = self._maintained_counts(self._visibility)
        else:
            term = sa.literal_column(COUNTED_TERMS).label("term")
            rows = sa.select(term).select_from(T).where(where).subquery("matched")
            statement = (sa.select(rows.c.term, sa.func.count().label("n"))
                         .group_by(rows.c.term))
        matched = 0
        grouped: dict[str, list[tuple[str, int]]] = {name: [] for name in names}
        for row in self._execute(statement):
            if row["term"] == DATASET_TERM:
                matched = int(row["n"])
                continue
            name, _, value = row["term"].partition("=")
            if name in grouped and int(row["n"]) >= max(mincount, 1):
                grouped[name].append((value, int(row["n"])))
        facets = {}
        for name, counts in grouped.items():
            counts.sort(key=lambda c: (-c[1], c[0]))
            facets[name] = dict(counts[:limit])
        return facets, matched

    def _maintained_counts(self, visibility: dict[str, set[str]]) -> sa.Select[Any]:
        """Facet counts of every dataset these visibility filters let through, from the counts
        the indexer keeps (``opengovpe_search_facet_count``): the same figures as counting
        the matching rows, from a few thousand rows."""
        return (sa.select(C.c.term, sa.func.sum(C.c.n).label("n"))
                .where(*self._maintained_conditions(visibility)).group_by(C.c.term))

    def _maintained_conditions(self, visibility: dict[str, set[str]]
                               ) -> list[sa.ColumnElement[bool]]:
        return [C.c.site_id == config.get("ckan.site_id"),
                *self._visibility_conditions(C, visibility)]

    def _visibility_conditions(self, table: sa.Table, visibility: dict[str, set[str]]
                               ) -> list[sa.ColumnElement[bool]]:
        """``visibility`` and this search's permission labels, on a table of maintained
        counts."""
        conditions = [table.c[field].in_(sorted(values))
                      for field, values in visibility.items()]
        if self._labels is not None:
            conditions.append(table.c.permission_labels.op("&&")(
                sa.cast(sa.literal(list(self._labels)), table.c.permission_labels.type)))
        return conditions

    def _count_from_terms(self, names: list[str], limit: int, mincount: int,
                          where: sa.ColumnElement[bool]) -> dict[str, dict[str, int]]:
        """Facets on any other indexed field, from the full terms map."""
        matched = sa.select(T.c.terms).where(where).cte("matched")
        selects = []
        for position, name in enumerate(dict.fromkeys(names)):
            values = sa.func.jsonb_array_elements_text(matched.c.terms[name]) \
                .table_valued("value")
            counted = (sa.select(sa.literal(position).label("facet"),
                                 values.c.value.label("value"),
                                 sa.func.count().label("n"))
                       .select_from(matched).join(values, sa.true())
                       .group_by(values.c.value)
                       .having(sa.func.count() >= max(mincount, 1))
                       .order_by(sa.func.count().desc(), values.c.value)
                       .limit(limit))
            selects.append(counted.subquery().select())
        statement = sa.union_all(*selects) if len(selects) > 1 else selects[0]
        unique_names = list(dict.fromkeys(names))
        facets: dict[str, dict[str, int]] = {name: {} for name in unique_names}
        rows = sorted(self._execute(statement),
                      key=lambda r: (r["facet"], -int(r["n"]), r["value"]))
        for row in rows:
            facets[unique_names[row["facet"]]][row["value"]] = int(row["n"])
        return facets
