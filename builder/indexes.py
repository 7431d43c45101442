"""Index pages: reductions over the small article records (never the bodies).

Home (newest first, undated after dated), and for tags, countries, languages
and sources (publishers): an index with counts and one paginated page each.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from slugify import slugify

from builder import classify
from builder.config import Settings
from builder.models import Article
from builder.feeds import FeedSpec, site_url, write_feed
from builder.render import ATOM_PATH, RSS_PATH, Renderer, article_path, facet_feed_path, paginate
from builder.sitemap import SITEMAP_PATH, robots_txt, sitemap_xml
from builder.write import StagingSite


def newest_first(articles: Sequence[Article]) -> list[Article]:
    """Dated articles newest first, then undated ones; ties by source path."""
    by_path = sorted(articles, key=lambda a: a.source_path)
    return sorted(by_path, key=lambda a: a.date.sort_key() if a.date else (-1, 0, 0, ""), reverse=True)


@dataclass(frozen=True)
class Group:
    """One tag, country, language or source with its articles."""

    key: str
    label: str
    path: str
    """Site-relative path of the group's first page."""
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Facet:
    """A way of grouping articles: its folder and how to name its groups."""

    name: str
    folder: str
    keys: Callable[[Article], Sequence[str]]


def unique_slugs(keys: Sequence[str], preferred: Callable[[str], str]) -> dict[str, str]:
    """A URL-safe, unique, stable slug per key: a key whose slug is taken by an
    earlier key (sorted order) gets a suffix from a hash of the key itself."""
    slugs: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(keys):
        slug = preferred(key) or "x"
        if slug in taken:
            slug = f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
        taken.add(slug)
        slugs[key] = slug
    return slugs


def _tag_slug(key: str) -> str:
    return slugify(key, allow_unicode=True)


def tag_labels(articles: Sequence[Article], settings: Settings) -> dict[str, tuple[str, str]]:
    """tag key → (label in the interface language, site-relative page path)."""
    vocab = classify.vocabulary(_vocabulary_path(settings))
    keys = sorted({t for a in articles for t in a.tags})
    slugs = unique_slugs(keys, _tag_slug)
    return {k: (vocab.label(k, settings.language), f"tags/{slugs[k]}.html") for k in keys}


def _vocabulary_path(settings: Settings):
    path = settings.path("content_dir") / "topics.toml"
    return path if path.is_file() else None


def groups_of(articles: Sequence[Article], keys: Callable[[Article], Sequence[str]],
              label: Callable[[str], str], path: Callable[[str], str]) -> list[Group]:
    members: dict[str, list[Article]] = defaultdict(list)
    for article in newest_first(articles):
        for key in keys(article):
            members[key].append(article)
    return [Group(k, label(k), path(k), tuple(v)) for k, v in members.items()]


FEED_FACETS = ("tags", "countries")


def write_indexes(site: StagingSite, settings: Settings, articles: Sequence[Article],
                  body_of: Callable[[Article], str]) -> int:
    """Write every list page and feed; return how many files were written."""
    renderer = Renderer(settings)
    t = renderer.labels
    written = 0
    ordered = newest_first(articles)
    written += _write_list(site, renderer, "index.html", lambda n: f"page/{n}.html",
                           t["home.title"], ordered, settings, home=True)
    root_url = site_url(settings)
    feeds = [FeedSpec(RSS_PATH, settings.title, "index.html", ordered),
             FeedSpec(ATOM_PATH, settings.title, "index.html", ordered, kind="atom")]

    labels = tag_labels(articles, settings)
    publishers = sorted({a.publisher.name for a in articles if a.publisher.name})
    source_slugs = unique_slugs(publishers, lambda k: slugify(k, allow_unicode=True))
    facets = [
        ("tags", t["tags.title"], groups_of(articles, lambda a: a.tags,
                                            lambda k: labels[k][0], lambda k: labels[k][1])),
        ("countries", t["countries.title"], groups_of(
            articles, lambda a: [c for c, _ in a.countries], renderer.country_label,
            lambda k: f"countries/{k.lower()}.html")),
        ("languages", t["languages.title"], groups_of(
            articles, lambda a: [a.language], lambda k: f"{renderer.language_name(k)} ({k})",
            lambda k: f"languages/{slugify(k) or 'und'}.html")),
        ("sources", t["sources.title"], groups_of(
            articles, lambda a: [a.publisher.name] if a.publisher.name else [],
            lambda k: k, lambda k: f"sources/{source_slugs[k]}.html")),
    ]
    for folder, title, groups in facets:
        groups.sort(key=lambda g: (-len(g.articles), g.label.casefold(), g.key))
        index_path = f"{folder}/index.html"
        entries = [{"label": g.label, "count": len(g.articles), "url": g.path} for g in groups]
        site.write_text(index_path, renderer.page("index_list.html", index_path, title=title,
                                                  facet=folder, entries=entries))
        written += 1
        for group in groups:
            stem = group.path.removesuffix(".html")
            own_feeds = []
            if folder in FEED_FACETS:
                feed_path = facet_feed_path(group.path)
                feeds.append(FeedSpec(feed_path, f"{group.label} · {settings.title}", group.path, group.articles))
                own_feeds = [{"type": "application/rss+xml", "title": f"RSS: {group.label}",
                              "label": f"RSS: {group.label}", "path": feed_path}]
            written += _write_list(site, renderer, group.path, lambda n, s=stem: f"{s}.p{n}.html",
                                   group.label, group.articles, settings, facet=folder, feeds=own_feeds)
    site.write_text("404.html", renderer.page("404.html", "404.html", site_root=settings.base_url or None))
    for spec in feeds:
        site.write_bytes(spec.path, write_feed(spec, settings, root_url, body_of))
    list_pages = [(p, None) for p in site.written_pages() if not p.startswith("articles/") and p != "404.html"]
    site.write_text(SITEMAP_PATH, sitemap_xml(root_url, [(article_path(a), a.date) for a in articles] + list_pages))
    site.write_text("robots.txt", robots_txt(root_url))
    return written + 3 + len(feeds)


def _write_list(site: StagingSite, renderer: Renderer, first: str, later: Callable[[int], str],
                title: str, articles: Sequence[Article], settings: Settings,
                home: bool = False, facet: str | None = None, feeds: Sequence[dict] = ()) -> int:
    chunks = paginate(list(articles), settings.items_per_page)
    paths = [first] + [later(n) for n in range(2, len(chunks) + 1)]
    for number, (path, chunk) in enumerate(zip(paths, chunks), start=1):
        pagination = {
            "number": number, "count": len(chunks), "total": len(articles),
            "previous": paths[number - 2] if number > 1 else None,
            "next": paths[number] if number < len(chunks) else None,
            "first": paths[0], "last": paths[-1],
        }
        site.write_text(path, renderer.page(
            "list.html", path, title=title, home=home, facet=facet,
            items=[renderer.item_view(a, path) for a in chunk], pagination=pagination, feeds=list(feeds)))
    return len(paths)
