"""Source profiles: what we know about each kind of source, loaded from data.

Each file in ``builder/profiles/`` describes one kind of source (a mirror of a
news site, a repost network, an aggregator) — how to recognise it, where its
title, dates, URLs and credits are, and what is boilerplate. ``_common.toml``
holds what every source shares (share prompts in many languages, credit
roles). ``generic.toml`` is the fallback for sources nobody described yet.

Supporting a new mirror means adding a TOML file here, not editing the
extractor. The format is documented in ``builder/profiles/README.md``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from builder.errors import ConfigError

FORMATS = ("markdown", "html", "text", "auto")


@dataclass(frozen=True)
class DateRule:
    """A pattern whose named groups give a date (``year`` or ``yy``, ``month`` or
    ``month_name``, ``day``, optionally ``hour``, ``minute``, ``ampm``; values may
    be Chinese numerals). ``pick`` is ``first`` or ``latest`` among matches."""

    pattern: re.Pattern[str]
    pick: str = "first"


@dataclass(frozen=True)
class Credit:
    """A credit line: ``pattern`` has groups ``role`` (a word of the source) and ``name``."""

    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    priority: int
    format: str
    detect_all: tuple[re.Pattern[str], ...]
    detect_any: tuple[re.Pattern[str], ...]
    title: tuple[re.Pattern[str], ...]
    """Patterns with a ``value`` group; the first that matches gives the title."""
    title_from_first_line: bool
    title_suffixes: tuple[re.Pattern[str], ...]
    """What a web page's title adds to the headline (``| 社会 | 三立新闻网 SETN.COM``)."""
    body_start_after: tuple[re.Pattern[str], ...]
    body_end_before: tuple[re.Pattern[str], ...]
    drop_lines: tuple[re.Pattern[str], ...]
    """A line of the body that matches one of these whole (stripped) is boilerplate."""
    drop_from_line: tuple[re.Pattern[str], ...]
    """A line matching one of these, and everything after it, is boilerplate."""
    drop_blocks: tuple[re.Pattern[str], ...]
    """A block (paragraph, heading, list item…) whose whole text matches one of
    these is boilerplate."""
    promo_links: tuple[re.Pattern[str], ...]
    promo_lines: tuple[re.Pattern[str], ...]
    """The shared promotion destinations only: a line within a paragraph that is
    mostly a link to one of them goes (a profile's own, such as links to the
    site's other articles, would take a digest's headlines)."""
    """hrefs of the source's own promotion (other articles, columns): a block
    that is mostly such links, or short and holding one, is boilerplate."""
    drop_selectors: tuple[str, ...]
    tag_links: tuple[re.Pattern[str], ...]
    """href patterns with a ``tag`` group: links to the source's own tag pages."""
    dates: tuple[DateRule, ...]
    original_url: tuple[re.Pattern[str], ...]
    publisher: str | None
    publisher_pattern: tuple[re.Pattern[str], ...]
    republisher: str | None
    republisher_url: tuple[re.Pattern[str], ...]
    based_on: tuple[re.Pattern[str], ...]
    """Patterns with a ``url`` group, a ``name`` group or both: what the outlet translated."""
    mirror: str | None
    mirror_url: tuple[re.Pattern[str], ...]
    credits: tuple[Credit, ...]
    authors_pattern: tuple[re.Pattern[str], ...]
    """Patterns with a ``name`` group: the authoring group or person the header names."""
    fenced_quotes: bool
    """Fenced code blocks of prose (the way some reposts quote) become blockquotes."""
    line_breaks: bool
    repeated_pictures_are_furniture: bool
    pictures_after_credits_are_furniture: bool

    def matches(self, text: str) -> bool:
        if not self.detect_all and not self.detect_any:
            return True
        return all(p.search(text) for p in self.detect_all) and (
            not self.detect_any or any(p.search(text) for p in self.detect_any))


_FLAGS = re.MULTILINE


def _patterns(data: dict, key: str, where: str) -> tuple[re.Pattern[str], ...]:
    values = data.get(key, [])
    if isinstance(values, str):
        values = [values]
    compiled = []
    for value in values:
        try:
            compiled.append(re.compile(value, _FLAGS))
        except re.error as exc:
            raise ConfigError(f"{where}: {key}: bad pattern {value!r}: {exc}") from None
    return tuple(compiled)


def _profile_from_data(data: dict, common: dict, where: str) -> Profile:
    fmt = data.get("format", "auto")
    if fmt not in FORMATS:
        raise ConfigError(f"{where}: format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    fields = data.get("fields", {})
    body = data.get("body", {})
    detect = data.get("detect", {})
    dates = []
    for rule in fields.get("dates", []):
        (pattern,) = _patterns(rule, "pattern", where + ": fields.dates")
        if rule.get("pick", "first") not in ("first", "latest"):
            raise ConfigError(f"{where}: fields.dates pick must be 'first' or 'latest'")
        dates.append(DateRule(pattern, rule.get("pick", "first")))
    credit_patterns = _patterns(fields, "credits", where) + _patterns(common, "credits", "_common.toml")
    shared_promo_links = _patterns(common.get("body", {}), "promo_links", "_common.toml")
    return Profile(
        name=data["name"],
        label=data.get("label", data["name"]),
        priority=int(data.get("priority", 0)),
        format=fmt,
        detect_all=_patterns(detect, "all", where),
        detect_any=_patterns(detect, "any", where),
        title=_patterns(fields, "title", where),
        title_from_first_line=bool(fields.get("title_from_first_line", False)),
        title_suffixes=(_patterns(fields, "title_suffixes", where)
                        + _patterns(common, "title_suffixes", "_common.toml")),
        body_start_after=_patterns(body, "start_after", where),
        body_end_before=_patterns(body, "end_before", where),
        drop_lines=_patterns(body, "drop_lines", where) + _patterns(common.get("body", {}), "drop_lines", "_common.toml"),
        drop_from_line=_patterns(body, "drop_from_line", where),
        drop_blocks=_patterns(body, "drop_blocks", where) + _patterns(common.get("body", {}), "drop_blocks", "_common.toml"),
        promo_links=_patterns(body, "promo_links", where) + shared_promo_links,
        promo_lines=shared_promo_links,
        drop_selectors=tuple(body.get("drop_selectors", [])),
        tag_links=_patterns(body, "tag_links", where),
        dates=tuple(dates),
        original_url=_patterns(fields, "original_url", where),
        publisher=fields.get("publisher"),
        publisher_pattern=_patterns(fields, "publisher_pattern", where),
        republisher=fields.get("republisher"),
        republisher_url=_patterns(fields, "republisher_url", where),
        based_on=_patterns(fields, "based_on", where),
        mirror=fields.get("mirror"),
        mirror_url=_patterns(fields, "mirror_url", where),
        credits=tuple(Credit(p) for p in credit_patterns),
        authors_pattern=_patterns(fields, "authors", where),
        fenced_quotes=bool(body.get("fenced_quotes", False)),
        line_breaks=bool(body.get("line_breaks", False)),
        repeated_pictures_are_furniture=bool(body.get("repeated_pictures_are_furniture", False)),
        pictures_after_credits_are_furniture=bool(body.get("pictures_after_credits_are_furniture", False)),
    )


def _read_toml(name: str) -> dict:
    text = resources.files("builder.profiles").joinpath(name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"builder/profiles/{name}: {exc}") from None


@cache
def common_data() -> dict:
    return _read_toml("_common.toml")


@cache
def load_profiles() -> tuple[Profile, ...]:
    """All shipped profiles, most specific (highest priority) first; generic last."""
    common = common_data()
    found = []
    for entry in sorted(resources.files("builder.profiles").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml") or entry.name.startswith("_"):
            continue
        found.append(_profile_from_data(_read_toml(entry.name), common, f"builder/profiles/{entry.name}"))
    return tuple(sorted(found, key=lambda p: (-p.priority, p.name)))


def choose_profile(text: str) -> Profile:
    """The first profile (by priority) whose fingerprints match ``text``."""
    for profile in load_profiles():
        if profile.matches(text):
            return profile
    raise ConfigError("no profile matched, and the generic profile is missing")


def credit_role(word: str) -> str:
    """Our role name for a source's credit word (``翻译`` → ``translator``)."""
    roles = common_data().get("roles", {})
    for role, words in roles.items():
        if word in words:
            return role
    return word


def names_a_group(name: str) -> bool:
    """Whether a credited name is a group's (``_common.toml``'s ``groups``):
    ``墨尔本雅典娜农场``, ``《新闻看点》制作组``, ``NFSC News``; not
    ``东京樱花团/平安卿卿``, a group's member. A note in brackets at the
    end (``… Sailing Farm (CA)``) is not the name's end."""
    return _group_ending().search(_TRAILING_NOTE.sub("", name)) is not None


_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]$")


@cache
def _group_ending() -> re.Pattern[str]:
    endings = common_data().get("groups", {}).get("endings", [])
    latin = [re.escape(w) for w in endings if w.isascii()]
    other = [re.escape(w) for w in endings if not w.isascii()]
    parts = ([rf"(?<![A-Za-z])(?:{'|'.join(latin)})"] if latin else []) + (
        [rf"^.{{2,}}(?:{'|'.join(other)})"] if other else [])
    return re.compile(rf"(?:{'|'.join(parts)})$" if parts else "(?!)")


def publisher_for_url(url: str) -> str | None:
    """The publisher a URL's host belongs to, from ``_common.toml``'s ``publishers``."""
    host = re.sub(r"^https?://", "", url).split("/", 1)[0].lower()
    for domain, name in common_data().get("publishers", {}).items():
        if host == domain or host.endswith("." + domain):
            return name
    return None
