"""How search latency, index size and rebuild rate grow with the catalogue.

Reads search benchmark results (``bench/results/search-N*.json``) at several sizes and
writes one table per figure: each query kind's p95, the index and typing-help sizes,
the rebuild rate, with the growth from the smallest size. Usage::

    python bench/scale_report.py bench/results/search-N10000-...json \\
        bench/results/search-N100000-...json bench/results/search-N300000-...json
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

from search_bench import KIND_LABELS  # noqa: E402


def _rate(report: dict[str, Any]) -> str:
    for key, label in (("rebuild_fast", "rebuild-fast"), ("rebuild", "rebuild"),
                       ("index_by_copy", "CKAN, first datasets only")):
        if report.get(key):
            return f"{report[key]['datasets_per_s']} ({label})"
    return "–"


def _row(label: str, values: list[Any], growth: bool = True) -> str:
    cells = [str(v) if v is not None else "–" for v in values]
    if growth and isinstance(values[0], (int, float)) and isinstance(values[-1], (int, float)) \
            and values[0]:
        cells.append(f"×{values[-1] / values[0]:.1f}")
    else:
        cells.append("")
    return f"| {label} | " + " | ".join(cells) + " |"


def table(reports: list[dict[str, Any]]) -> list[str]:
    sizes = [r["n"] for r in reports]
    header = "| | " + " | ".join(f"N = {n:,}" for n in sizes) + " | growth |"
    lines = [header, "|---" * (len(sizes) + 2) + "|"]
    kinds: list[str] = []
    for report in reports:
        for section in ("queries", "queries_typing", "queries_broad"):
            for kind in report.get(section) or {}:
                if kind not in kinds:
                    kinds.append(kind)
    for kind in kinds:
        values = []
        for report in reports:
            found = None
            for section in ("queries", "queries_typing", "queries_broad"):
                if kind in (report.get(section) or {}):
                    found = report[section][kind]["p95_ms"]
            values.append(found)
        lines.append(_row(f"p95 ms: {KIND_LABELS.get(kind, kind)}", values))
    env = [r["environment"] for r in reports]
    lines.append(_row("index table + indexes, MB",
                      [(r.get("typing_help") or {}).get("index_total_mb") for r in reports]))
    lines.append(_row("typing help per-dataset rows, MB",
                      [(r.get("typing_help") or {}).get("suggest_doc_mb") for r in reports]))
    lines.append(_row("typing help dictionary words",
                      [(r.get("typing_help") or {}).get("dictionary_words") for r in reports]))
    lines.append(_row("dictionary refresh, s",
                      [(r.get("typing_help") or {}).get("dictionary_refresh_seconds")
                       for r in reports]))
    lines.append(_row("rebuild, datasets/s", [_rate(r) for r in reports], growth=False))
    lines.append(_row("load average (1, 5, 15 min) at the end",
                      [e.get("load_average_1_5_15") for e in env], growth=False))
    lines.append(_row("index filled by copying",
                      ["yes" if r.get("index_by_copy") else "no" for r in reports],
                      growth=False))
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="+")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    reports = sorted((json.load(open(path, encoding="utf-8")) for path in args.results),
                     key=lambda r: r["n"])
    lines = [f"# Search at scale ({dt.date.today():%Y-%m-%d})", "",
             "Sources: " + ", ".join(os.path.basename(p) for p in args.results), "",
             *table(reports)]
    label = f"-{args.label}" if args.label else ""
    stem = common.write_report(f"search-scale-{dt.date.today():%Y%m%d}{label}",
                               {"sources": args.results, "sizes": [r["n"] for r in reports]},
                               "\n".join(lines) + "\n")
    print(f"Written {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
