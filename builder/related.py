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

Copies: files that give the same original address are one article filed more
than once by its mirror (an Epoch Times story in two category folders). Each
keeps its page, but only the first by source path is listed (in the indexes,
feeds, sitemap, and others' relations); the others name it as their
canonical page, and it names them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from builder.models import Entry

MAX_RELATED = 5
MAX_POSTING = 150
"""A key shared by more articles than this is too common to propose candidates."""
RAREST_KEYS = 6
"""How many of an article's rarest keys propose and score candidates."""
COUNTRY_WEIGHT = 0.5


class Relation(NamedTuple):
    article: Entry
    kind: str
    """``translation`` or ``related``; of copies (see ``copies``), ``canonical``
    (the listed copy, on the others' pages) or ``copy`` (another copy)."""


class RelationState(NamedTuple):
    """What a build keeps of its relations so that the next one recomputes only
    the articles an edit can affect: each article's keys (one per article, so
    also the archive's size) and translations, and each article's relations
    as ``(kind, source path)``."""

    keys: dict[str, tuple[str, ...]]
    """Of the listed articles only."""
    translations: dict[str, tuple[str, ...]]
    result: dict[str, tuple[tuple[str, str], ...]]
    copies: dict[str, tuple[str, ...]]
    """Each copy's group (see ``copies``), the listed copy first."""

    def listed(self, path: str) -> bool:
        """Whether the article at ``path`` is listed: it is no other's copy."""
        return _listed(self.copies, path)

    def unlisted(self) -> list[str]:
        """The source paths of the copies that are not listed."""
        return [path for path in self.copies if not _listed(self.copies, path)]


def _listed(groups: dict[str, tuple[str, ...]], path: str) -> bool:
    group = groups.get(path)
    return group is None or group[0] == path


class Related(Mapping):
    """source path → its ``Relation``s, made when asked for: a rebuild after
    an edit looks at the relations of a few pages only."""

    def __init__(self, paths: dict[str, tuple[tuple[str, str], ...]], by_path: dict[str, Entry]):
        self._paths = paths
        self._by_path = by_path

    @classmethod
    def of(cls, state: RelationState, articles: Iterable[Entry]) -> "Related":
        """The relations ``state`` holds, among ``articles``."""
        return cls(state.result, {a.source_path: a for a in articles})

    def __getitem__(self, path: str) -> tuple[Relation, ...]:
        by_path = self._by_path
        return tuple(Relation(by_path[o], kind) for kind, o in self._paths[path])

    def shown(self, path: str) -> tuple[tuple[str, str, str, str], ...]:
        """What the page of the article at ``path`` shows of its relations:
        each one's kind and the other article's slug, title and language
        (all an article page is given of it: see ``Renderer.article_page``)."""
        by_path = self._by_path
        return tuple((kind, (other := by_path[o]).slug, other.title, other.language)
                     for kind, o in self._paths.get(path, ()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


def relations(articles: Sequence[Entry], previous: RelationState | None = None,
              changed: Collection[str] | None = None) -> tuple[Related, RelationState]:
    """source path → translations first, then the most related articles; and
    the state to pass to the next build.

    Scores accumulate over each article's rarest keys only (at most
    ``RAREST_KEYS`` keys of at most ``MAX_POSTING`` articles each), so the
    work per article is bounded and the whole is linear in the archive size.
    Given the ``previous`` build's state, only the articles whose result can
    differ are scored again (see ``_affected``); the result is the same as a
    full computation's. ``changed``, if known, holds the paths of the
    articles whose record may differ from the previous build's: the others
    keep their keys.
    """
    groups = copies(articles)
    listed = [a for a in articles if _listed(groups, a.source_path)]
    if previous is not None and changed is not None:
        kept = previous.keys
        keys_of = {a.source_path: kept[a.source_path] if a.source_path in kept and a.source_path not in changed
                   else _keys(a) for a in listed}
    else:
        keys_of = {a.source_path: _keys(a) for a in listed}
    translations = {p: tuple(o.source_path for o in found) for p, found in _translations(listed).items()}
    state = _relate(keys_of, translations, groups, previous)
    return Related.of(state, articles), state


def copies(articles: Iterable[Entry]) -> dict[str, tuple[str, ...]]:
    """source path → the source paths of every file that gives the same
    original address (its own among them, sorted: the first is the one
    listed), for the files that share theirs. The files whose sidecar says
    ``listed = true`` come first; otherwise the first by path is listed."""
    by_url: dict[str, list[tuple[bool, str]]] = defaultdict(list)
    for article in articles:
        if article.original_url:
            by_url[article.original_url].append((not article.listed, article.source_path))
    groups: dict[str, tuple[str, ...]] = {}
    for paths in by_url.values():
        if len(paths) > 1:
            group = tuple(path for _, path in sorted(paths))
            groups.update(dict.fromkeys(group, group))
    return groups


def keys_after(previous: RelationState, edited: Mapping[str, Entry]) -> dict[str, tuple[str, ...]]:
    """Every article's keys (see ``RelationState``), with the ``edited``
    articles' (source path → entry now) as they are now."""
    return {**previous.keys, **{path: _keys(a) for path, a in edited.items()}}


def relations_after(previous: RelationState, keys_of: dict[str, tuple[str, ...]],
                    held: dict[str, list[str]] | None, copies: dict[str, tuple[str, ...]]) -> RelationState:
    """The state ``relations`` would give for the same articles with these
    keys (``keys_after``), the groups of ``copies`` (see ``copies``) and the
    same translations (the caller has checked them), from the ``previous``
    state alone: no article's entry is needed. ``held``:
    ``key_holders(keys_of)``, when the caller made it."""
    return _relate(keys_of, previous.translations, copies, previous, held)


def key_holders(keys_of: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Each key (see ``_keys``) → the articles holding it, in ``keys_of``'s order."""
    held: dict[str, list[str]] = defaultdict(list)
    for path, keys in keys_of.items():
        for key in keys:
            held[key].append(path)
    return held


def _relate(keys_of: dict[str, tuple[str, ...]], translations: dict[str, tuple[str, ...]],
            groups: dict[str, tuple[str, ...]], previous: RelationState | None,
            held: dict[str, list[str]] | None = None) -> RelationState:
    """Each article's relations, from every listed article's keys (source
    path → ``_keys``) and translations, and the groups of ``copies``; of the
    ``previous`` state's articles, only those ``_affected`` are scored
    again. A listed article names its copies first; a copy names the listed
    one, the other copies, then the listed one's translations and related
    articles."""
    postings = held if held is not None else key_holders(keys_of)
    total = max(1, len(keys_of))
    weight = {key: math.log(1 + total / len(members)) * (COUNTRY_WEIGHT if key.startswith("c:") else 1.0)
              for key, members in postings.items()}
    todo = _affected(previous, keys_of, postings, translations, groups)
    paths: dict[str, tuple[tuple[str, str], ...]] = {}
    for path, keys in keys_of.items():
        if todo is not None and path not in todo:
            paths[path] = previous.result[path]
            continue
        rare = sorted([(size, k) for k in keys if (size := len(postings[k])) <= MAX_POSTING])[:RAREST_KEYS]
        # (the first key's weight set in C: 0.0 + w is w, so the sums are the same)
        scores = dict.fromkeys(postings[rare[0][1]], weight[rare[0][1]]) if rare else {}
        for _, key in rare[1:]:
            w, get = weight[key], scores.get
            for other in postings[key]:
                scores[other] = get(other, 0.0) + w
        own = translations.get(path, ())
        for found in (path, *own):
            scores.pop(found, None)
        # the best by score, then by path: (-score, path) pairs compared in C
        ranked = sorted([(-score, other) for other, score in scores.items()])[:MAX_RELATED]
        copies_of = [("copy", o) for o in groups.get(path, ()) if o != path]
        paths[path] = tuple(copies_of + [("translation", o) for o in own]
                            + [("related", p) for _, p in ranked])
    for path, group in groups.items():
        listed = group[0]
        if path != listed:
            paths[path] = (("canonical", listed), *(("copy", o) for o in group[1:] if o != path),
                           *(found for found in paths[listed] if found[0] != "copy"))
    return RelationState(keys_of, translations, paths, groups)


def _affected(previous: RelationState | None, keys_of: dict[str, tuple[str, ...]],
              postings: dict[str, list[str]], translations: dict[str, tuple[str, ...]],
              groups: dict[str, tuple[str, ...]]) -> set[str] | None:
    """The listed articles whose relations can differ from the previous
    build's, or ``None`` for all of them (the archive gained or lost listed
    articles: every weight changed).

    An article's result depends on its own keys, on how many articles hold
    each of them (which picks its rarest keys and weighs them), on who holds
    its rarest keys, on its translations, and on its copies (see
    ``copies``: only the listed articles are scored, and each copy's result
    is made from its listed one's). So with the same listed articles, only
    an article that changed its keys, holds a key whose holders changed, or
    whose translations or copies changed can change: a copy filed again or
    removed rescores one article. A key held by more than ``MAX_POSTING``
    articles before and after is never anyone's rare key and changes
    nothing.
    """
    if previous is None or previous.keys.keys() != keys_of.keys():
        return None
    changed = {p for p, keys in keys_of.items() if previous.keys[p] != keys}
    holders_lost: dict[str, int] = defaultdict(int)  # key → holders before minus holders now
    for path in changed:
        for key in set(previous.keys[path]) ^ set(keys_of[path]):
            holders_lost[key] += 1 if key in previous.keys[path] else -1
    todo = set(changed)
    for key, lost in holders_lost.items():
        now = len(postings.get(key, ()))
        if min(now, now + lost) <= MAX_POSTING:
            todo.update(postings.get(key, ()))
    todo.update(p for p in keys_of if translations.get(p, ()) != previous.translations.get(p, ()))
    if previous.copies != groups:
        todo.update(p for p in keys_of if previous.copies.get(p) != groups.get(p))
    return todo


def _translations(articles: Sequence[Entry]) -> dict[str, list[Entry]]:
    """Candidates share their exact country set and numbers, so group by them first."""
    groups: dict[tuple, list[Entry]] = defaultdict(list)
    for article in articles:
        countries = frozenset(c for c, _ in article.countries)
        if len(countries) >= 3:
            groups[(countries, frozenset(article.signature[1]))].append(article)
    found: dict[str, list[Entry]] = defaultdict(list)
    for members in groups.values():
        if len(members) < 2 or len({m.language.split("-")[0] for m in members}) < 2:
            continue
        for a in members:
            for b in members:
                if a is not b and is_translation(a, b):
                    found[a.source_path].append(b)
    return {k: sorted(v, key=lambda o: (o.language, o.source_path)) for k, v in found.items()}


def _keys(article: Entry) -> tuple[str, ...]:
    """The article's tags and countries, sorted, without repeats."""
    return tuple(sorted({*(f"t:{t}" for t in article.tags), *(f"c:{c}" for c, _ in article.countries)}))


def is_translation(a: Entry, b: Entry) -> bool:
    if a.language.split("-")[0] == b.language.split("-")[0]:
        return False
    countries_a = {c for c, _ in a.countries}
    if len(countries_a) < 3 or countries_a != {c for c, _ in b.countries}:
        return False
    (paragraphs_a, numbers_a), (paragraphs_b, numbers_b) = a.signature, b.signature
    if abs(paragraphs_a - paragraphs_b) > 1 or set(numbers_a) != set(numbers_b):
        return False
    return a.date is None or b.date is None or a.date.iso()[:10] == b.date.iso()[:10]
