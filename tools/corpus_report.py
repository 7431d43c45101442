#!/usr/bin/env python3
"""Measure extraction on a corpus folder, per mirror: title, original URL and
date found, against what the file records.

"Records" is judged by loose, profile-independent patterns (any URL after a
原文/轉載/source label; any date-shaped text in a dateline, a URL or a header),
so the figures say how often the profiles find what a reader could find.

usage: python tools/corpus_report.py CORPUS_DIR [--countries] [--tags] [--list-missing]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from builder.errors import InputError  # noqa: E402
from builder.models import SourceFile  # noqa: E402
from builder.read import decode, find_sources  # noqa: E402
from builder.extract import extract  # noqa: E402

RECORDED_URL = re.compile(r"(?:原文链接|原文地址|轉載自GNews\]\(|source\s*:)[^\n]{0,20}?(https?://[^\s)<]+)", re.I)
RECORDED_DATE = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月"
    r"|/gb/\d\d/\d{1,2}/\d{1,2}/|/articles/\d{4}/\d{1,2}/\d{1,2}/|^`\s*\d{1,2}/\d{1,2}/\d{4}"
    r"|wp-content/uploads/\d{4}/\d\d/|\b[A-Z][a-z]+ \d{1,2}, \d{4}\b", re.M)


def mirror_of(rel: str) -> str:
    parts = rel.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else "(top level)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--countries", action="store_true", help="also report countries (slower)")
    parser.add_argument("--list-missing", action="store_true")
    args = parser.parse_args()
    stats: dict[str, Counter] = defaultdict(Counter)
    missing = []
    country_counts: Counter = Counter()
    per_article = []
    for path in find_sources(args.corpus):
        rel = path.relative_to(args.corpus).as_posix()
        mirror = mirror_of(rel)
        raw = path.read_bytes()
        try:
            text = decode(SourceFile(rel, raw, ""))
        except InputError:
            continue
        found = extract(text)
        s = stats[mirror]
        s["files"] += 1
        s["title"] += bool(found.title)
        if RECORDED_URL.search(text):
            s["url_recorded"] += 1
            s["url_found"] += bool(found.original_url)
            if not found.original_url:
                missing.append((rel, "url"))
        if RECORDED_DATE.search(text):
            s["date_recorded"] += 1
            s["date_found"] += bool(found.date)
            if not found.date:
                missing.append((rel, "date"))
        if not found.title:
            missing.append((rel, "title"))
        if args.countries:
            from builder.clean import clean
            from builder.classify import countries_of, detect_language
            body = clean(found)
            codes = countries_of(found.title or "", body.text, detect_language(body.text))
            per_article.append(len(codes))
            country_counts.update(c for c, _ in codes)
    print(f"{'mirror':<28} {'files':>5} {'title':>8} {'orig URL found/recorded':>26} {'date found/recorded':>22}")
    for mirror, s in sorted(stats.items()):
        def pct(a, b):
            return f"{s[a]}/{s[b]} ({100 * s[a] / s[b]:.1f}%)" if s[b] else "-"
        print(f"{mirror:<28} {s['files']:>5} {100 * s['title'] / s['files']:>7.1f}% "
              f"{pct('url_found', 'url_recorded'):>26} {pct('date_found', 'date_recorded'):>22}")
    if args.list_missing:
        for rel, what in missing:
            print(f"  missing {what}: {rel}")
    if args.countries and per_article:
        print(f"countries per article: mean {sum(per_article) / len(per_article):.2f}, "
              f"none {sum(1 for n in per_article if n == 0)}, max {max(per_article)}")
        print("top 20 countries:", ", ".join(f"{c} {n}" for c, n in country_counts.most_common(20)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
