"""Lucene query trees (parsed by luqum) to SQLAlchemy conditions on the index table.

Every user value reaches SQL as a bound parameter; field names are checked
against a strict pattern and only ever used as JSON keys or mapped columns.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse
from sqlalchemy.dialects import postgresql as pg

from ckan.common import _, config
from ckan.lib.search.common import SearchQueryError

from . import datemath, fields
from .document import fold
from .model import TEXT_SEARCH_CONFIG, search_doc_table as T

_WORD_CHARS = re.compile(r"^\w+$", re.UNICODE)
# ASCII digits only, as Solr: Python's \d and float() also take '٣'
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d{1,3})?$", re.ASCII)

_CFG = sa.literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")


def nesting_depth(text: str) -> int:
    """How deeply the parentheses of ``text`` nest, outside phrases and escapes."""
    depth = deepest = 0
    escaped = quoted = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    return deepest


def parse_query(text: str) -> tree.Item:
    """Parse Lucene syntax, turning every parser failure into a query error."""
    max_depth = int(config.get("ckanext.opengovpe.search.max_depth"))
    if nesting_depth(text) > max_depth:
        # the parser recurses once per level: refuse before it runs
        raise SearchQueryError(_("Query is nested too deeply (at most {max_depth} levels of "
                                 "parentheses)").format(max_depth=max_depth))
    try:
        return parse(text)
    except ParseError as exc:
        raise SearchQueryError(_(
            "Query syntax error: check parentheses, quotes, ranges and operators")
        ) from exc
    except RecursionError as exc:
        raise SearchQueryError(_("Query is nested too deeply")) from exc
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        # PLY reports some malformed input this way
        raise SearchQueryError(_(
            "Query syntax error: check parentheses, quotes, ranges and operators")
        ) from exc


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _wildcard_to_like(value: str) -> str:
    """Lucene wildcards (``*``, ``?``) to a LIKE pattern; other characters literal."""
    out = []
    escaped = False
    for char in value:
        if escaped:
            out.append(_like_escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        else:
            out.append(_like_escape(char))
    return "".join(out)


def _wildcard_to_word_regex(value: str) -> str:
    """Lucene wildcards to a PostgreSQL regular expression matching one whole word."""
    out = []
    escaped = False
    for char in value:
        if escaped or char not in "*?\\":
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append(r"\w*")
        else:
            out.append(r"\w")
    return r"\m" + "".join(out) + r"\M"


def _unescape(value: str) -> str:
    return tree.Term.WORD_ESCAPED_CHARS.sub(r"\1", value)


def _term_values(field: str) -> sa.ColumnElement[Any]:
    return sa.func.jsonb_array_elements_text(T.c.terms[field]).table_valued("value")


class Translator:
    """Translate one parsed query into a SQL condition.

    ``rank_queries`` collects the tsqueries of positive free-text clauses, for
    scoring. ``clauses`` counts leaves and ``wildcards`` the wildcards that read
    every document's words, to refuse queries too large to run.
    """

    def __init__(self) -> None:
        self.rank_queries: list[sa.ColumnElement[Any]] = []
        self.clauses = 0
        self.wildcards = 0
        self.max_clauses = int(config.get("ckanext.opengovpe.search.max_clauses"))
        self.max_wildcards = int(config.get("ckanext.opengovpe.search.max_wildcards"))

    # entry point -----------------------------------------------------------
    def translate(self, node: tree.Item) -> sa.ColumnElement[bool]:
        return self._node(node, None, False)

    # tree walk ---------------------------------------------------------------
    def _node(self, node: tree.Item, field: str | None, negated: bool
              ) -> sa.ColumnElement[bool]:
        for node_type, handler in self._HANDLERS:
            if isinstance(node, node_type):
                return handler(self, node, field, negated)
        raise SearchQueryError(
            _("Unsupported query element: {name}").format(name=type(node).__name__))

    def _search_field(self, node: tree.SearchField, field: str | None, negated: bool
                      ) -> sa.ColumnElement[bool]:
        if node.name == "*":
            if isinstance(node.expr, tree.Word) and node.expr.value == "*":
                self._count()
                return sa.true()
            raise SearchQueryError(_("'*' can only be used as '*:*'"))
        if not fields.is_valid_field_name(node.name):
            raise SearchQueryError(
                _("Invalid field name: {name}").format(name=node.name[:50]))
        return self._node(node.expr, node.name, negated)

    def _inner(self, node: tree.Item, field: str | None, negated: bool
               ) -> sa.ColumnElement[bool]:
        # groups, boosts, fuzzy terms and '+' keep the meaning of what they wrap
        if hasattr(node, "expr"):
            inner = node.expr
        elif hasattr(node, "term"):
            inner = node.term
        else:
            inner = node.a
        return self._node(inner, field, negated)

    def _all(self, node: tree.BaseOperation, field: str | None, negated: bool
             ) -> sa.ColumnElement[bool]:
        # AND, and the implicit operator: CKAN searches with q.op=AND
        return sa.and_(*(self._node(c, field, negated) for c in node.children))

    def _any(self, node: tree.OrOperation, field: str | None, negated: bool
             ) -> sa.ColumnElement[bool]:
        return sa.or_(*(self._node(c, field, negated) for c in node.children))

    def _negation(self, node: tree.Unary, field: str | None, negated: bool
                  ) -> sa.ColumnElement[bool]:
        return sa.not_(self._node(node.a, field, not negated))

    def _proximity(self, node: tree.Proximity, field: str | None, negated: bool
                   ) -> sa.ColumnElement[bool]:
        return self._term(field, str(node.term.value).strip('"'), "plain", negated)

    def _range_node(self, node: tree.Range, field: str | None, negated: bool
                    ) -> sa.ColumnElement[bool]:
        return self._range(field, node.low, node.high, node.include_low, node.include_high)

    def _from_node(self, node: tree.From, field: str | None, negated: bool
                   ) -> sa.ColumnElement[bool]:
        return self._range(field, node.a, tree.Word("*"), node.include, True)

    def _to_node(self, node: tree.To, field: str | None, negated: bool
                 ) -> sa.ColumnElement[bool]:
        return self._range(field, tree.Word("*"), node.a, True, node.include)

    def _regex(self, node: tree.Regex, field: str | None, negated: bool
               ) -> sa.ColumnElement[bool]:
        raise SearchQueryError(_("Regular expressions are not supported in queries"))

    def _phrase(self, node: tree.Phrase, field: str | None, negated: bool
                ) -> sa.ColumnElement[bool]:
        return self._term(field, _unescape(node.value[1:-1]), "phrase", negated)

    def _word(self, node: tree.Word, field: str | None, negated: bool
              ) -> sa.ColumnElement[bool]:
        if node.value in ("&&", "||"):
            return sa.true()
        if node.value == "*":
            return self._exists_field(field)
        if node.has_wildcard():
            return self._wildcard(field, node.value, negated)
        return self._term(field, _unescape(node.value), "plain", negated)

    _HANDLERS: tuple[tuple[type, Any], ...] = ()

    def _count(self) -> None:
        self.clauses += 1
        if self.clauses > self.max_clauses:
            raise SearchQueryError(
                _("Query has more than {count} clauses").format(count=self.max_clauses))

    def _count_wildcard(self) -> None:
        self.wildcards += 1
        if self.wildcards > self.max_wildcards:
            raise SearchQueryError(
                _("Query has more than {count} wildcard terms other than a trailing '*'")
                .format(count=self.max_wildcards))

    # leaves -----------------------------------------------------------------
    def _tsquery(self, kind: str, value: str) -> sa.ColumnElement[Any]:
        func = {"plain": sa.func.plainto_tsquery,
                "phrase": sa.func.phraseto_tsquery}[kind]
        return func(_CFG, sa.literal(value, sa.Text))

    def _fulltext(self, tsquery: sa.ColumnElement[Any], negated: bool,
                  weights: str | None = None, column_text: sa.ColumnElement[Any] | None = None
                  ) -> sa.ColumnElement[bool]:
        if not negated:
            self.rank_queries.append(tsquery)
        if column_text is not None:
            vector = sa.func.to_tsvector(_CFG, column_text)
            match = vector.op("@@")(tsquery)
        else:
            match = T.c.tsv.op("@@")(tsquery)
            if weights:
                # weights come from fields.WEIGHT_FIELDS, never from the query
                weight_array = sa.literal_column("'{%s}'::\"char\"[]" % ",".join(weights))
                match = sa.and_(match, sa.func.ts_filter(T.c.tsv, weight_array)
                                .op("@@")(tsquery))
        # a clause made only of stop words ("de", "la") matches everything,
        # as Solr's dismax ignores it; the planner folds this for constants
        return sa.or_(sa.func.numnode(tsquery) == 0, match)

    def _term(self, field: str | None, value: str, kind: str, negated: bool
              ) -> sa.ColumnElement[bool]:
        self._count()
        if field is None or field == "text":
            return self._fulltext(self._tsquery(kind, value), negated)
        if field in fields.NGRAM_FIELDS:
            column = T.c.title_sort if fields.NGRAM_FIELDS[field] == "title" else T.c.name
            return column.like("%" + _like_escape(fold(value)) + "%", escape="\\")
        if field in fields.FIELD_WEIGHT and fields.is_text_field(field):
            return self._fulltext(self._tsquery(kind, value), negated,
                                  weights=fields.FIELD_WEIGHT[field].lower())
        if fields.is_text_field(field):
            return self._fulltext(self._tsquery(kind, value), negated,
                                  column_text=T.c.stored[field].astext)
        return self._exact(field, value)

    def _exact(self, field: str, value: str) -> sa.ColumnElement[bool]:
        if field in fields.COLUMN_FIELDS:
            return T.c[field] == value
        if field in fields.DATE_COLUMNS:
            try:
                moment = datemath.resolve(value)
            except datemath.DateMathError as exc:
                raise SearchQueryError(
                    _("Invalid date for {field}").format(field=field)) from exc
            return T.c[field] == moment
        if field == "permission_labels":
            return T.c.permission_labels.any(value)
        if field in (config.get("ckanext.opengovpe.search.facet_fields") or []):
            # the same values as ``terms``, in a column the planner has statistics for
            return T.c.facet_terms.contains(
                sa.cast(sa.literal([f"{field}={value}"]), pg.ARRAY(sa.Text)))
        return T.c.terms.op("@>")(sa.cast(sa.literal({field: [value]}, pg.JSONB), pg.JSONB))

    def _exists_field(self, field: str | None) -> sa.ColumnElement[bool]:
        self._count()
        if field is None:
            return sa.true()
        if field in fields.COLUMN_FIELDS or field in fields.DATE_COLUMNS:
            return T.c[field].isnot(None)
        if field in fields.PROSE_FIELDS:
            return T.c.stored.has_key(field)
        return T.c.terms.has_key(field)

    def _wildcard(self, field: str | None, value: str, negated: bool
                  ) -> sa.ColumnElement[bool]:
        self._count()
        if field is None or fields.is_text_field(field) or field in fields.NGRAM_FIELDS:
            stem = value[:-1]
            if value.endswith("*") and _WORD_CHARS.match(stem):
                # prefix search through the index: contrat* -> 'contrat':*
                tsquery = sa.func.to_tsquery(_CFG, sa.literal(stem + ":*", sa.Text))
                weights = fields.FIELD_WEIGHT.get(field or "")
                return self._fulltext(tsquery, negated,
                                      weights=weights.lower() if weights else None)
            # other wildcards read every document's words, as Solr reads every indexed term
            self._count_wildcard()
            folded = fold(value)
            if field in fields.NGRAM_FIELDS:
                column = T.c.title_sort if fields.NGRAM_FIELDS[field] == "title" else T.c.name
                return column.like("%" + _wildcard_to_like(folded) + "%", escape="\\")
            word = _wildcard_to_word_regex(folded)
            # the folded words of the title, as written
            in_title = T.c.title_sort.op("~")(word)
            if field == "title":
                return in_title
            if field is not None and field != "text":
                # the folded words of that field's text
                text = sa.func.lower(sa.func.unaccent(T.c.stored[field].astext))
                return text.op("~")(word)
            # the indexed (folded, stemmed) words of the whole document
            lexemes = (sa.func.unnest(sa.func.tsvector_to_array(T.c.tsv))
                       .table_valued("lexeme").render_derived(name="lexemes"))
            in_lexemes = sa.exists(sa.select(sa.literal(1)).select_from(lexemes).where(
                lexemes.c.lexeme.like(_wildcard_to_like(folded), escape="\\")))
            return sa.or_(in_title, in_lexemes)
        self._count_wildcard()
        pattern = _wildcard_to_like(value)
        if field in fields.COLUMN_FIELDS:
            return T.c[field].like(pattern, escape="\\")
        values = _term_values(field)
        return sa.exists(sa.select(sa.literal(1)).select_from(values).where(
            values.c.value.like(pattern, escape="\\")))

    def _range(self, field: str | None, low: tree.Item, high: tree.Item,
               include_low: bool, include_high: bool) -> sa.ColumnElement[bool]:
        self._count()
        if field is None:
            raise SearchQueryError(
                _("A range needs a field, as in num_resources:[1 TO 5]"))
        lo, hi = (_bound(node) for node in (low, high))
        if lo is None and hi is None:
            return self._exists_field(field)
        kind, lo_v, hi_v = _typed_bounds(field, lo, hi)

        def compare(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
            parts = []
            if lo_v is not None:
                parts.append(column >= lo_v if include_low else column > lo_v)
            if hi_v is not None:
                parts.append(column <= hi_v if include_high else column < hi_v)
            return sa.and_(*parts)

        if field in fields.DATE_COLUMNS:
            if kind != "date":
                raise SearchQueryError(_("{field} ranges take dates").format(field=field))
            return compare(T.c[field])
        if field in fields.COLUMN_FIELDS and kind == "string":
            return compare(T.c[field].collate("C"))
        values = _term_values(field)
        cast = {
            "date": lambda v: sa.func.opengovpe_try_timestamptz(v),
            "number": lambda v: sa.func.opengovpe_try_numeric(v),
            "string": lambda v: v.collate("C"),
        }[kind](values.c.value)
        return sa.exists(sa.select(sa.literal(1)).select_from(values).where(compare(cast)))


Translator._HANDLERS = (
    (tree.SearchField, Translator._search_field),
    ((tree.Group, tree.FieldGroup, tree.Plus, tree.Boost, tree.Fuzzy), Translator._inner),
    ((tree.AndOperation, tree.UnknownOperation), Translator._all),
    (tree.OrOperation, Translator._any),
    ((tree.Not, tree.Prohibit), Translator._negation),
    (tree.Proximity, Translator._proximity),
    (tree.Range, Translator._range_node),
    (tree.From, Translator._from_node),
    (tree.To, Translator._to_node),
    (tree.Regex, Translator._regex),
    (tree.Phrase, Translator._phrase),
    (tree.Word, Translator._word),
)


def _bound(node: tree.Item) -> str | None:
    if not isinstance(node, (tree.Word, tree.Phrase)):
        raise SearchQueryError(_("Range bounds must be single values"))
    text = _unescape(node.value.strip('"'))
    return None if text == "*" else text


def _is_date_bound(value: str) -> bool:
    return value.startswith("NOW") or bool(re.match(r"^\d{4}-\d{2}-\d{2}", value, re.ASCII))


def _typed_bounds(field: str, lo: str | None, hi: str | None) -> tuple[str, Any, Any]:
    """Decide how a range compares (date, number or string) and convert its bounds."""
    given = [b for b in (lo, hi) if b is not None]
    numeric = all(_NUMBER.match(b) for b in given)
    if fields.is_date_field(field) or (not numeric and all(_is_date_bound(b) for b in given)):
        try:
            return ("date",
                    datemath.resolve(lo) if lo is not None else None,
                    datemath.resolve(hi) if hi is not None else None)
        except datemath.DateMathError as exc:
            raise SearchQueryError(
                _("Invalid date in range on {field}").format(field=field)) from exc
    if numeric:
        return ("number",
                float(lo) if lo is not None else None,
                float(hi) if hi is not None else None)
    return "string", lo, hi


def rank_expression(queries: list[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any] | None:
    if not queries:
        return None
    combined = queries[0]
    for extra in queries[1:]:
        combined = combined.op("||")(extra)
    weights = sa.literal_column(
        "'{%s}'::float4[]" % ",".join(str(w) for w in fields.RANK_WEIGHTS))
    return sa.func.ts_rank(weights, T.c.tsv, combined)
