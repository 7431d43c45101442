"""Extract stage: apply a source profile to a decoded file.

The result says what the file itself records — title, date at its precision,
the original URL, the outlets and the mirror in the chain, credited people —
and which part of the file is the article's body. Nothing is guessed: a field
the file does not record stays ``None``.

Pure: ``extract(text, path, provenance)`` takes a string, so tests feed it
strings.
"""

from __future__ import annotations

import functools
import html
import ipaddress
import re
import urllib.parse
from collections import Counter
from dataclasses import dataclass

from builder.models import Link, PartialDate, Person
from builder.profiles import Profile, choose_profile, common_data, credit_role, publisher_for_url

MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Extracted:
    """What a profile found in one file."""

    profile: str
    format: str
    title: str | None
    date: PartialDate | None
    original_url: str | None
    publisher: Link
    republisher: Link | None
    based_on: Link | None
    mirror: Link | None
    people: tuple[Person, ...]
    body: str
    """The part of the file that holds the article, still raw (markdown/HTML/text)."""
    drop_lines: tuple[re.Pattern[str], ...]
    drop_blocks: tuple[re.Pattern[str], ...]
    promo_links: tuple[re.Pattern[str], ...]
    promo_lines: tuple[re.Pattern[str], ...]
    drop_selectors: tuple[str, ...]
    tag_links: tuple[re.Pattern[str], ...]
    fenced_quotes: bool
    line_breaks: bool = False
    repeated_pictures_are_furniture: bool = False


def extract(text: str, provenance: dict[str, str] | None = None) -> Extracted:
    profile = choose_profile(text)
    heading = _title_match(profile, text)
    body = _body_region(profile, text, heading)
    title, from_first_line = _title(profile, heading, body)
    if from_first_line:  # the line is the title, whatever the title lost of it
        body = body.lstrip().partition("\n")[2]
    elif profile.title_from_first_line and title is not None and body.lstrip().startswith(title):
        body = body.lstrip()[len(title):]
    body, people = _credits(profile, body)
    people = _dateline_people(body) + people  # the reporters first, as the dateline opens the text
    header = _header_authors(profile, text)
    body = _without_name_lines(body, header)
    people = header + people
    original = _first_web_url(profile.original_url, text)
    publisher_name = (profile.publisher or _first_group(profile.publisher_pattern, text, "name")
                      or (publisher_for_url(original) if original else None))
    republisher = None
    if profile.republisher:
        republisher = Link(profile.republisher, _first_web_url(profile.republisher_url, text) or original)
    return Extracted(
        profile=profile.name,
        format=_format(profile, body),
        title=title,
        date=_date(profile, text),
        original_url=original,
        publisher=Link(publisher_name, _site_root(original) if original and publisher_name else None),
        republisher=republisher,
        based_on=_based_on(profile, text, original),
        mirror=_mirror(profile, text, provenance or {}),
        people=_unique(people),
        body=body,
        drop_lines=profile.drop_lines,
        drop_blocks=profile.drop_blocks,
        promo_links=profile.promo_links,
        promo_lines=profile.promo_lines,
        drop_selectors=profile.drop_selectors,
        tag_links=profile.tag_links,
        fenced_quotes=profile.fenced_quotes,
        line_breaks=profile.line_breaks,
        repeated_pictures_are_furniture=profile.repeated_pictures_are_furniture,
    )


def _body_region(profile: Profile, text: str, heading: re.Match[str] | None) -> str:
    """The body's part of ``text``; ``heading`` is the title's line (``_title_match``)."""
    start = 0
    for pattern in profile.body_start_after:
        match = pattern.search(text)
        if match:
            start = match.end()
            break
    end = len(text)
    for pattern in profile.body_end_before:
        match = pattern.search(text, start)
        if match:
            end = min(end, match.start())
    body = text[start:end]
    for pattern in profile.drop_from_line:
        match = pattern.search(body)
        if match:
            body = body[:match.start()]
    if profile.body_start_after or profile.title:
        # the title line itself is not body text; another heading in its
        # place (the first story's of a news digest) is
        title_match = next((m for p in profile.title if (m := p.search(body)) and m.start() < 400
                            and not body[:m.start()].strip()), None)
        if title_match and heading and _words(title_match.group("value")) == _words(heading.group("value")):
            body = body[title_match.end():]
    return body


def _title_match(profile: Profile, text: str) -> re.Match[str] | None:
    """The first match of the profile's title patterns, in their order, that
    holds a title (a non-empty ``value``)."""
    return next((m for p in profile.title if (m := p.search(text)) and m.group("value").strip()), None)


def _words(text: str) -> str:
    """``text``'s letters and digits, case-folded: a heading that repeats the
    title with other quotes or spaces (``战友'陪练“``, ``战友"陪练“``) is the title."""
    return re.sub(r"[\W_]+", "", text).casefold()


def _title(profile: Profile, heading: re.Match[str] | None, body: str) -> tuple[str | None, bool]:
    """The title (from ``heading``, the title's line, or else the body's
    first line), and whether it is the body's first line."""
    if heading:
        return _without_site_suffix(profile, _clean_inline(heading.group("value"))), False
    if profile.title_from_first_line:
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        if 2 <= len(first) <= 300 and not first.startswith("<"):
            return _without_site_suffix(profile, _clean_inline(first)), True
    return None, False


def _without_site_suffix(profile: Profile, title: str) -> str:
    """The headline without what the site's page title added after it (its
    section and name), unless nothing would be left."""
    for pattern in profile.title_suffixes:
        match = pattern.search(title)
        if match and match.start() > 0:
            return title[:match.start()]
    return title


def _clean_inline(value: str) -> str:
    """Plain text of a one-line markdown/HTML fragment."""
    value = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", value)
    value = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", value)
    value = re.sub(r"<[^>]+>", "", value)
    value = html.unescape(value)
    value = re.sub(r"[*_`]{1,3}", "", value) if re.fullmatch(r"[*_`]+.*[*_`]+", value.strip()) else value
    return re.sub(r"\s+", " ", value).strip()


def _format(profile: Profile, body: str) -> str:
    if profile.format != "auto":
        return profile.format
    head = body.lstrip()[:2000].lower()
    if head.startswith(("<!doctype", "<html")) or len(re.findall(r"</(?:p|div)>", head)) >= 3:
        return "html"
    if re.search(r"^(?:#{1,6}\s|[-*+]\s|\d+\.\s|>\s)|\]\(https?://|\*\*[^*\n]+\*\*", body, re.M):
        return "markdown"
    return "text"


def _date(profile: Profile, text: str) -> PartialDate | None:
    """The first rule that finds a date decides. A match on a line the
    profile drops is not the article's (GNews's logo, uploaded in one month
    and shown on posts of every other, dated 505 posts)."""
    for rule in profile.dates:
        found = [d for m in rule.pattern.finditer(text)
                 if not _on_a_dropped_line(profile, text, m) and (d := _date_from_match(m))]
        if found:
            return max(found, key=PartialDate.sort_key) if rule.pick == "latest" else found[0]
    return None


def _on_a_dropped_line(profile: Profile, text: str, match: re.Match[str]) -> bool:
    if not profile.drop_lines:
        return False
    start = text.rfind("\n", 0, match.start()) + 1
    end = text.find("\n", match.end())
    line = text[start:end if end >= 0 else len(text)].strip()
    return any(pattern.fullmatch(line) for pattern in profile.drop_lines)


def _date_from_match(match: re.Match[str]) -> PartialDate | None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    try:
        if "yy" in groups:
            year = 2000 + int(groups["yy"])
        else:
            year = _number(groups["year"])
        month = None
        if "month_name" in groups:
            month = MONTHS.get(groups["month_name"].lower())
            if month is None:
                return None
        elif "month" in groups:
            month = _number(groups["month"])
        day = _number(groups["day"]) if "day" in groups and month else None
    except (KeyError, ValueError):
        return None
    if not (1900 <= year <= 2100) or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    time = None
    if day is not None and "hour" in groups and "minute" in groups:
        hour, minute = int(groups["hour"]), int(groups["minute"])
        ampm = groups.get("ampm", "").upper()
        if ampm == "PM" and hour != 12:
            hour += 12
        elif ampm == "AM" and hour == 12:
            hour = 0
        if hour < 24 and minute < 60:
            time = f"{hour:02d}:{minute:02d}"
    return PartialDate(year, month, day, time)


def _number(value: str) -> int:
    """An Arabic or Chinese numeral: ``12``, ``二零二零`` (digit by digit), ``二十六``."""
    if value.isascii():
        return int(value)
    if "十" not in value:
        return int("".join(str(_CN_DIGITS[ch]) for ch in value))
    tens, _, units = value.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _first_group(patterns, text: str, group: str) -> str | None:
    for pattern in patterns:
        match = pattern.search(text)
        if match and match.group(group):
            return html.unescape(match.group(group).strip())
    return None


def _first_web_url(patterns, text: str) -> str | None:
    """The first ``url`` the patterns find, as ``web_url`` gives it (none when
    it is no web address)."""
    url = _first_group(patterns, text, "url")
    return web_url(url) if url else None


def web_url(url: str) -> str | None:
    """``url`` as an http(s) address a browser can follow, or ``None`` when it
    is none: it must parse, and its host must be an IP address or a domain
    name whose labels IDNA encodes as letters, digits and hyphens (a name
    whose last label is a number must be a valid IPv4 address, which is how
    browsers read it). Scraped articles put sentences, even whole
    paragraphs, where a link's address belongs; such a "link" leads nowhere,
    and ``urllib.parse`` refuses some of them outright. An address with a
    control character in it is none either (XML, and so lxml, refuses it).

    The address comes back as browsers read it: stripped, without the tabs
    and line breaks inside it, with its scheme in lower case and without
    extra slashes after it (``HTTPS:///host/`` → ``https://host/``). An
    address without a scheme (``//www.reuters.com/…``) takes ``https:``, as
    on the source's pages; without it, such images were lost.

    Most addresses have a plain ASCII host and are answered by one regular
    expression; the others are parsed, and their host encoded with Python's
    IDNA codec."""
    url = _TABS_AND_BREAKS.sub("", url.strip())
    if _CONTROL.search(url):
        return None
    if url.startswith("//") and "." in _AUTHORITY.match(url).group(1):
        url = "https:" + url  # as the source's (https) page read it; a bare name is no site
    url = _EXTRA_SLASHES.sub(r"\1//", url, count=1)
    scheme, colon, rest = url.partition(":")
    if scheme.lower() in ("http", "https") and scheme != scheme.lower():
        url = scheme.lower() + colon + rest
    return url if _plain_web_url(url) or _parses_to_a_web_host(url) else None


def _plain_web_url(url: str) -> bool:
    """The common case, in one regular expression: an http(s) address with a
    plain ASCII host name (whose last label is no number)."""
    match = _ASCII_HOST_URL.match(url)
    return bool(match) and not _ends_in_a_number(match.group("host"))


def _parses_to_a_web_host(url: str) -> bool:
    """``web_url``'s rule in full, for any address."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
        parts.port  # raises for a port that is not a number in range
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    if _ends_in_a_number(host):
        return False  # a browser reads it as an IPv4 address, and it is not one
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return _HOST_NAME.fullmatch(ascii_host) is not None


def _ends_in_a_number(host: str) -> bool:
    """Whether the last label of ``host`` is a number, which makes browsers
    read the host as an IPv4 address."""
    return _NUMBER.fullmatch(host.rstrip(".").rpartition(".")[2]) is not None


_TABS_AND_BREAKS = re.compile(r"[\t\n\r]")
_AUTHORITY = re.compile(r"//([^/?#]*)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NUMBER = re.compile(r"[0-9]+")
_EXTRA_SLASHES = re.compile(r"^(https?:)/{3,}", re.I)
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}(?:\.[A-Za-z0-9_-]{1,63})*\.?")
"""A host name as it goes on the wire: dot-separated labels of at most 63
letters, digits, hyphens (and underscores, which real subdomains use)."""
_ASCII_HOST_URL = re.compile(
    r"https?://(?:[A-Za-z0-9._~%%!$&'()*+,;=:-]*@)?(?P<host>%s)(?::[0-9]{1,4})?(?:[/?#]|$)" % _HOST_NAME.pattern,
    re.I)
"""An http(s) URL with a plain ASCII host name and user part (and a port of
up to four digits: a longer one is checked by ``urllib.parse``, which knows
its range)."""


def _site_root(url: str) -> str:
    match = re.match(r"(https?://[^/]+)", url)
    return match.group(1) + "/" if match else url


def _based_on(profile: Profile, text: str, original: str | None) -> Link | None:
    """The first source the text names that is not the original publication,
    by its address or, for a pattern without a ``url`` group, its name alone.
    Its address is read as a browser reads the markdown (``&amp;`` is ``&``);
    a name that is only the address again gives way to the publisher its
    host belongs to, when that is known. A link to a home page whose text is
    an address (``[https://…/story](https://gnews.org)``) is to that address;
    a picture's file is a picture's credit, and no source."""
    for pattern in profile.based_on:
        for match in pattern.finditer(text):
            found = match.groupdict().get("url")
            url = web_url(html.unescape(found)) if found else None  # a wire credit names no address
            name = match.groupdict().get("name")
            name = _unquoted(_clean_inline(name)) if name else None
            shown = web_url(html.unescape(name)) if name else None
            if url and shown and _is_home_page(url):  # [https://…/story](https://gnews.org): a placeholder
                url = shown
            if url == original or url and _is_picture(url):
                continue
            if not name or shown or name == url:
                name = publisher_for_url(url) if url else None
            return Link(name, url) if name or url else None
    return None


PICTURE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def _is_picture(url: str) -> bool:
    """Whether ``url`` is a picture's file (``…/a.jpg``, or a resizer's
    ``…/a.png/v1/fill/…``): a picture's credit, not the story a post is based on."""
    path = urllib.parse.urlsplit(url).path.lower()
    return path.endswith(PICTURE_EXTENSIONS) or any(f"{ext}/" in path for ext in PICTURE_EXTENSIONS)


def _is_home_page(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.path in ("", "/") and not parts.query


_QUOTED = re.compile(r"[“\"「]([^“”\"「」]+)[”\"」]|《([^《》]+)")


def _unquoted(name: str) -> str:
    """A name without the quotes around the whole of it (``“美国之音”``); a
    title's bracket that the line cut before its end is closed (``《新纪元``)."""
    match = _QUOTED.fullmatch(name)
    if not match:
        return name
    return match.group(1) or f"《{match.group(2)}》"


def _mirror(profile: Profile, text: str, provenance: dict[str, str]) -> Link | None:
    if provenance.get("repo"):
        repo, commit, path = provenance["repo"], provenance.get("commit") or "HEAD", provenance.get("path", "")
        return Link(f"{repo} on GitHub", f"https://github.com/{repo}/blob/{commit}/{path}")
    url = _first_web_url(profile.mirror_url, text)
    if url:
        match = re.match(r"https://github\.com/([^/]+/[^/]+)", url)
        name = profile.mirror or (f"{match.group(1)} on GitHub" if match else None)
        return Link(name, url)
    return None


MAX_CREDIT_LINE = 160
"""A credit line is short; longer lines are body text and are not examined."""


def _credits(profile: Profile, body: str, listed: frozenset[str] = frozenset()) -> tuple[str, list[Person]]:
    """Credit lines become people with roles and leave the body. Where the
    profile says so, the pictures after the credits that end a post go too
    (``_without_signoff``). In HTML, a line is what the reader sees as one:
    the Epoch Times sets a link on lines of its own, inside a credit too
    (``《\n<ok href=…>\n方菲访谈\n</ok>\n》制作组``).

    A label that opens ``LISTED_LABEL_LINES`` credit lines or more, of
    different names, is a list's: the author of each story of a digest, each
    winner of a prize (``作者：甲  奖励…``). Those lines are the post's text
    and credit no one (``listed``: the labels found so, for the second pass
    that keeps them). One name under one label again and again (the editor
    of each clip of a compilation) is a credit, once."""
    people: list[Person] = []
    kept: list[str] = []
    last_credit = None  # how many lines were kept when the last credit line was met
    lines = body.split("\n")
    in_html = _format(profile, body) == "html"
    lines_of_label: Counter[str] = Counter()
    names_of_label: dict[str, set[str]] = {}
    i = decided = 0  # the lines before ``decided`` are kept or gone for good
    while i < len(lines):
        line = lines[i]
        if not ("》" in line or _may_be_credit(line)) or _one_tag(line):  # (most lines; a tag's address)
            kept.append(line)
            i += 1
            continue
        start, end = _shown_line(lines, i, decided) if in_html else (i, i + 1)
        found = _credit_people(profile, lines[start:end])
        if found and {p.role for p in found} == {"commentator"} and not _beside_a_credit(profile, lines, start, end):
            found = None  # "<h4>评论：中共现在是回光返照</h4>", "**评论：中共必亡**": a commentary's headline
        if found is not None:
            label = _credit_label(lines[start:end])
            lines_of_label[label] += 1
            names_of_label.setdefault(label, set()).update(person.name for person in found)
            if label in listed:
                found = None
        if found is None:
            kept += lines[i:end]
        else:
            del kept[len(kept) - (i - start):]  # the line's start, kept as lines of no credit
            kept += _emptied_links(lines[start:end]) if end - start > 1 else []
            people += found
            last_credit = len(kept)
        i = decided = end
    repeated = frozenset(label for label, count in lines_of_label.items()
                         if count >= LISTED_LABEL_LINES and len(names_of_label[label]) > 1)
    if repeated and not listed:
        return _credits(profile, body, repeated)
    if profile.pictures_after_credits_are_furniture and last_credit is not None:
        kept = _without_signoff(kept, last_credit)
    return "\n".join(kept), people


def _beside_a_credit(profile: Profile, lines: list[str], start: int, end: int) -> bool:
    """Whether the nearest line with text before ``lines[start]`` or after
    ``lines[end - 1]`` is a credit: a commentator's credit alone
    (``评论：Jenny Ball``) stands among the post's other credits, a
    commentary's headline (``评论：中共必亡``) among its text."""
    before = (line for line in reversed(lines[:start]) if _plain(line))
    after = (line for line in lines[end:] if _plain(line))
    return any(_credit_people(profile, [line]) for line in (next(before, None), next(after, None)) if line)


LISTED_LABEL_LINES = 3
"""Credit lines opened by one label from which on they are a list's, not
the post's credits, which give each label once (and roles of one kind
under different labels: 策划, 剪辑, 监制)."""


def _credit_label(lines: list[str]) -> str:
    """The label a credit line (one line as shown) opens with: its text up to
    the first colon or dash."""
    text = without_wiki_links(_flat_text("\n".join(lines)))
    return re.split(r"[:：–]", text, maxsplit=1)[0].strip(" *#_")


def _credit_people(profile: Profile, lines: list[str]) -> list[Person] | None:
    """The people credited, when ``lines`` (one line as shown, holding a
    line that may be a credit: a ``》`` or a credit's separator in it) are a
    credit."""
    if len(lines) == 1:
        line = lines[0]
        plain = _plain(line)
        if "》" in line and _PROGRAMME_CREDIT.fullmatch(plain):
            return [Person(plain.rstrip("#＃"), "producer")]
        if not _may_be_credit(line):
            return None
    else:
        plain = _flat_text("\n".join(lines))
        if "》" in plain and _PROGRAMME_CREDIT.fullmatch(plain):
            return [Person(plain.rstrip("#＃"), "producer")]
    if not (":" in plain or "：" in plain or " – " in plain or " -" in plain) or len(plain) > MAX_CREDIT_LINE:
        return None
    if "[[" in plain:  # 责任编辑：[[zh:陈真]] is 责任编辑：陈真, as the page shows it
        plain = without_wiki_links(plain)
    found = credit_line(plain)
    if found is None:
        for credit in profile.credits:
            match = credit.pattern.fullmatch(plain)
            if match:
                found = [(credit_role(match.group("role")), n) for n in _names(match.group("name"))]
                break
    if found is None:
        return None
    found = [(role, _NOTE_OF_A_SENTENCE.sub("", name) or name) for role, name in found]
    if any(_SENTENCE_MARK.search(name) for _, name in found):
        return None
    return [Person(name, role) for role, name in found]


_NOTE_OF_A_SENTENCE = re.compile(r"\s*[（(][^（）()]*[。？！?!][^（）()]*[）)]$")
"""A note in brackets after a name that is a sentence, a writer's motto:
``本文作者：Rebecca (一切心皆不可得！)`` credits Rebecca."""


_WIKI_LINK = re.compile(r"\[\[(?:[a-z]{2,3}(?:-[A-Za-z]+)?:)?([^\[\]|]+?)(?:\|([^\[\]]+))?\]\]")
"""Wiki-link debris (GNews): ``[[zh:word]]`` and ``[[word|label]]``, shown as their words."""


def without_wiki_links(text: str) -> str:
    """``text`` with its wiki-link debris replaced by the words it shows."""
    return _WIKI_LINK.sub(lambda m: m.group(2) or m.group(1), text)


SHOWN_ATTRIBUTE = "data-shown"
"""Where a link emptied of its text (``_emptied_links``) keeps that text."""


def _emptied_links(lines: list[str]) -> list[str]:
    """The links of a credit that goes, as one line as shown (``lines``),
    emptied: a link to a tag page still tags the article, by the name it
    showed (kept in ``SHOWN_ATTRIBUTE``; the sanitizer removes it)."""
    kept = []
    for n, line in enumerate(lines):
        if not _one_tag(line):
            continue
        text = lines[n + 1].strip() if n + 1 < len(lines) else ""
        if not line.lstrip().startswith("</") and text and "<" not in text:
            shown = text.replace('"', "&quot;")  # (the text is HTML already: its entities stay as they are)
            line = f'{line.rstrip()[:-1]} {SHOWN_ATTRIBUTE}="{shown}">'
        kept.append(line)
    return kept


def _one_tag(line: str) -> bool:
    """Whether the line is one tag and no text (``<ok href="https://…">``)."""
    stripped = line.strip()
    return stripped[:1] == "<" and stripped[-1:] == ">" and stripped.count("<") == 1


def _shown_line(lines: list[str], i: int, floor: int) -> tuple[int, int]:
    """The source lines ``[start, end)`` of HTML that a reader sees as one
    line with line ``i`` (not before ``floor``)."""
    start, end = i, i + 1
    while start > floor and _runs_on(lines[start - 1], lines[start]):
        start -= 1
    while end < len(lines) and _runs_on(lines[end - 1], lines[end]):
        end += 1
    return start, end


def _runs_on(line: str, following: str) -> bool:
    """Whether ``following`` goes on with ``line``'s text: one of them has an
    inline tag (a link, an emphasis) at their meeting, and neither starts or
    ends with a block tag or a line break."""
    line, following = line.strip(), following.strip()
    if not line or not following or line[-1] != ">" and following[0] != "<":
        return False
    meets = (_edge_tag(line, -1), _edge_tag(following, 0))
    return ("inline" in meets and "block" not in meets
            and _edge_tag(line, 0) != "block" and _edge_tag(following, -1) != "block")


_BLOCK_LINES = frozenset(("<p>", "</p>", "<br/>", "<br>", "<div>", "</div>", "<li>", "</li>", "<center>", "</center>"))
INLINE_TAGS = frozenset(("ok", "a", "span", "font", "strong", "b", "em", "i", "u"))
"""Tags that a pretty-printed page may set on lines of their own in mid-sentence
(a link, a pseudo-link, an emphasis)."""
_FIRST_TAG = re.compile(r"</?([A-Za-z][\w-]*)")
_LAST_TAG = re.compile(r"</?([A-Za-z][\w-]*)[^<>]*>$")


def _edge_tag(line: str, edge: int) -> str | None:
    """"inline", "block" (any other tag, a comment) or None: what the line
    starts (``edge`` 0) or ends (-1) with."""
    if not line or line[edge] != ("<" if edge == 0 else ">"):
        return None
    if line in _BLOCK_LINES:  # (most tag lines of a pretty-printed page)
        return "block"
    match = _FIRST_TAG.match(line) if edge == 0 else _LAST_TAG.search(line)
    return "inline" if match and match.group(1).lower() in INLINE_TAGS else "block"


_PICTURES_ONLY = re.compile(r"\s*(?:(?:\[\s*)?!\[[^\]\n]*\]\([^)\n]*\)(?:\s*\]\([^)\n]*\))?\s*)+")
"""A line of markdown pictures only, perhaps each a link."""


def _without_signoff(lines: list[str], end: int) -> list[str]:
    """``lines`` without the pictures after the credits (which ended at line
    ``end``) when nothing but one or two pictures follows them and text
    comes before them: a post's sign-off, the group's banner or QR code,
    which goes from the lines of pictures above too (a banner often opens
    the post as well). A post of pictures whose credits come first, or with
    more pictures after them, keeps them."""
    tail = [line for line in lines[end:] if line.strip() and not _THEMATIC_BREAK.fullmatch(line)]
    urls = [url for line in tail for url in _PICTURE_URL.findall(line)]
    if not 1 <= len(urls) <= MAX_SIGNOFF_PICTURES or not all(_PICTURES_ONLY.fullmatch(line) for line in tail):
        return lines
    if not any(line.strip() and not _PICTURES_ONLY.fullmatch(line) for line in lines[:end]):
        return lines
    signoff = set(urls)
    kept = []
    for line in lines[:end]:
        found = _PICTURE_URL.findall(line)
        if _PICTURES_ONLY.fullmatch(line) and signoff.issuperset(found):
            continue
        if signoff.intersection(found):  # the banner on a line with a photo of the post's
            line = _MARKDOWN_PICTURE.sub(lambda m: "" if m.group(1) in signoff else m.group(), line)
        kept.append(line)
    return kept


_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
"""A markdown rule (``* * *``, ``---``): it may set a sign-off apart from the credits."""

MAX_SIGNOFF_PICTURES = 2
"""A sign-off is a banner or a QR code, or both: more pictures after the
credits are a post's photos."""

_PICTURE_URL = re.compile(r"!\[[^\]\n]*\]\(\s*([^)\s]+)")
_MARKDOWN_PICTURE = re.compile(_PICTURE_URL.pattern + r"[^)\n]*\)")
"""A whole picture, as ``_PICTURE_URL`` finds its address, to the bracket that closes it."""


_PROGRAMME_CREDIT = re.compile(r"[^\s《》]{0,12}《[^》\n]{1,20}》\s*(?:制作组|製作組|节目组|節目組)[#＃]?")
"""A video programme's sign-off, ``《新闻看点》制作组``: its producers (with
the Epoch Times' end mark, ``#``, after it when it ends the article)."""

_SENTENCE_MARK = re.compile(r"[。？！?!“”]")
"""A name does not end a sentence or quote one: ``记者：拍摄过程中，遇到哪些困难？``
is an interviewer's question."""


_TAG = re.compile(r"<[^>]+>")


def _without_name_lines(body: str, people: list[Person]) -> str:
    """The body without the lines that are only the name of someone the
    header credits: the byline repeated, or a signature. GNews video posts
    whose video was not mirrored hold nothing else, and the name then stood
    as the article's text. The name may be written otherwise: with other
    spaces and dashes (``加拿大温哥华扬帆农场 – 蓝枫法律`` for
    ``加拿大温哥华扬帆农场蓝枫法律``), or in part, at least half of it
    (``德国纽伦堡正义农场`` for ``喜马拉雅德国纽伦堡正义农场``)."""
    names = {loose for person in people if (loose := _loose(person.name))}
    if not names:
        return body
    longest = max(map(len, names))
    return "\n".join(line for line in body.split("\n")
                     if not (len(line.strip()) <= 3 * longest and _names_one_of(_loose(_plain(line)), names)))


def _names_one_of(loose: str, names: set[str]) -> bool:
    return loose in names or len(loose) >= MIN_NAME_PART and any(
        loose in name and 2 * len(loose) >= len(name) for name in names)


def _loose(name: str) -> str:
    """A name without its spaces and dashes, which sources write as they
    like, and the marks of a heading or emphasis (``#### **…**``)."""
    return _SPACES_AND_DASHES.sub("", name)


_SPACES_AND_DASHES = re.compile(r"[\s\-–—|｜#*]+")
MIN_NAME_PART = 4
"""The shortest part of a name taken for it (``纽约`` is not ``纽约香草山``)."""


def _plain(line: str) -> str:
    """A line's text without tags, entities, zero-width spaces or the outer spaces."""
    return html.unescape(_TAG.sub("", line)).replace("\xa0", " ").replace("\u200b", "").strip()


def _may_be_credit(line: str) -> bool:
    """False for a line whose plain text cannot hold a credit separator (a
    colon or a dash after a space): it has neither one nor an entity that
    could become one. Most lines of a body; they skip the tag stripping."""
    return ":" in line or "：" in line or "–" in line or " -" in line or "&" in line


def credit_line(line: str) -> list[tuple[str, str]] | None:
    """(role, name) pairs when the whole line is credits — ``素材：A  翻译：B
    编辑：C  发布：D``, ``视频剪辑：CG.| 听写：E``, ``编辑、发布：F``,
    ``校对/审核 -坐看云起时``, ``（编辑：菜园子）`` — else None."""
    start = _BEFORE_A_LABEL.match(line).end()
    if not _may_open_a_label(line[start:start + 1]):
        return None  # (most lines with a colon: what follows makes no label of their start)
    line = re.sub(r"^[#*_\s]+|[*_\s]+$", "", line)  # a credit written as a heading is one too
    line = _IN_BRACKETS.sub(r"\1", line)
    line = _SPACED_LABEL.sub(lambda m: "".join(m.group().split()), line)  # "播  报：" is "播报："
    line = _BY.sub("撰稿：", line, count=1)  # "By:**秘翻新闻**" (GNews), its author
    labels = list(_credit_labels().finditer(line))
    if not labels or labels[0].start() != 0:
        return None
    pairs: list[tuple[str, str]] = []
    for label, following in zip(labels, labels[1:] + [None]):
        name = line[label.end():following.start() if following else len(line)]
        # the end mark of an article (＃, ◇) may follow the last name, a
        # slash the next credit (``封面合成：文粤 / 发布：…``), and the emphasis
        # of a bold label (``**编辑：**翼族``) or name (``发布：*陶子*``) be left
        name = re.sub(r"^[\s|｜;；,，*/／]+|[\s|｜;；,，#＃◇◆*_/／]+$", "", name)
        if not _credit_names(name):
            return None
        roles = _role_word().findall(label.group("roles"))
        if _commentary_words().intersection(roles) and _COMMA_OR_NOTHING.fullmatch(name):
            return None  # "简评：" over the commentary, or its first clause: no one's credit
        for role in roles:
            pairs += [(credit_role(role), n) for n in _names(name)]
    return pairs


_BEFORE_A_LABEL = re.compile(r"[#*_\s]*[（(]?")
"""What ``credit_line`` may take away before a line's first label: a
heading's or emphasis's marks and spaces, and the bracket of a credit in
brackets."""


def _may_open_a_label(char: str) -> bool:
    """Whether a label (see ``_credit_labels``) may start with ``char``: an
    English letter (``By``, a prefix) or the first character of a role word."""
    return char.isascii() and char.isalpha() or char in _label_starts()


@functools.cache
def _label_starts() -> frozenset[str]:
    return frozenset(word[0] for word in _role_words())


_COMMA_OR_NOTHING = re.compile(r"|.*[,，、].*")
"""What follows a label that heads a post's commentary when it is no name."""


@functools.cache
def _commentary_words() -> frozenset[str]:
    """The words for the writer of a post's commentary (``评论``, ``简评``),
    which, with no name after them or a clause, head the commentary."""
    return frozenset(common_data().get("roles", {}).get("commentator", ()))


_IN_BRACKETS = re.compile(r"^[（(]([^（()）]+)[）)]$")
"""A line in round brackets, as a credit set apart from the text is."""

_BY = re.compile(r"^(?:By|BY)\s*[:：](?=[^,.，。]*$)")
"""An English byline's label, before a name (no sentence: "By: the end of 2025, …")."""

_SPACED_LABEL = re.compile(r"^[\u4e00-\u9fff](?:[^\S\n]+[\u4e00-\u9fff]){1,3}(?=\s*[:：])")
"""A label spaced out to the width of longer ones: ``播  报：``, ``编　辑：``."""

_NAME_SEPARATOR = re.compile(r"\s*[、,，；;]\s*")


def _credit_names(name: str) -> bool:
    """Whether what follows a credit label can be names: at most 40
    characters and no colon; or a longer list of short names set apart by
    semicolons or 、, never by commas (a long run of clauses is a sentence)."""
    if re.search(r"[:：]", name):
        return False
    if len(name) <= 40:
        return True
    return not re.search(r"[,，]", name) and all(len(n) <= 20 for n in _NAME_SEPARATOR.split(name))


def _names(value: str) -> list[str]:
    """The names a credit gives, without the brackets that wrap a whole one
    (``【英国伦敦喜庄园编辑部】``)."""
    value = re.sub(r"\\([\\`*_{}\[\]()#+.!|~<>-])", r"\1", value)  # markdown's escapes: G\_Hope
    return [_BRACKETED.sub(r"\1", n) for n in _split_names(_clean_inline(value)) if n]


def _split_names(value: str) -> list[str]:
    """``value`` split at the separators of names, except inside brackets:
    ``雅典娜情报组（翼族、BENJ1）`` is one group, named with its members."""
    if not _OPENING_BRACKET.search(value):
        return _NAME_SEPARATOR.split(value)
    names, start, depth = [], 0, 0
    for match in _SEPARATOR_OR_BRACKET.finditer(value):
        mark = match.group()
        if mark in _OPENING_BRACKETS:
            depth += 1
        elif mark in _CLOSING_BRACKETS:
            depth = max(depth - 1, 0)
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    if depth:  # a bracket left open (``甲（乙、丙``): no group to keep whole
        return _NAME_SEPARATOR.split(value)
    return names + [value[start:]]


_OPENING_BRACKETS = "（(【《"
_CLOSING_BRACKETS = "）)】》"
_OPENING_BRACKET = re.compile(f"[{_OPENING_BRACKETS}]")
_SEPARATOR_OR_BRACKET = re.compile(rf"{_NAME_SEPARATOR.pattern}|[{_OPENING_BRACKETS}{_CLOSING_BRACKETS}]")


_BRACKETED = re.compile(r"^【([^【】]+)】$")


@functools.cache
def _credit_labels() -> re.Pattern[str]:
    """A label of one role or several (``校对/审核``, ``编辑丨发布``,
    ``视频制作及上传``, ``编辑和发布``, ``审核编辑``), then a
    colon or a dash after a space. A label starts the line or follows a separator,
    or, when a colon ends it, follows the name before it directly:
    ``翻译：哈哈编辑：李易通``."""
    role = _role_word().pattern
    # two roles: a separator with the spaces around it, one space (``编译 发布``)
    # or nothing at all (``审核编辑``); a run of spaces would let a run of
    # them split many ways
    roles = rf"{role}(?:\s*[/／、,，+&丨及和与與]\s*{role}|[ \u3000]?{role})*"
    # where no separator comes first, the role words are tried only at their
    # first characters: trying them all at every character of a line was a
    # third of the time spent on credits
    first = "".join(sorted({word[0] for word in _role_words()}))
    return re.compile(rf"(?:^|(?<=[\s|｜;；])|(?=[{re.escape(first)}])(?=(?:{roles})\s*[:：]))"
                      rf"(?:[A-Za-z][A-Za-z-]*)?(?P<roles>{roles})\s*(?:[:：]+|\s[–-](?=\s*[^\W\d_]))\s*")


@functools.cache
def _role_words() -> tuple[str, ...]:
    """The source's words for roles (not the English ones), the longest first."""
    return tuple(sorted({w for ws in common_data().get("roles", {}).values() for w in ws if not w.isascii()},
                        key=len, reverse=True))


@functools.cache
def _role_word() -> re.Pattern[str]:
    """One of the source's words for a role, the longest first."""
    return re.compile("(?:" + "|".join(map(re.escape, _role_words())) + ")")


_DATELINE_REACH = 2000
"""A dateline opens the body; its figure and the figure's caption may come first."""


_DATELINE_WORDS = ("记者", "記者", "专栏作家", "專欄作家", "英文大纪元", "英文大紀元",
                   "美联社", "美聯社", "路透社", "法新社", "中央社", "编译", "編譯")
"""Words one of which every dateline ``_reporter_pattern`` or
``_translator_pattern`` reads holds."""


def _dateline_people(body: str) -> list[Person]:
    """The reporters (and translators) a Chinese news dateline credits, read
    from the text: the Epoch Times links a place in it to its tag page, on
    lines of their own (``（大纪元记者林丹\n<ok href=…>\n纽约\n</ok>\n报导）``)."""
    head = body[:_DATELINE_REACH]
    if not any(word in head for word in _DATELINE_WORDS):
        return []
    if "[[" in head:  # （[[zh:大纪元]]记者…报导）, as GNews reposts write it
        head = without_wiki_links(head)
    match = _reporter_pattern().search(head)
    if not match:
        flat = _flat_text(head)  # (once: the translator's dateline is read in it too)
        match = _reporter_pattern().search(flat)
    if not match:
        match = _translator_pattern().search(head) or _translator_pattern().search(flat)
        return [Person(name, "translator") for name in _reporter_names(match.group("names"))] if match else []
    people = [Person(name, "author") for name in _reporter_names(match.group("names") or "")]
    if match.group("translators"):
        people += [Person(name, "translator") for name in _reporter_names(match.group("translators"))]
    return people


_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_AT_WIDE = re.compile(rf"(?<=[{_WIDE}])\s+|\s+(?=[{_WIDE}])")


def _flat_text(fragment: str) -> str:
    """The text of an HTML or markdown fragment on one line: no tags, and
    no space beside a Chinese character or full-width mark (the source's
    line breaks between them are layout)."""
    text = html.unescape(_TAG.sub("", fragment)) if "<" in fragment or "&" in fragment else fragment
    return " ".join(_SPACE_AT_WIDE.sub("", text).split())


def _reporter_names(value: str) -> list[str]:
    """The names in a dateline's credit, without the place they run into:
    ``林达美国纽约`` is 林达 (美国纽约 is the place), ``姜琳达洛杉矶`` is 姜琳达,
    ``李梅橙县布雷亚`` is 李梅 (a listed place, then a town in it), ``Nicole
    Hao纽约`` is Nicole Hao. A second reporter's title (``、特约记者张东旭``),
    the kind of report after a name (``侯骏霖简讯``) and ``和`` between two
    Latin names (``Hannah Ng和Steve Lance``) part no name. A slash parts a
    Latin name and a Chinese one (``Andrew Thornebrooke/陈霆``); else what
    follows the last slash is a place (``陈昀／台北``, ``吴正庭／金门``,
    ``Frank Fang/Taipei``) or the kind of report (``王某/摄影``), and goes.
    A Chinese name has two or three characters; one that no place follows
    and that is longer is not guessed at."""
    names = []
    value = value.replace("\u200b", "").replace("\xa0", " ").strip()
    after_slash = _AFTER_A_SLASH.search(value)
    if after_slash and not (_LATIN_NAME_END.search(value, 0, after_slash.start())
                            and _WIDE_START.match(after_slash.group("after"))):
        value = value[:after_slash.start()]  # the place (``陈昀／台北``), not a second name
    for part in _REPORTER_SEPARATOR.split(value):
        part = _REPORT_KIND.sub("", _REPORTER_TITLE.sub("", part))
        latin = _LATIN_NAME.match(part)
        if latin:
            if latin.end() == len(part) or _is_place(part[latin.end():].strip()):
                names.append(latin.group().strip())
            continue
        # a place as listed before one that starts with a listed one:
        # 李文新北卡 is 李文新 in 北卡, not 李文 in 新北
        for length, exact in ((2, True), (3, True), (2, False), (3, False)):
            name, place = part[:length], part[length:]
            if len(part) >= 2 and (not place and length == len(part) or place and _is_place(place, exact)):
                if not _is_place(name):  # (明慧记者站美国华盛顿DC报道): the bureau's place
                    names.append(name)
                break
    return names


_LATIN = "A-Za-z\u00c0-\u024f"
_LATIN_NAME = re.compile(rf"[{_LATIN}][{_LATIN} .'-]*[{_LATIN}.]")
_REPORTER_SEPARATOR = re.compile(rf"\s*[、，,／/╱]\s*|(?<=[{_LATIN}.])\s*和\s*(?=[{_LATIN}])")
_AFTER_A_SLASH = re.compile(r"\s*[／/╱]\s*(?P<after>[^／/╱]*)$")
_LATIN_NAME_END = re.compile(rf"[{_LATIN}.]\s*$")
_WIDE_START = re.compile(rf"[{_WIDE}]")
_REPORTER_TITLE = re.compile(r"^(?:站(?!长|長)|专题部|專題部)?(?:特约|特約)?(?:记者|記者)?")
"""What comes before a name in a dateline: the rest of ``记者站``, a
desk, a title (``（大纪元记者钟元、特约记者张东旭台北报导）``)."""
_REPORT_KIND = re.compile(r"(?:简讯|簡訊|连线|連線|专题|專題|分析|综述|綜述|(?:综合|綜合)?(?:外电|外電))$")
"""A kind of report between the name and ``报导``: ``（大纪元记者侯骏霖简讯报导）``,
``【健康醫療網／記者鄭宜芬外電報導】`` (from the wires)."""


def _is_place(text: str, exact: bool = False) -> bool:
    """A city or state of the dateline list, perhaps (unless ``exact``) with
    a town in it after it, or a country's name with perhaps a city after it."""
    from builder.classify import is_country_name
    cities = _dateline_cities()
    if text in cities if exact else text.startswith(cities):
        return True
    return any(is_country_name(text[:n]) and (n == len(text) or text[n:] in cities or len(text) - n >= 2)
               for n in range(2, min(len(text), 5) + 1))


@functools.cache
def _reporter_pattern() -> re.Pattern[str]:
    return re.compile(common_data()["datelines"]["reporter"])


@functools.cache
def _translator_pattern() -> re.Pattern[str]:
    return re.compile(common_data()["datelines"]["translator"])


@functools.cache
def _dateline_cities() -> tuple[str, ...]:
    return tuple(common_data()["datelines"]["cities"])


def _header_authors(profile: Profile, text: str) -> list[Person]:
    name = _first_group(profile.authors_pattern, text, "name")
    return [Person(name, "author")] if name else []


def _unique(people: list[Person]) -> tuple[Person, ...]:
    seen: set[Person] = set()
    out = []
    for person in people:
        if person not in seen:
            seen.add(person)
            out.append(person)
    return tuple(out)
