"""Relevance of ``package_search`` on the synthetic portal of ``search_bench.py``: nDCG@10.

Runs every query of ``bench/relevance_queries.json`` through ``package_search`` (as an
anonymous visitor would see the results: public, active datasets) and grades the first ten
results with the rules stated in that file, which read CKAN's own tables, never the search
index. Run it on a database filled by ``search_bench.py``::

    .venv/bin/python bench/relevance_bench.py --database ckan_opengovpe_bench --label before

Writes ``bench/results/relevance-N<datasets>-<date>[-label].{json,md}``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import sys
import time
import unicodedata
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402  (the report writer)

_WORD = re.compile(r"\w+", re.UNICODE)


def fold_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _WORD.findall(plain)


def word_matches(query_word: str, word: str) -> bool:
    if query_word == word:
        return True
    if len(query_word) < 4 or len(word) < 4:
        return False
    size = max(4, min(len(query_word), len(word)) - 2)
    return query_word[:size] == word[:size]


def load_datasets(conn: Any) -> dict[str, dict[str, set[str]]]:
    """Words of each public, active dataset, by where they appear."""
    cursor = conn.cursor()
    cursor.execute("""
        SELECT p.name, p.title, p.notes, o.title
        FROM package p LEFT JOIN "group" o ON o.id = p.owner_org
        WHERE p.type = 'dataset' AND p.state = 'active' AND NOT p.private""")
    docs: dict[str, dict[str, set[str]]] = {}
    for name, title, notes, org in cursor.fetchall():
        docs[name] = {"title": set(fold_words(title)),
                      "head": set(fold_words(title)) | set(fold_words(org or "")),
                      "body": set(fold_words(notes))}
    cursor.execute("""
        SELECT p.name, t.name FROM package_tag pt JOIN tag t ON t.id = pt.tag_id
        JOIN package p ON p.id = pt.package_id WHERE pt.state = 'active'""")
    for name, tag in cursor.fetchall():
        if name in docs:
            docs[name]["head"].update(fold_words(tag))
    cursor.execute("""
        SELECT p.name, g.title FROM member m JOIN "group" g ON g.id = m.group_id
        JOIN package p ON p.id = m.table_id
        WHERE m.table_name = 'package' AND m.state = 'active' AND NOT g.is_organization""")
    for name, group in cursor.fetchall():
        if name in docs:
            docs[name]["head"].update(fold_words(group))
    cursor.execute("""
        SELECT p.name, r.name FROM resource r JOIN package p ON p.id = r.package_id
        WHERE r.state = 'active'""")
    for name, resource in cursor.fetchall():
        if name in docs:
            docs[name]["body"].update(fold_words(resource))
    conn.rollback()
    for words in docs.values():
        words["head"] |= words["title"]
        words["body"] |= words["head"]
    return docs


def grades(query: str, stopwords: set[str], docs: dict[str, dict[str, set[str]]],
           vocabulary: set[str]) -> dict[str, int]:
    """Grade of every dataset with a grade above 0, by the rules of the query file."""
    words = [w for w in fold_words(query) if w not in stopwords]
    matching = [{v for v in vocabulary if word_matches(w, v)} for w in words]
    out: dict[str, int] = {}
    for name, doc in docs.items():
        for grade, part in ((3, "title"), (2, "head"), (1, "body")):
            if all(doc[part] & m for m in matching):
                out[name] = grade
                break
    return out


def dcg(values: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(values))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ini", default=os.path.join(HERE, "bench.ini"))
    parser.add_argument("--database", required=True)
    parser.add_argument("--queries", default=os.path.join(HERE, "relevance_queries.json"))
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)

    import psycopg2
    import sqlalchemy as sa
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    conf = load_config(os.path.abspath(args.ini))
    url = sa.engine.make_url(conf["sqlalchemy.url"]).set(database=args.database)
    conf["sqlalchemy.url"] = url.render_as_string(hide_password=False)
    app = make_app(conf)
    spec = json.load(open(args.queries, encoding="utf-8"))
    stopwords = set(spec["stopwords"])
    conn = psycopg2.connect(conf["sqlalchemy.url"])
    docs = load_datasets(conn)
    vocabulary = set().union(*(d["body"] for d in docs.values()))

    import ckan.model as model
    from ckan.logic import get_action

    search = get_action("package_search")
    rows: list[dict[str, Any]] = []
    with app._wsgi_app.test_request_context():  # type: ignore[attr-defined]
        for query in spec["queries"]:
            judged = grades(query, stopwords, docs, vocabulary)
            started = time.perf_counter()
            answer = search({"ignore_auth": True}, {"q": query, "rows": 10})
            elapsed = (time.perf_counter() - started) * 1000
            model.Session.remove()
            names = [r["name"] for r in answer["results"]]
            got = [judged.get(n, 0) for n in names]
            ideal = sorted(judged.values(), reverse=True)[:10]
            best = dcg(ideal)
            rows.append({"q": query, "ndcg10": round(dcg(got) / best, 4) if best else None,
                         "grades_top10": got, "count": answer["count"],
                         "judged": {g: sum(1 for v in judged.values() if v == g)
                                    for g in (3, 2, 1)},
                         "expected_first": sorted(n for n, g in judged.items()
                                                  if g == max(ideal or [0]))[:5],
                         "results": names, "ms": round(elapsed, 1)})
    scored = [r["ndcg10"] for r in rows if r["ndcg10"] is not None]
    report = {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "datasets": len(docs),
              "queries": len(rows), "mean_ndcg10": round(sum(scored) / len(scored), 4),
              "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()], "rows": rows}
    lines = [f"# Relevance, {len(docs):,} public datasets ({report['date']})", "",
             f"{len(rows)} queries of `bench/relevance_queries.json`; grades by the rules stated "
             f"there. **Mean nDCG@10 = {report['mean_ndcg10']}**.", "",
             "| query | nDCG@10 | grades of the first ten | matches | judged 3/2/1 |",
             "| --- | ---: | --- | ---: | --- |"]
    for r in rows:
        judged = "/".join(str(r["judged"][g]) for g in (3, 2, 1))
        lines.append(f"| {r['q']} | {r['ndcg10']} | {' '.join(map(str, r['grades_top10']))} "
                     f"| {r['count']:,} | {judged} |")
    label = f"-{args.label}" if args.label else ""
    common.write_report(f"relevance-N{len(docs)}-{dt.date.today():%Y%m%d}{label}", report,
                        "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
