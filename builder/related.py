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
MAX_POSTING = 400
COUNTRY_WEIGHT = 0.5


@dataclass(frozen=True)
class Relation:
    article: Article
    kind: str
    """``translation`` or ``related``."""


def relations(articles: Sequence[Article]) -> dict[str, tuple[Relation, ...]]:
    """source path → translations first, then the most related articles."""
    keys_of = {a.source_path: _keys(a) for a in articles}
    postings: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        for key in keys_of[article.source_path]:
            postings[key].append(article)
    total = max(1, len(articles))
    weight = {key: math.log(1 + total / len(members)) * (COUNTRY_WEIGHT if key.startswith("c:") else 1.0)
              for key, members in postings.items()}
    result: dict[str, tuple[Relation, ...]] = {}
    for article in articles:
        own = keys_of[article.source_path]
        scores: dict[str, float] = defaultdict(float)
        by_path: dict[str, Article] = {}
        for key in own:
            members = postings[key]
            if len(members) > MAX_POSTING:
                continue
            for other in members:
                if other.source_path != article.source_path:
                    by_path[other.source_path] = other
        for path, other in by_path.items():
            scores[path] = sum(weight[k] for k in own & keys_of[path])
        translations = sorted((o for o in by_path.values() if is_translation(article, o)),
                              key=lambda o: (o.language, o.source_path))
        picked = {o.source_path for o in translations}
        ranked = sorted((p for p in scores if p not in picked), key=lambda p: (-scores[p], p))
        result[article.source_path] = tuple(
            [Relation(o, "translation") for o in translations]
            + [Relation(by_path[p], "related") for p in ranked[:MAX_RELATED]])
    return result


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
