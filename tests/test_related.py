"""Related articles: an incremental computation equals a full one."""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

import pytest

from builder import related
from builder.models import SourceFile
from builder.process import process_source
from tests.conftest import ROOT

TAGS = [f"topic-{n}" for n in range(12)]
COUNTRIES = ["CN", "US", "JP", "TW", "RU", "DE", "FR", "IN"]


@pytest.fixture(scope="module")
def template():
    raw = (ROOT / "content" / "003_6beaf405c0428abc.txt").read_bytes()
    return process_source(SourceFile("a.txt", raw, hashlib.sha256(raw).hexdigest())).article


def _random_article(template, rng: random.Random, path: str, urls: int = 0):
    """An article of random tags, countries, language and signature; with
    ``urls``, its original address is one of that many (else its own)."""
    countries = tuple((c, 1) for c in sorted(rng.sample(COUNTRIES, rng.randint(0, 4))))
    url = f"https://example.org/{rng.randrange(urls) if urls else path}"
    return replace(template, source_path=path, slug=path, original_url=url,
                   tags=tuple(sorted(rng.sample(TAGS, rng.randint(0, 3)))), countries=countries,
                   language=rng.choice(["en", "hi", "te"]),
                   signature=(rng.randint(3, 5), tuple(rng.sample(["1", "2", "3"], rng.randint(0, 1)))))


def _paths(result):
    return {p: [(r.kind, r.article.source_path) for r in rels] for p, rels in result.items()}


@pytest.mark.parametrize("urls", [0, 50], ids=["no copies", "copies"])
@pytest.mark.parametrize("told", [False, True], ids=["changes found", "changes told"])
@pytest.mark.parametrize("seed", range(25))
def test_incremental_relations_equal_a_full_computation(template, seed, told, urls, monkeypatch):
    """With copies, an edit may also make or end one (a new original address)."""
    monkeypatch.setattr(related, "MAX_POSTING", 12)  # some keys too common to propose, some not
    rng = random.Random(seed)
    articles = [_random_article(template, rng, f"a/{n:03}.md", urls) for n in range(60)]
    _, state = related.relations(articles)
    edited = rng.sample(range(len(articles)), rng.randint(1, 3))
    for index in edited:  # an edit changes a few records
        articles[index] = _random_article(template, rng, articles[index].source_path, urls)
    changed = {articles[i].source_path for i in edited} if told else None
    incremental, _ = related.relations(articles, state, changed)
    full, _ = related.relations(articles)
    assert _paths(incremental) == _paths(full)


def test_told_unchanged_articles_keep_their_keys(template):
    rng = random.Random(3)
    articles = [_random_article(template, rng, f"a/{n:03}.md") for n in range(60)]
    _, state = related.relations(articles)
    articles[0] = replace(articles[0], tags=("a-new-topic",))
    assert "t:a-new-topic" not in related.relations(articles, state, set())[1].keys["a/000.md"]
    assert "t:a-new-topic" in related.relations(articles, state, {"a/000.md"})[1].keys["a/000.md"]


def test_unchanged_articles_are_not_scored_again(template):
    rng = random.Random(7)
    articles = [_random_article(template, rng, f"a/{n:03}.md") for n in range(60)]
    _, state = related.relations(articles)
    assert related._affected(state, {a.source_path: related._keys(a) for a in articles},
                             {}, dict(state.translations), {}) == set()


def test_files_of_one_original_address_are_listed_once(template):
    """Copies (one original address): the first by path is listed and names
    the others; each other names it first, then the other copies, then its
    translations and related articles. No listed article names an unlisted
    copy, and an article without an address is nobody's copy."""
    rng = random.Random(5)
    articles = [_random_article(template, rng, f"a/{n:03}.md") for n in range(30)]
    articles += [replace(articles[3], source_path=path, slug=path) for path in ("b/003.md", "0/003.md")]
    articles += [replace(articles[0], source_path=f"c/{n}.md", slug=f"c/{n}", original_url=None) for n in range(2)]
    found, state = related.relations(articles)
    group = ("0/003.md", "a/003.md", "b/003.md")
    assert state.copies == dict.fromkeys(group, group)
    assert [state.listed(p) for p in group] == [True, False, False]
    paths = _paths(found)
    assert paths["0/003.md"][:2] == [("copy", "a/003.md"), ("copy", "b/003.md")]
    assert paths["b/003.md"] == [("canonical", "0/003.md"), ("copy", "a/003.md"), *paths["0/003.md"][2:]]
    unlisted = {"a/003.md", "b/003.md"}
    assert all(other not in unlisted for p, rels in paths.items() for kind, other in rels
               if kind in ("related", "translation"))
    assert unlisted.isdisjoint(state.keys) and "0/003.md" in state.keys


def _reference_related(articles, path):
    """The related articles of the listed article at ``path`` as the rules
    state them, computed the slow, plain way: its rarest keys (fewest
    holders, then by name; none held by more than ``MAX_POSTING``), each
    weighing log(1 + listed / holders), halved for a country; every other
    article scored by the weights of the rare keys it holds; the best
    ``MAX_RELATED`` by score, then by path, leaving out translations."""
    import math
    keys_of = {a.source_path: related._keys(a) for a in articles}
    holders = {key: [p for p, keys in keys_of.items() if key in keys] for keys in keys_of.values() for key in keys}
    rare = sorted((k for k in keys_of[path] if len(holders[k]) <= related.MAX_POSTING),
                  key=lambda k: (len(holders[k]), k))[:related.RAREST_KEYS]
    scores = {}
    for key in rare:
        weight = math.log(1 + len(articles) / len(holders[key])) * (related.COUNTRY_WEIGHT if key[:2] == "c:" else 1)
        for other in holders[key]:
            scores[other] = scores.get(other, 0.0) + weight
    translations = {o.source_path for o in related._translations(articles).get(path, [])}
    candidates = [p for p in scores if p != path and p not in translations]
    return sorted(candidates, key=lambda p: (-scores[p], p))[:related.MAX_RELATED]


@pytest.mark.parametrize("seed", range(20))
def test_related_articles_are_the_best_scored_by_their_rarest_keys(template, seed, monkeypatch):
    monkeypatch.setattr(related, "MAX_POSTING", 12)  # some keys too common to propose, some not
    rng = random.Random(seed)
    articles = [_random_article(template, rng, f"a/{n:03}.md") for n in range(rng.randint(2, 60))]
    found, _ = related.relations(articles)
    for article in articles:
        shown = [r.article.source_path for r in found[article.source_path] if r.kind == "related"]
        assert shown == _reference_related(articles, article.source_path), article.source_path


@pytest.mark.parametrize("filed", ["again", "removed"])
def test_a_copy_filed_again_or_removed_rescores_only_its_listed_article(template, filed):
    """The listed articles are the same: only the one whose copies changed
    is scored again, and the relations are a full computation's."""
    rng = random.Random(11)
    articles = [_random_article(template, rng, f"a/{n:03}.md") for n in range(40)]
    articles.append(replace(articles[7], source_path="b/007.md", slug="b/007"))  # filed twice, listed once
    if filed == "removed":
        articles.append(replace(articles[7], source_path="c/007.md", slug="c/007"))
    _, before = related.relations(articles)
    now = articles[:-1] if filed == "removed" else [*articles, replace(articles[7], source_path="c/007.md",
                                                                            slug="c/007")]
    incremental, state = related.relations(now, before, set())
    assert related._affected(before, state.keys, related.key_holders(state.keys), state.translations,
                             state.copies) == {"a/007.md"}
    assert _paths(incremental) == _paths(related.relations(now)[0])
    copies = [other for kind, other in _paths(incremental)["a/007.md"] if kind == "copy"]
    assert copies == (["b/007.md", "c/007.md"] if filed == "again" else ["b/007.md"])
