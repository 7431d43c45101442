"""Index pages and feeds: reductions over the small article records.

Home (newest first, undated after dated), and for tags, countries, languages
and sources (publishers): an index with counts and one paginated page each;
RSS/Atom feeds, the sitemap, robots.txt and the 404 page.

Nothing is rendered here: ``plan_indexes`` returns ``Output`` records, each
with the hash of everything its bytes depend on and a function that makes the
bytes. The build renders only the outputs whose hash changed since the site
it replaces (see ``build``), which is what makes a rebuild after one edit
cheap at archive scale.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from slugify import slugify

from builder import classify
from builder.cache import GroupRecord, digest
from builder.config import Settings
from builder.feeds import FeedSpec, feed_items, site_url, write_feed
from builder.models import Entry
from builder.render import (ATOM_PATH, RSS_PATH, PageFingerprints, Renderer, article_path, country_path,
                             facet_feed_path, relative_urls)
from builder.sitemap import MAX_URLS, lastmod, robots_txt, sitemap_index, sitemap_parts, sitemap_xml

FEED_FACETS = ("tags", "countries")


class Output(NamedTuple):
    """One file of the site: its path, the hash of its inputs, and its maker.
    (A tuple: a large site plans over a hundred thousand of them.)"""

    path: str
    key: str
    make: Callable[[], bytes]


def newest_first(articles: Sequence[Entry]) -> list[Entry]:
    """Dated articles newest first, then undated ones; ties by source path."""
    by_path = sorted(articles, key=lambda a: a.source_path)
    return sorted(by_path, key=_date_order, reverse=True)


def _date_order(article: Entry) -> tuple:
    return article.date.sort_key() if article.date else (-1, 0, 0, "")


def comes_before(a: Entry, b: Entry) -> bool:
    """Whether ``a`` is listed before ``b`` (``newest_first``)."""
    date_a, date_b = _date_order(a), _date_order(b)
    return date_a > date_b or date_a == date_b and a.source_path < b.source_path


@dataclass(frozen=True)
class Group:
    """One tag, country, language or source with its articles."""

    key: str
    label: str
    path: str
    """Site-relative path of the group's first page."""
    articles: tuple[Entry, ...]


def language_path(code: str) -> str:
    """The first page of a language's group."""
    return f"languages/{slugify(code) or 'und'}.html"


def language_label(renderer: Renderer, code: str) -> str:
    """A language's group's label: its name, and its code."""
    return f"{renderer.language_name(code)} ({code})"


def source_paths(names: Iterable[str]) -> dict[str, str]:
    """The first page of each source's group, by the source's name: their
    slugs made unique among them (see ``unique_slugs``), so a source's
    page depends on the others' names."""
    return {name: f"sources/{slug}.html" for name, slug in unique_slugs(sorted(names), page_slug).items()}


RESERVED_SLUGS = frozenset({"index"})
"""What a tag's or source's page may not be named in its folder: the
facet's index is ``index.html`` there."""


def unique_slugs(keys: Sequence[str], preferred: Callable[[str], str]) -> dict[str, str]:
    """A URL-safe, unique, stable slug per key: a key whose slug is taken by an
    earlier key (sorted order), or reserved, gets a suffix from a hash of
    the key itself."""
    slugs: dict[str, str] = {}
    taken: set[str] = set(RESERVED_SLUGS)
    for key in sorted(keys):
        slug = preferred(key) or "x"
        if slug.lower() in taken:
            slug = f"{slug}-{hashlib.sha1(key.encode()).hexdigest()[:6]}"
        taken.add(slug.lower())
        slugs[key] = slug
    return slugs


SLUGS: dict[str, str] = {}
"""Names already slugified (slugify is slow, and an archive has tens of
thousands of tags); the build keeps it in its cache between runs."""


def page_slug(name: str) -> str:
    """The URL slug of a tag's or source's page (before making it unique)."""
    slug = SLUGS.get(name)
    if slug is None:
        slug = SLUGS[name] = slugify(name, allow_unicode=True)
    return slug


def tag_labels(articles: Sequence[Entry], settings: Settings) -> dict[str, tuple[str, str]]:
    """tag key → (label in the interface language, site-relative page path)."""
    path = settings.path("content_dir") / "topics.toml"
    vocab = classify.vocabulary(path if path.is_file() else None)
    keys = sorted({t for a in articles for t in a.tags})
    slugs = unique_slugs(keys, page_slug)
    return {k: (vocab.label(k, settings.language), f"tags/{slugs[k]}.html") for k in keys}


def labels_after(labels: dict[str, tuple[str, str]], came: Collection[str], went: Collection[str],
                 settings: Settings) -> dict[str, tuple[str, str]] | None:
    """``tag_labels`` of the last build's tags (``labels``) with those that
    ``came`` and without those that ``went``, or ``None`` when a tag that
    stays might get another path (``unique_slugs``: a tag that leaves might
    free a slug another tag was kept from, and one that comes might take a
    slug another tag has), without slugifying the rest."""
    kept = {tag: found for tag, found in labels.items() if tag not in went} if went else dict(labels)
    taken = {path[len("tags/"):-len(".html")].lower() for _, path in kept.values()} | RESERVED_SLUGS
    for tag in went:
        freed = labels[tag][1][len("tags/"):-len(".html")].lower() + "-"
        if any(slug.startswith(freed) and len(slug) == len(freed) + 6 for slug in taken):
            return None
    if not came:
        return kept
    path = settings.path("content_dir") / "topics.toml"
    vocab = classify.vocabulary(path if path.is_file() else None)
    for tag in sorted(came):
        slug = page_slug(tag) or "x"
        if slug.lower() in taken:
            return None
        taken.add(slug.lower())
        kept[tag] = (vocab.label(tag, settings.language), f"tags/{slug}.html")
    return kept


def groups_of(ordered: Sequence[Entry], keys: Callable[[Entry], Sequence[str]],
              label: Callable[[str], str], path: Callable[[str], str]) -> list[Group]:
    members: dict[str, list[Entry]] = defaultdict(list)
    for article in ordered:
        for key in keys(article):
            members[key].append(article)
    return [Group(k, label(k), path(k), tuple(v)) for k, v in members.items()]


def list_key(article: Entry) -> str:
    """What a list entry or feed item shows of an article, as a key: the record
    and body are a pure function of its cache key (fixed length), except for
    the slug. Only ever hashed again with others, so not hashed here."""
    return f"{article.key} {article.slug}"


FACET_KEYS: dict[str, Callable[[Entry], Sequence[str]]] = {
    "tags": lambda a: a.tags,
    "countries": lambda a: [c for c, _ in a.countries],
    "languages": lambda a: [a.language],
    "sources": lambda a: [a.publisher.name] if a.publisher.name else [],
}
"""The groups of each facet an article belongs to, by key."""


def touched_groups(entries: Iterable[Entry]) -> set[tuple[str, str]]:
    """(facet, key) of every group the ``entries`` belong to, and the home page."""
    found = {(HOME, "")}
    for entry in entries:
        found.update((facet, key) for facet, keys in FACET_KEYS.items() for key in keys(entry))
    return found


GroupMemo = dict[str, GroupRecord]
"""group id → its record, kept between builds (the members only as source
paths once stored)."""

HOME = "home"
"""The home page's folder and group id."""


class IndexPlanner:
    """Plans a group's list pages and feeds: all of them, or only those
    that show the members at some positions (``near``)."""

    def __init__(self, settings: Settings, renderer: Renderer, fingerprints: PageFingerprints, keys: Mapping[str, str],
                 body_of: Callable[[Entry], str]):
        self.settings, self.renderer = settings, renderer
        self.fingerprint = fingerprints.templates["list.html"]
        self.feed_fingerprint = fingerprints.plain
        self.keys = keys
        """source path → ``list_key`` of every article a planned page shows."""
        self.body_of = body_of
        self.root_url = site_url(settings)
        self.as_is: dict[str, bool] = {}
        """The feeds' memo of which bodies go in as they are (see ``write_feed``)."""

    def feed(self, spec: FeedSpec) -> Output:
        items = feed_items(spec, self.settings.feed_items)
        key = digest(self.feed_fingerprint, spec.path, spec.title, spec.page, spec.kind, self.root_url,
                     [self.keys[a.source_path] for a in items])
        return Output(spec.path, key, lambda: write_feed(spec, self.settings, self.root_url, self.body_of,
                                                          as_is=self.as_is))

    def _feeds_wanted(self, near: Collection[int] | None) -> bool:
        return near is None or any(position < self.settings.feed_items for position in near)

    def home(self, ordered: Sequence[Entry], near: Collection[int] | None = None) -> list[Output]:
        settings = self.settings
        outputs = _list_pages(self.renderer, self.fingerprint, self.keys, "index.html",
                              self.renderer.labels["home.title"], ordered, settings, home=True, near=near)
        if self._feeds_wanted(near):
            outputs += [self.feed(FeedSpec(RSS_PATH, settings.title, "index.html", ordered)),
                        self.feed(FeedSpec(ATOM_PATH, settings.title, "index.html", ordered, kind="atom"))]
        return outputs

    def group(self, folder: str, group: Group, near: Collection[int] | None = None) -> list[Output]:
        """The list pages of one tag, country, language or source, and its feed."""
        settings = self.settings
        own_feeds: list[dict] = []
        outputs = []
        if folder in FEED_FACETS:
            feed_path = facet_feed_path(group.path)
            if self._feeds_wanted(near):
                outputs.append(self.feed(FeedSpec(feed_path, f"{group.label} · {settings.title}", group.path,
                                                  group.articles)))
            own_feeds = [{"type": "application/rss+xml", "title": f"RSS: {group.label}",
                          "label": f"RSS: {group.label}", "path": feed_path}]
        return _list_pages(self.renderer, self.fingerprint, self.keys, group.path,
                           group.label, group.articles, settings, facet=folder, feeds=own_feeds, near=near) + outputs


def group_id(folder: str, group: Group) -> str:
    return f"{folder}\t{group.key}\t{group.label}\t{group.path}"


def plan_indexes(settings: Settings, articles: Sequence[Entry], labels: dict[str, tuple[str, str]],
                 renderer: Renderer, fingerprints: PageFingerprints,
                 body_of: Callable[[Entry], str], memo: GroupMemo | None = None,
                 touched: set[tuple[str, str]] | None = None
                 ) -> tuple[list[Output], GroupMemo, list[tuple[str, str]]]:
    """Every list page, feed, the sitemap, robots.txt and 404.html; the
    memo to pass to the next build; and the pages the sitemap names, as
    sorted (path, ``lastmod``).

    The pages and feed of one group (the home page, a tag, a country…) are a
    function of the group and of its members' list keys, in order. A group
    whose inputs hash as in the previous build's ``memo`` takes its output
    keys from there instead of planning each page again: after an edit, that
    is nearly every group. ``touched``, when the caller knows it, names the
    groups (see ``touched_groups``) that any article changed since that build
    belonged to, before or after: the others are taken from the memo
    without hashing their members again.
    """
    t = renderer.labels
    ordered = newest_first(articles)
    keys = {a.source_path: list_key(a) for a in articles}
    planner = IndexPlanner(settings, renderer, fingerprints, keys, body_of)
    memo = memo or {}
    kept: GroupMemo = {}

    def group_outputs(group: str, members: Sequence[Entry], plan: Callable[[], list[Output]],
                      who: tuple[str, str, str, str]) -> list[Output]:
        known = memo.get(group)
        if known and touched is not None and who[:2] not in touched:  # (folder, key)
            inputs = known[0]  # no member changed, none came or left
        else:
            inputs = digest(planner.fingerprint, planner.root_url, group,
                            "\n".join([keys[a.source_path] for a in members]))
        if known and known[0] == inputs:
            planned: dict[str, Output] = {}

            def make(path: str) -> bytes:  # only when a file of the group must be made again
                if not planned:
                    planned.update((o.path, o) for o in plan())
                return planned[path].make()

            found = [Output(path, key, functools.partial(make, path)) for path, key in known[1]]
        else:
            found = plan()
        kept[group] = GroupRecord(inputs, tuple((o.path, o.key) for o in found), *who, members)
        return found

    outputs = group_outputs(HOME, ordered, lambda: planner.home(ordered), (HOME, "", t["home.title"], "index.html"))

    sources = source_paths({a.publisher.name for a in articles if a.publisher.name})
    facets = [
        ("tags", t["tags.title"], groups_of(ordered, FACET_KEYS["tags"],
                                            lambda k: labels[k][0], lambda k: labels[k][1])),
        ("countries", t["countries.title"], groups_of(
            ordered, FACET_KEYS["countries"], renderer.country_label, country_path)),
        ("languages", t["languages.title"], groups_of(
            ordered, FACET_KEYS["languages"], functools.partial(language_label, renderer), language_path)),
        ("sources", t["sources.title"], groups_of(ordered, FACET_KEYS["sources"], lambda k: k, lambda k: sources[k])),
    ]
    for folder, title, groups in facets:
        outputs.append(facet_index(renderer, fingerprints.templates["index_list.html"], folder, title,
                                   [(g.key, g.label, g.path, len(g.articles)) for g in groups]))
        for group in groups:
            outputs += group_outputs(group_id(folder, group), group.articles,
                                     functools.partial(planner.group, folder, group),
                                     (folder, group.key, group.label, group.path))
    outputs.append(Output("404.html", digest(fingerprints.templates["404.html"], "404"),
                          lambda: renderer.page("404.html", "404.html",
                                                site_root=settings.base_url or None).encode("utf-8")))
    root_url = planner.root_url
    pages = [(article_path(a), lastmod(a.date)) for a in articles] + [
        (o.path, "") for o in outputs if in_sitemap(o.path)]
    pages.sort(key=lambda p: p[0])
    outputs += sitemap_outputs(fingerprints.plain, root_url, pages)
    outputs.append(Output("robots.txt", digest(fingerprints.plain, root_url),
                          lambda: robots_txt(root_url).encode("utf-8")))
    return outputs, kept, pages


def in_sitemap(path: str) -> bool:
    """Whether the sitemap names this file, when it is not an article's page."""
    return path.endswith(".html") and path != "404.html"


def sitemap_outputs(fingerprint: str, root_url: str, pages: list[tuple[str, str]],
                    max_urls: int = MAX_URLS) -> list[Output]:
    """The sitemap's files for ``pages`` ((path, ``lastmod``), in any order:
    ``sitemap_parts`` sorts them), each keyed by the pages it names: a large
    site's edit makes one part of its sitemap again, not all."""
    parts = sitemap_parts(pages, max_urls)
    names = list(parts)[1:]
    return [Output(path, digest(fingerprint, root_url, path, names if part is None else part),
                   lambda path=path, part=part: (sitemap_index(root_url, names) if part is None
                                                 else sitemap_xml(root_url, part)).encode("utf-8"))
            for path, part in parts.items()]


class IndexEntry(NamedTuple):
    """A group on its facet's index page (attributes, not keys: the
    template reads them from tens of thousands of entries, and Jinja tries
    an attribute first)."""

    label: str
    count: int
    url: str
    """The group's first page, site-relative (for ``url(entry.url)``, as
    templates written before ``href`` link it)."""
    href: str
    """The same page, relative to the index page: made here in one loop, since
    calling ``url`` from the template costs a fifth of the page's time."""


def facet_index(renderer: Renderer, fingerprint: str, folder: str, title: str,
                groups: Iterable[tuple[str, str, str, int]]) -> Output:
    """A facet's index page (``tags/index.html``…): its groups as (key,
    label, path, number of members), most members first, then by label
    (case-folded) and key."""
    ordered = sorted(groups, key=lambda g: (-g[3], g[1].casefold(), g[0]))
    index_path = f"{folder}/index.html"

    def make() -> bytes:
        hrefs = relative_urls(index_path, [path for _, _, path, _ in ordered])
        entries = [IndexEntry(label, count, path, href) for (_, label, path, count), href in zip(ordered, hrefs)]
        return renderer.page("index_list.html", index_path, title=title, facet=folder, entries=entries).encode("utf-8")

    return Output(index_path, digest(fingerprint, index_path, title, folder, ordered), make)


class PageSpan(NamedTuple):
    """Where a list page starts and stops in its group (newest first), and
    its number: ``None`` for the first page, else counted from the oldest
    dated article, or from the first undated one (``undated``)."""

    start: int
    stop: int
    number: int | None = None
    undated: bool = False


def page_spans(dated: int, total: int, per_page: int) -> list[PageSpan]:
    """The list pages of a group of ``total`` articles whose first ``dated``
    have a date (newest first; the undated follow, by source path), the
    first page first.

    A group smaller than two pages' worth is one page. Otherwise pages are
    counted from the oldest dated article: the page numbered ``m`` shows
    the dated articles ranked ``(m - 1) * per_page`` to ``m * per_page - 1``
    from the oldest, whatever came after them, and the first page the rest,
    the newest: ``per_page`` to ``2 * per_page - 1`` of them (all of them
    when there are fewer). The undated articles follow, ``per_page`` a page,
    numbered from the first; when none is dated, their first page is the
    group's first. An archive grows at the top, so a new article changes
    its groups' first pages, and once such a page holds ``2 * per_page`` a
    numbered page more; an undated one changes the undated pages from its
    place on. The other pages keep their addresses and articles, and are
    not made again."""
    if total < 2 * per_page:
        return [PageSpan(0, total)]
    numbered = dated // per_page - 1 if dated >= 2 * per_page else 0
    top = dated - numbered * per_page
    spans = [PageSpan(top + i * per_page, top + (i + 1) * per_page, numbered - i) for i in range(numbered)]
    undated = [PageSpan(start, min(start + per_page, total), j + 1, True)
               for j, start in enumerate(range(dated, total, per_page))]
    if not dated:
        return [undated[0]._replace(number=None, undated=False)] + undated[1:]
    return [PageSpan(0, top)] + spans + undated


def page_of(spans: Sequence[PageSpan], position: int) -> int:
    """The index in ``spans`` of the page showing the article at
    ``position`` (0: the newest)."""
    return pages_of(spans, [position])[0]


def pages_of(spans: Sequence[PageSpan], positions: Iterable[int]) -> list[int]:
    """The indexes in ``spans`` of the pages showing the articles at
    ``positions``, sorted, each once."""
    starts = [span.start for span in spans]
    return sorted({bisect.bisect_right(starts, position) - 1 for position in positions})


def dated_count(articles: Sequence[Entry]) -> int:
    """How many of ``articles`` (newest first, the undated last) have a
    date: a binary search, which loads few of a stored group's entries."""
    low, high = 0, len(articles)
    while low < high:
        middle = (low + high) // 2
        if articles[middle].date is not None:
            low = middle + 1
        else:
            high = middle
    return low


def _later_pages(folder: str | None, first: str) -> Callable[[int, bool], str]:
    """The address of a group's numbered page (see ``page_spans``), from
    the group's folder and first page: of the home page ``page/3.html`` and
    ``page/undated-2.html``, of a tag ``tags/x.p3.html`` and
    ``tags/x.undated-2.html``."""
    stem = first.removesuffix(".html")
    dated, undated = ("page/", "page/undated-") if folder == HOME else (f"{stem}.p", f"{stem}.undated-")
    return lambda number, is_undated: f"{undated if is_undated else dated}{number}.html"


def _layout(dated: int, total: int, per_page: int, folder: str | None, first: str
            ) -> list[tuple[PageSpan, str, dict]]:
    """A group's list pages (see ``page_spans``), each with its address (the
    first page's is ``first``, the others' ``_later_pages``) and its
    pagination: what a page shows besides its articles."""
    spans = page_spans(dated, total, per_page)
    later = _later_pages(folder, first)
    count = len(spans)
    paths = [first] + [later(span.number, span.undated) for span in spans[1:]]
    oldest = next((i for i, span in enumerate(spans) if span.number == 1 and not span.undated), None)
    return [(span, paths[i], {
        "number": span.number, "undated": span.undated, "total": total if i == 0 else None,
        "previous": paths[i - 1] if i > 0 else None,
        "next": paths[i + 1] if i + 1 < count else None,
        "newest": first if i > 1 else None,
        "oldest": paths[oldest] if oldest is not None and i + 1 < oldest else None,
    }) for i, span in enumerate(spans)]


def pages_changed(folder: str, first: str, per_page: int, before: Sequence[str], dated_before: int,
                  now: Sequence[str], dated_now: int, changed: Collection[str]) -> tuple[set[int], set[str]]:
    """Which list pages of a group differ from the last build's, from its
    members' source paths alone, newest first (``before`` and ``now``, the
    first ``dated_…`` of them with a date), and the members whose list key
    changed (``changed``): a position (in ``now``) on each page whose
    address is new, or whose pagination or members differ or hold a
    changed one; and the addresses of the pages it no longer has. A list
    page is a function of these and of its group's label (see
    ``_list_pages``); the group's feed changes only if a page holding one
    of its first items does."""
    was = {path: (tuple(before[span.start:span.stop]), pagination)
           for span, path, pagination in _layout(dated_before, len(before), per_page, folder, first)}
    near, paths = set(), set()
    for span, path, pagination in _layout(dated_now, len(now), per_page, folder, first):
        paths.add(path)
        members = tuple(now[span.start:span.stop])
        if was.get(path) != (members, pagination) or not changed.isdisjoint(members):
            near.add(span.start)
    return near, was.keys() - paths


def _list_pages(renderer: Renderer, fingerprint: str, keys: Mapping[str, str], first: str,
                title: str, articles: Sequence[Entry], settings: Settings,
                home: bool = False, facet: str | None = None, feeds: Sequence[dict] = (),
                near: Collection[int] | None = None) -> list[Output]:
    """The pages listing ``articles``, or only those showing the ones at the
    positions ``near``. The first page has the address ``first``; the
    others those ``_later_pages`` gives the home page or the ``facet``
    (see ``page_spans``). Only the first
    page names the group's size: a numbered page depends on its own
    articles and on the addresses of its neighbours and of the newest and
    oldest pages alone."""
    pages = _layout(dated_count(articles), len(articles), settings.items_per_page, HOME if home else facet, first)
    shown = range(len(pages)) if near is None else pages_of([span for span, _, _ in pages], near)
    outputs = []
    for i in shown:
        span, path, pagination = pages[i]
        chunk = articles[span.start:span.stop]
        key = digest(fingerprint, path, title, home, facet, pagination, feeds, [keys[a.source_path] for a in chunk])

        def make(path=path, chunk=chunk, pagination=pagination) -> bytes:
            return renderer.page("list.html", path, title=title, home=home, facet=facet,
                                 items=[renderer.item_view(a, path) for a in chunk],
                                 pagination=pagination, feeds=list(feeds)).encode("utf-8")

        outputs.append(Output(path, key, make))
    return outputs
