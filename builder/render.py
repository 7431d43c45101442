"""Render stage: records → HTML pages through the Jinja2 templates.

One environment (``StrictUndefined``, autoescape on). Templates never see an
``Article``: the ``*_view`` functions turn records into the plain dicts that
templates read, so what a template may use is written down here.

Every link a template writes goes through ``url(target)``, which turns a
site-relative path into a link relative to the page being rendered (or was
made by the same ``relative_url`` before, as the index pages' entries are). That is
what makes the same ``site/`` work from ``file://``, under ``/<repo>/`` on
GitHub Pages, or at any path of any static host.
"""

from __future__ import annotations

import datetime as dt
import functools
import glob
import json
import os
import re
import shutil
import tomllib
import traceback
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

import babel
import babel.dates
import jinja2
from markupsafe import Markup

from builder import __version__
from builder.config import Settings
from builder.countries import country_name
from builder.errors import ConfigError
from builder.models import Article, Entry, PartialDate
from builder.profiles import names_a_group

ARTICLES_DIR = "articles"
RSS_PATH = "feeds/rss.xml"
ATOM_PATH = "feeds/atom.xml"
SITE_FEEDS = [
    {"type": "application/rss+xml", "title": "RSS", "label": "RSS", "path": RSS_PATH},
    {"type": "application/atom+xml", "title": "Atom", "label": "Atom", "path": ATOM_PATH},
]


def facet_feed_path(page_path: str) -> str:
    """The RSS feed of a tag or country page: ``tags/x.html`` → ``feeds/tags/x.xml``."""
    return "feeds/" + page_path.removesuffix(".html") + ".xml"


def article_path(article: Article | Entry) -> str:
    return f"{ARTICLES_DIR}/{article.slug}.html"


def country_path(code: str) -> str:
    """The site-relative path of a country's first list page."""
    return f"countries/{code.lower()}.html"


def relative_url(from_page: str, target: str) -> str:
    """Link from one site-relative page path to another, percent-encoded.
    Both are POSIX paths inside the site, so no file system is consulted (this
    runs hundreds of thousands of times in a large build)."""
    return _relative_from(from_page[:from_page.rfind("/") + 1], target)


def relative_urls(from_page: str, targets: Iterable[str]) -> list[str]:
    """``relative_url`` from one page to many: a target in the page's own
    folder is its name, percent-encoded, with no cache to look in (an index
    page links 22,500 tags at archive scale, each once)."""
    folder = from_page[:from_page.rfind("/") + 1]
    start = len(folder)
    return [quote_path(target[start:]) if target.startswith(folder) and "/" not in target[start:]
            and "#" not in target else _relative_from(folder, target) for target in targets]


@functools.lru_cache(maxsize=4096)
def _relative_from(folder: str, target: str) -> str:
    """``relative_url`` from a page in ``folder`` (its path up to the last
    ``/``, included: '' at the site's root). The pages of a folder link to
    the same menus, feeds and tags: 78 % of the links of a 2,069-article site
    repeat a (folder, target) made before, 77.8 % one of the last 4,096 made."""
    path, _, fragment = target.partition("#")
    base = folder.split("/")[:-1]
    parts = path.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    rel = "../" * (len(base) - common) + "/".join(parts[common:])
    return _quote(rel) + ("#" + fragment if fragment else "")


def quote_path(path: str) -> str:
    """A site-relative path percent-encoded for a URL: as
    ``urllib.parse.quote(path, safe="/._-~")``, in one substitution per run
    of characters to encode (twice as fast on the paths of tags in Chinese,
    22,498 of them on the tags' index of a large archive; and a path with
    none to encode is returned after one scan)."""
    return _TO_QUOTE.sub(_percent_encoded, path)


_quote = functools.lru_cache(maxsize=65536)(quote_path)
"""``quote_path`` of the targets of relative links, which repeat from page to page."""


_TO_QUOTE = re.compile(r"[^A-Za-z0-9/._~-]+")


def _percent_encoded(run: re.Match) -> str:
    return "%" + run[0].encode("utf-8").hex("%").upper()


def _template_problem(error: jinja2.TemplateError) -> str:
    """What a template got wrong, with its file and line: the syntax error's
    own, or the last frame of a template in the traceback (a frame Jinja
    writes as the template's own, with the error in its globals)."""
    where = None
    if isinstance(error, jinja2.TemplateSyntaxError) and error.lineno:
        where = f"{error.filename or error.name}:{error.lineno}"
    else:
        for frame, line in traceback.walk_tb(error.__traceback__):
            if "__jinja_exception__" in frame.f_globals:
                where = f"{frame.f_code.co_filename}:{line}"
    message = error.message if isinstance(error, jinja2.TemplateSyntaxError) else str(error)
    return f"template {where or 'error'}: {message}"


def absolute_url(settings: Settings, target: str) -> str | None:
    if not settings.base_url:
        return None
    return settings.base_url + quote_path(target)


@dataclass(frozen=True)
class Labels:
    """Interface strings in the interface language (``templates/labels.toml``)."""

    strings: dict[str, str]
    locale: babel.Locale

    def __getitem__(self, key: str) -> str:
        return self.strings.get(key, key)


def load_labels(templates_dir: Path, language: str) -> Labels:
    path = templates_dir / "labels.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    strings = dict(data.get("en", {}))
    strings.update(data.get(language, {}))
    try:
        locale = babel.Locale.parse(language.replace("-", "_"))
    except (ValueError, babel.UnknownLocaleError):
        locale = babel.Locale("en")
    return Labels(strings, locale)


class _Environment(jinja2.Environment):
    """Jinja's environment, quicker at ``view.title`` on the plain dicts the
    pages are given (and the list entries, ``ItemView``): Jinja tries the attribute first, and a dict's missing
    attribute costs an exception, five times the lookup itself (a tenth of
    the pages' rendering time). The result is Jinja's: an item, unless the
    name is one of a dict's own attributes (``items``, ``get``, ...)."""

    def getattr(self, obj, attribute):
        if (type(obj) is dict or type(obj) is ItemView) and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        try:  # Jinja's own, inlined: an index's entries read 67,500 attributes
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


@cache
def _environment(templates_dir: str, cache_dir: str) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        # Compiled templates are kept beside the build cache: compiling them
        # was 0.05-0.1 s of every rebuild after an edit. Jinja checks each
        # against its template's source; the folder is this builder's own
        # (``_bytecode_folder``).
        bytecode_cache=jinja2.FileSystemBytecodeCache(_bytecode_folder(cache_dir), "%s.jinja"),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # A build's templates do not change while it renders: asking the
        # disk for each page whether they did was 0.9 s of a 29k build. A
        # long-running process (serve) makes a new environment for each
        # build (``forget_templates``).
        auto_reload=False,
    )
    env.filters["index_items"] = index_items
    env.filters["list_items"] = list_items
    return env


def index_items(entries: Iterable) -> Markup:
    """The ``<li>`` of each entry of an index page (``entries``, see
    ``indexes.IndexEntry``), as the loop ``{% for entry in entries %}`` over
    ``<li><a href="{{ entry.href }}">{{ entry.label }}</a> <span
    class="n">{{ entry.count }}</span></li>`` writes them, for the filter of
    the same name. That loop was 0.18 s of each edit that adds a tag to a
    large archive (22,500 entries, each value escaped and yielded through
    three template frames); this is a fifth of it."""
    return Markup("".join([f'  <li><a href="{_escaped(e.href)}">{_escaped(e.label)}</a> '
                           f'<span class="n">{e.count}</span></li>\n' for e in entries]))


class ItemView(dict):
    """An article as a list entry (see ``Renderer.item_view``): a dict, as
    templates read it, which keeps the ``<li>`` ``list_items`` made of it.
    The pages that show it share it, so it cannot be changed: a template
    that would change an entry for its own page copies it (``dict(item)``)."""

    __slots__ = ("_li",)

    def __init__(self, **view: object):
        super().__init__(**view)
        self._li: tuple[str, str] | None = None
        """(what an undated article says, the ``<li>``), once made."""

    def _shared(self, *args: object, **kwargs: object) -> None:
        raise TypeError("a list entry is shared by the pages that show it: copy it with dict(item) to change it")

    __setitem__ = __delitem__ = __ior__ = update = pop = popitem = setdefault = clear = _shared


def list_items(items: Iterable[dict], date_unknown: str) -> Markup:
    """The ``<li>`` of each article of a list page (``items``, see
    ``Renderer.item_view``), as the loop in the shipped ``list.html`` wrote
    them (kept in ``tests/test_render.py``), for the filter of the same name;
    ``date_unknown`` is said for an undated article. An archive's list pages
    hold every article five to ten times (home, language, source, tags,
    countries): the loop escaped each value and yielded it through three
    template frames, a third of a list page's time. An ``ItemView`` keeps
    its ``<li>``: the pages of one folder depth show an article alike."""
    out = []
    for item in items:
        made = item._li if type(item) is ItemView else None
        if made is not None and made[0] == date_unknown:
            out.append(made[1])
            continue
        language = _escaped(item["language"])
        date = item["date"]
        when = (f'<time datetime="{_escaped(date["iso"])}">{_escaped(date["text"])}</time>' if date
                else _escaped(date_unknown))
        publisher = f' · {_escaped(item["publisher"])}' if item["publisher"] else ""
        summary = f'<p class="summary" lang="{language}">{_escaped(item["summary"])}</p>' if item["summary"] else ""
        html = (f'  <li>\n    <h2><a href="{_escaped(item["url"])}" lang="{language}">'
                f'{_escaped(item["title"])}</a></h2>\n'
                f'    <p class="meta">{when} · {_escaped(item["language_name"])}{publisher}</p>\n'
                f'{summary}  </li>\n')
        if type(item) is ItemView:
            item._li = (date_unknown, html)
        out.append(html)
    return Markup("".join(out))


def _escaped(text: str) -> str:
    """``text`` escaped as ``markupsafe.escape`` does (and so as a template
    escapes it), without making a ``Markup`` of each piece."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def _bytecode_folder(cache_dir: str) -> str:
    """Where the compiled templates are kept: a folder of the builder's code
    and Jinja's version, as Jinja keys a compiled template by its name, path
    and source only, not by the environment's options that shaped it. The
    folders of other versions are removed when this one is made."""
    from builder.cache import code_fingerprint, digest
    folder = os.path.join(cache_dir, "templates-" + digest(code_fingerprint(), jinja2.__version__)[:16])
    if not os.path.isdir(folder):
        for other in glob.glob(os.path.join(glob.escape(cache_dir), "templates*")):
            shutil.rmtree(other, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    return folder


def forget_templates() -> None:
    """Drop the compiled templates: the next build reads them again."""
    _environment.cache_clear()


PAGE_TEMPLATES = ("article.html", "list.html", "index_list.html", "404.html")
"""The templates pages are made from (``Renderer.page``)."""


class PageFingerprints(NamedTuple):
    """What outputs depend on besides their own inputs, as hashes (see
    ``page_fingerprints``): so that a changed template makes again only
    the pages made from it."""

    site: str
    """The builder's code, every file of the templates folder and the
    settings that shape pages: a build keeps it, and the next makes its
    edits in place only under the same."""
    plain: str
    """The code and those settings alone: what feeds, the sitemap and
    ``robots.txt`` depend on besides their own inputs."""
    templates: dict[str, str]
    """Each of ``PAGE_TEMPLATES`` → ``plain``, the template, those it
    extends, includes or imports, and the interface strings
    (``labels.toml``): what its pages depend on besides their own inputs."""


def page_fingerprints(settings: Settings) -> PageFingerprints:
    from builder.cache import code_fingerprint, digest, tree_fingerprint
    folder = settings.path("templates_dir")
    code, shaping, whole = code_fingerprint(), settings.shaping(), tree_fingerprint(folder)
    plain = digest(code, shaping)
    labels = folder / "labels.toml"
    shown = labels.read_bytes() if labels.is_file() else b""
    env = _environment(str(folder), str(settings.path("cache_dir")))  # (parsed as the pages' templates are)
    read = functools.cache(functools.partial(_read_template, env))  # (base.html once, not once a page template)
    return PageFingerprints(digest(code, whole, shaping), plain,
                            {name: digest(plain, _template_sources(read, name) or whole, shown)
                             for name in PAGE_TEMPLATES})


def _template_sources(read: Callable[[str], tuple[str, list[str | None]] | None],
                      name: str) -> list[tuple[str, str]] | None:
    """The sources of template ``name`` and of those it extends, includes
    or imports (``read``: see ``_read_template``), each with its name,
    sorted; ``None`` when one is named by an expression (known only as the
    page renders) or is no text (a picture in a branch never taken): then
    every file of the folder counts."""
    sources: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in sources:
            continue
        found = read(current)
        if found is None:
            return None
        sources[current], named = found
        if None in named:
            return None
        todo += named
    return sorted(sources.items())


def _read_template(env: jinja2.Environment, name: str) -> tuple[str, list[str | None]] | None:
    """Template ``name``'s source and the names of those it extends,
    includes or imports (``None`` for one named by an expression); ``None``
    when it is no text. A template missing (an empty source) or that does
    not parse (naming none) counts as it is: rendering reports it."""
    from jinja2 import meta
    try:
        source = env.loader.get_source(env, name)[0]
    except jinja2.TemplateNotFound:
        return "", []
    except UnicodeDecodeError:  # (no template: a page that includes it fails, and says so)
        return None
    try:
        return source, list(meta.find_referenced_templates(env.parse(source)))
    except jinja2.TemplateSyntaxError:
        return source, []


class Renderer:
    """Renders the pages of one site. Cheap to create; one per worker process."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.env = _environment(str(settings.path("templates_dir")), str(settings.path("cache_dir")))
        self.labels = load_labels(settings.path("templates_dir"), settings.language)
        self._items: dict[tuple[str, str], ItemView] = {}
        """The list entries made, by cache key and address (see ``item_view``)."""

    # -- views ---------------------------------------------------------------

    def date_view(self, date: PartialDate | None) -> dict | None:
        return None if date is None else self._date_view(date)

    @functools.lru_cache(maxsize=8192)
    def _date_view(self, date: PartialDate) -> dict:
        locale = self.labels.locale
        if date.day is not None:
            text = babel.dates.format_date(dt.date(date.year, date.month, date.day), "long", locale=locale)
        elif date.month is not None:
            text = babel.dates.format_skeleton("yMMMM", dt.date(date.year, date.month, 1), locale=locale)
        else:
            text = str(date.year)
        if date.time:
            text += f" {date.time} UTC"
        return {"iso": date.iso(), "text": text, "precision": date.precision.value}

    @functools.lru_cache(maxsize=1024)
    def language_name(self, code: str) -> str:
        try:
            name = babel.Locale.parse(code.replace("-", "_")).get_display_name(self.labels.locale)
        except (ValueError, babel.UnknownLocaleError):
            return code
        return name or code

    @functools.lru_cache(maxsize=1024)
    def country_label(self, code: str) -> str:
        return country_name(code, str(self.labels.locale))

    def item_view(self, article: Article | Entry, page: str) -> dict:
        """An article as a list entry on ``page``. Of an ``Entry``, whose
        record is a pure function of its cache key and slug (see
        ``indexes.list_key``), one view is made for all the list pages that
        link it alike (five to ten at each folder depth), with its ``<li>``
        (see ``list_items``)."""
        url = relative_url(page, article_path(article))
        key = (article.key, url) if isinstance(article, Entry) else None  # (the address holds the slug)
        view = self._items.get(key) if key else None
        if view is None:
            view = ItemView(title=article.title, url=url, date=self.date_view(article.date),
                            language=article.language, language_name=self.language_name(article.language),
                            publisher=article.publisher.name, summary=article.summary)
            if key:
                self._items[key] = view
        return view

    # -- pages ---------------------------------------------------------------

    def page(self, template: str, page: str, **context) -> str:
        """The page at ``page`` from ``template``; a template's mistake is a
        ``ConfigError`` naming the template, its line and the page (raised
        where the traceback that tells the line is, a render worker too)."""
        def url(target: str) -> str:
            return relative_url(page, target)

        try:
            return self.env.get_template(template).render(
                site={"title": self.settings.title, "description": self.settings.description,
                      "language": self.settings.language, "generator": f"archive-builder {__version__}"},
                t=self.labels,
                url=url,
                page_path=page,
                canonical=absolute_url(self.settings, context.pop("canonical_page", page)),
                feeds=SITE_FEEDS + context.pop("feeds", []),
                **context,
            )
        except jinja2.TemplateError as error:
            raise ConfigError(f"{_template_problem(error)} (making {page})") from None

    def article_page(self, article: Article, body_html: str, tag_labels: dict[str, tuple[str, str]],
                     related: Sequence = (), unlinked: Collection[str] = frozenset()) -> str:
        """``related``: ``related.Relation`` records, copies first, then
        translations; ``unlinked``: the countries it names that have no page
        (an unlisted copy's, see ``related.copies``)."""
        page = article_path(article)
        listed = next((r.article for r in related if r.kind == "canonical"), None)
        canonical = article_path(listed) if listed else page
        people = [{"name": p.name, "role": p.role, "role_label": self.labels[f"role.{p.role}"]}
                  for p in article.people]
        view = {
            "title": article.title,
            "language": article.language,
            "language_name": self.language_name(article.language),
            "date": self.date_view(article.date),
            "people": people,
            "body": body_html,
            "tags": [{"label": tag_labels[t][0], "url": relative_url(page, tag_labels[t][1])}
                     for t in article.tags if t in tag_labels],
            "countries": [{"code": c, "name": self.country_label(c), "count": n,
                           "url": None if c in unlinked else relative_url(page, country_path(c))}
                          for c, n in article.countries],
            "attribution": self.attribution_view(article, page),
            "jsonld": jsonld_script(article_jsonld(article, self.settings, canonical)),
            # only what the page's key holds of a related article (see build._plan):
            # its slug (the URL), title and language
            "related": [{"title": r.article.title, "url": relative_url(page, article_path(r.article)),
                         "language": r.article.language,
                         "relation": self.labels["related.translation"].format(
                             language=self.language_name(r.article.language))
                         if r.kind == "translation" else ""}
                        for r in related if r.kind in ("translation", "related")],
            "listed": listed and {"title": listed.title, "url": relative_url(page, article_path(listed)),
                                  "language": listed.language},
            "copies": [{"name": r.article.slug, "url": relative_url(page, article_path(r.article))}
                       for r in related if r.kind in ("canonical", "copy")],
        }
        return self.page("article.html", page, article=view, canonical_page=canonical)

    def attribution_view(self, article: Article, page: str) -> list[dict]:
        """The provenance chain, original first; ``None`` values mean "not recorded".
        A republisher that is the original publication itself (a GNews post,
        republished by GNews at the same address) is not listed twice, and a
        name that is only the address again is not shown."""
        original = {"role": "original", "label": self.labels["attribution.original"],
                    "name": article.publisher.name, "url": article.original_url or article.publisher.url}
        chain = [original]
        if article.based_on:
            chain.append({"role": "based_on", "label": self.labels["attribution.based_on"],
                          "name": article.based_on.name if article.based_on.name != article.based_on.url else None,
                          "url": article.based_on.url})
        if article.republisher and (article.republisher.name, article.republisher.url) != (original["name"], original["url"]):
            chain.append({"role": "republisher", "label": self.labels["attribution.republisher"],
                          "name": article.republisher.name, "url": article.republisher.url})
        chain.append({"role": "mirror", "label": self.labels["attribution.mirror"],
                      "name": article.mirror.name if article.mirror else None,
                      "url": article.mirror.url if article.mirror else None})
        chain.append({"role": "archive", "label": self.labels["attribution.archive"],
                      "name": article.source_path, "url": relative_url(page, article.raw_url),
                      "sha256": article.sha256, "size": article.raw_size})
        return chain


def article_jsonld(article: Article, settings: Settings, canonical_page: str | None = None) -> dict:
    """schema.org ``NewsArticle`` as SPEC.md names it; tools outside the project read it.
    Its ``url`` is the ``canonical_page`` (a copy's is the listed page, see
    ``related.copies``), by default the article's own."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "inLanguage": article.language,
        "identifier": {"@type": "PropertyValue", "propertyID": "sha256", "value": article.sha256},
        "keywords": list(article.tags),
        "contentLocation": [
            {"@type": "Country", "name": country_name(code, "en"), "identifier": code}
            for code, _ in article.countries
        ],
        "author": [{"@type": _agent_type(p.name), "name": p.name} for p in article.people if p.role == "author"]
        or None,
        "contributor": [{"@type": _agent_type(p.name), "name": p.name, "roleName": p.role}
                        for p in article.people if p.role != "author"] or None,
        "publisher": {"@type": "Organization", "name": article.publisher.name,
                      **({"url": article.publisher.url} if article.publisher.url else {})}
        if article.publisher.name else None,
        "datePublished": article.date.iso() if article.date else None,
        "isBasedOn": [u for u in (article.original_url, article.based_on.url if article.based_on else None) if u] or None,
        "sameAs": article.original_url,
        "sourceOrganization": {"@type": "Organization", "name": article.republisher.name,
                               **({"url": article.republisher.url} if article.republisher.url else {})}
        if article.republisher else None,
        "archivedAt": [u for u in (article.mirror.url if article.mirror else None,
                                   absolute_url(settings, article.raw_url)) if u] or None,
        "image": article.image,
        "url": absolute_url(settings, canonical_page or article_path(article)),
        "wordCount": article.word_count,
    }
    return {k: v for k, v in data.items() if v is not None}


def _agent_type(name: str) -> str:
    """A credit's schema.org type: a farm, a team or a programme's production
    team is no ``Person`` (``profiles.names_a_group``)."""
    return "Organization" if names_a_group(name) else "Person"


def jsonld_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False)
    # a "</script>" inside a string must not close the element
    return text.replace("</", "<\\/")

