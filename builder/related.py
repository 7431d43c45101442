"""Related articles and translations, a reduction over the article records.

Related: other articles sharing tags and countries, each shared key weighted
by how rare it is (inverse document frequency), so that sharing "Japan" with
3,000 articles counts less than sharing a specific topic with 12. Keys shared
by more than ``MAX_POSTING`` articles are too common to propose candidates
(they still add to the score), which keeps the work near-linear at archive
scale.

Translations: two articles in different languages are taken as one story
when they mention the same countries (at least three), have the same number
of paragraphs (±1) and state the same numbers, and their dates, if both are
known, agree. These features survive translation; words do not.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from builder.models import Article

MAX_RELATED = 5
MAX_POSTING = 150
"""A key shared by more articles than this is too common to propose candidates."""
RAREST_KEYS = 6
"""How many of an article's rarest keys propose and score candidates."""
COUNTRY_WEIGHT = 0.5


@dataclass(frozen=True)
class Relation:
    article: Article
    kind: str
    """``translation`` or ``related``."""


def relations(articles: Sequence[Article]) -> dict[str, tuple[Relation, ...]]:
    """source path → translations first, then the most related articles.

    Scores accumulate over each article's rarest keys only (at most
    ``RAREST_KEYS`` keys of at most ``MAX_POSTING`` articles each), so the
    work per article is bounded and the whole is linear in the archive size.
    """
    keys_of = {a.source_path: _keys(a) for a in articles}
    postings: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for key in keys_of[article.source_path]:
            postings[key].append(article)
    total = max(1, len(articles))
    weight = {key: math.log(1 + total / len(members)) * (COUNTRY_WEIGHT if key.startswith("c:") else 1.0)
              for key, members in postings.items()}
    translations = _translations(articles)
    result: dict[str, tuple[Relation, ...]] = {}
    for article in articles:
        rare = sorted((k for k in keys_of[article.source_path] if len(postings[k]) <= MAX_POSTING),
                      key=lambda k: (len(postings[k]), k))[:RAREST_KEYS]
        scores: dict[str, float] = defaultdict(float)
        by_path: dict[str, Article] = {}
        for key in rare:
            w = weight[key]
            for other in postings[key]:
                scores[other.source_path] += w
                by_path[other.source_path] = other
        own = translations.get(article.source_path, [])
        skip = {article.source_path} | {o.source_path for o in own}
        ranked = sorted((p for p in scores if p not in skip), key=lambda p: (-scores[p], p))
        result[article.source_path] = tuple(
            [Relation(o, "translation") for o in own]
            + [Relation(by_path[p], "related") for p in ranked[:MAX_RELATED]])
    return result


def _translations(articles: Sequence[Article]) -> dict[str, list[Article]]:
    """Candidates share their exact country set and numbers, so group by them first."""
    groups: dict[tuple, list[Article]] = defaultdict(list)
    for article in articles:
        countries = frozenset(c for c, _ in article.countries)
        if len(countries) >= 3:
            groups[(countries, frozenset(article.signature[1]))].append(article)
    found: dict[str, list[Article]] = defaultdict(list)
    for members in groups.values():
        if len(members) < 2 or len({m.language.split("-")[0] for m in members}) < 2:
            continue
        for a in members:
            for b in members:
                if a is not b and is_translation(a, b):
                    found[a.source_path].append(b)
    return {k: sorted(v, key=lambda o: (o.language, o.source_path)) for k, v in found.items()}


def _keys(article: Article) -> frozenset[str]:
    return frozenset([f"t:{t}" for t in article.tags] + [f"c:{c}" for c, _ in article.countries])


def is_translation(a: Article, b: Article) -> bool:
    if a.language.split("-")[0] == b.language.split("-")[0]:
        return False
    countries_a = {c for c, _ in a.countries}
    if len(countries_a) < 3 or countries_a != {c for c, _ in b.countries}:
        return False
    (paragraphs_a, numbers_a), (paragraphs_b, numbers_b) = a.signature, b.signature
    if abs(paragraphs_a - paragraphs_b) > 1 or set(numbers_a) != set(numbers_b):
        return False
    return a.date is None or b.date is None or a.date.iso()[:10] == b.date.iso()[:10]
