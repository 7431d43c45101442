"""Retention scorer for the hand-checked gold set (standard library only).

The gold set (``annotations.toml``) says, for each raw file, where the
article's own text starts and ends, which snippets inside that span are
*neutral* (credits the cleaner may drop or move), and which snippets anywhere
in the file are *boilerplate* (must not survive cleaning).

This module turns those annotations into texts and scores a cleaned body
against them.  It is deliberately simple and independent of the builder's
cleaner: it does not know any source profile, it only strips markup.

Two numbers per file:

* ``retention(gold, body)`` -- share of the gold text's letters and digits
  found, in order, in the cleaned body (1.0 = everything kept).
* ``boilerplate_left(raw, ann, body)`` -- the boilerplate snippets that still
  occur in the cleaned body (``[]`` = none left).
"""

from __future__ import annotations

import difflib
import html
import re
import tomllib
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

__all__ = [
    "visible_text",
    "gold_text",
    "neutral_text",
    "comparable",
    "retention",
    "boilerplate_left",
    "body_text_of_html",
    "markup_left",
    "load_annotations",
    "region",
    "check_annotation",
    "fixture_path",
    "read_raw",
    "ANNOTATIONS",
    "FIXTURES",
    "CHUNK",
]

ANNOTATIONS = Path(__file__).with_name("annotations.toml")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Gold texts longer than this many comparable characters are scored chunk by
# chunk (see ``retention``) so that difflib stays fast.
CHUNK = 2000

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# A tag starts with a letter, "/" or "!" right after "<", so "a < b" survives.
_TAG = re.compile(r"</?[A-Za-z!][^<>]*>?")
_CODE_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*$", re.M)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_WIKI = re.compile(r"\[\[(?:[a-z]{2,3}(?:-[A-Za-z]+)?:)?([^\]\|\n]*)(?:\|[^\]\n]*)?\]\]")
_MD_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^)\n]*\)")
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*", re.M)
_RULE = re.compile(r"^[ \t]*(?:-{3,}|\*{3,}|_{3,}|={3,})[ \t]*$", re.M)
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|`+")
_SPACE = re.compile(r"\s+")


def visible_text(raw_region: str) -> str:
    """The text a reader would see in a piece of raw markdown/HTML.

    Drops HTML comments and tags (keeping the text between tags), markdown
    images, link targets (``[t](u)`` -> ``t``), wiki-link brackets
    (``[[zh:X]]`` -> ``X``), emphasis markers, heading hashes, backticks and
    code fences, horizontal rules; unescapes HTML entities; collapses
    whitespace.
    """
    s = _COMMENT.sub(" ", raw_region)
    s = _TAG.sub(" ", s)
    s = _CODE_FENCE.sub(" ", s)
    s = _MD_IMAGE.sub(" ", s)
    s = _WIKI.sub(r"\1", s)
    # Nested brackets such as [**[title]**](url): resolve inner links first.
    for _ in range(3):
        s2 = _MD_LINK.sub(r"\1", s)
        if s2 == s:
            break
        s = s2
    s = _HEADING.sub("", s)
    s = _RULE.sub(" ", s)
    s = _EMPHASIS.sub("", s)
    s = html.unescape(s)
    # Entities may hide tags (&lt;b&gt;) -- not seen in the corpus; leave them.
    return _SPACE.sub(" ", s).strip()


def comparable(s: str) -> str:
    """NFC-normalised letters and digits only (``str.isalnum``), plus the
    combining marks (Unicode categories Mn/Mc) that are part of letters in
    Indic scripts -- otherwise Hindi/Telugu vowel signs would vanish."""
    s = unicodedata.normalize("NFC", s)
    return "".join(
        ch for ch in s if ch.isalnum() or unicodedata.category(ch) in ("Mn", "Mc")
    )


def region(raw: str, ann: dict) -> str:
    """raw[start : end inclusive], first occurrence of ``start`` and the first
    occurrence of ``end`` at or after it."""
    i = raw.index(ann["start"])
    j = raw.index(ann["end"], i)
    return raw[i : j + len(ann["end"])]


def _strip_neutral(text: str, neutral: list[str]) -> str:
    # Longest first, so a neutral snippet that contains another is removed whole.
    for snippet in sorted(neutral, key=len, reverse=True):
        text = text.replace(snippet, " ")
    return text


def gold_text(raw: str, ann: dict) -> str:
    """The article's own text: visible text of the annotated span with the
    neutral snippets removed (they are removed from the raw span first)."""
    return visible_text(_strip_neutral(region(raw, ann), ann.get("neutral", [])))


def neutral_text(raw: str, ann: dict) -> str:
    """Visible text of the neutral snippets (what a cleaner may keep besides
    the gold text)."""
    return " ".join(visible_text(s) for s in ann.get("neutral", []))


def _matched(a: str, b: str) -> int:
    if not a:
        return 0
    if a in b:
        return len(a)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in sm.get_matching_blocks())


def retention(gold: str, body_text: str) -> float:
    """Share of ``comparable(gold)`` characters found, in order, in
    ``comparable(body_text)`` (difflib matching blocks / len(gold)).

    1.0 for an empty gold.  Golds longer than ``CHUNK`` comparable characters
    are cut into consecutive chunks of ``CHUNK`` characters; each chunk is
    matched against the whole body on its own and the matched sizes are
    summed.  Order is therefore enforced within a chunk but not between
    chunks (a cleaner that swaps two long sections is not penalised).
    """
    a = comparable(gold)
    if not a:
        return 1.0
    b = comparable(body_text)
    if a in b:
        return 1.0
    if len(a) <= CHUNK:
        return _matched(a, b) / len(a)
    total = 0
    for k in range(0, len(a), CHUNK):
        total += _matched(a[k : k + CHUNK], b)
    return total / len(a)


def boilerplate_left(raw: str, ann: dict, body_text: str) -> list[str]:
    """The annotation's boilerplate snippets whose visible text (comparable
    form; snippets whose comparable form is empty are ignored) occurs in
    ``comparable(body_text)``."""
    b = comparable(body_text)
    left = []
    for snippet in ann.get("boilerplate", []):
        c = comparable(visible_text(snippet))
        if c and c in b:
            left.append(snippet)
    return left


_ATTR_URL = re.compile(r"""(?:src|href)\s*=\s*['"]([^'"]+)['"]""")


def markup_left(ann: dict, body_html: str) -> list[str]:
    """Boilerplate snippets that are pure markup (no visible text, e.g. a
    tracking pixel ``<img src=... width='0px'>``) whose src/href URL still
    occurs in the cleaned body HTML.  Text snippets are ignored here; use
    ``boilerplate_left`` for them."""
    left = []
    for snippet in ann.get("boilerplate", []):
        if comparable(visible_text(snippet)):
            continue
        urls = _ATTR_URL.findall(snippet)
        if any(u in body_html for u in urls):
            left.append(snippet)
    return left


class _TextCollector(HTMLParser):
    _SKIP = {"script", "style", "template", "noscript"}
    _BLOCK = {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
        "blockquote", "figure", "figcaption", "table", "tr", "td", "th",
        "section", "article", "header", "footer", "pre", "hr", "dd", "dt",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def body_text_of_html(body_html: str) -> str:
    """Text of a cleaned body HTML fragment (script/style skipped, block
    elements separated by newlines, whitespace collapsed per line)."""
    p = _TextCollector()
    p.feed(body_html)
    p.close()
    lines = (" ".join(line.split()) for line in "".join(p.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def load_annotations(path) -> list[dict]:
    """The ``[[file]]`` tables of an annotations TOML file, with defaults
    (``neutral = []``, ``boilerplate = []``, ``note = ""``)."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for ann in data.get("file", []):
        ann = dict(ann)
        ann.setdefault("neutral", [])
        ann.setdefault("boilerplate", [])
        ann.setdefault("note", "")
        out.append(ann)
    return out


def fixture_path(ann: dict, fixtures: Path = FIXTURES) -> Path:
    """Where the byte-identical copy of an annotated raw file lives:
    ``fixtures/seeds/NAME`` for "seeds/NAME", else ``fixtures/corpus/PATH``."""
    path = ann["path"]
    if path.startswith("seeds/"):
        return fixtures / path
    return fixtures / "corpus" / path


def read_raw(ann: dict, fixtures: Path = FIXTURES) -> str:
    """The raw file as the annotations see it: UTF-8 text, universal
    newlines (CRLF read as LF; no anchor contains a CR)."""
    return fixture_path(ann, fixtures).read_text(encoding="utf-8")


def check_annotation(raw: str, ann: dict) -> list[str]:
    """Problems with one annotation against its raw text ([] when sound):
    every anchor occurs verbatim, start precedes end, neutral snippets lie in
    the span, boilerplate snippets are absent from the gold (and neutral)
    text."""
    problems = []
    for key in ("path", "start", "end"):
        if not ann.get(key):
            problems.append(f"missing {key}")
    if problems:
        return problems
    i = raw.find(ann["start"])
    if i < 0:
        return ["start not found verbatim"]
    if raw.find(ann["end"]) < 0:
        return ["end not found verbatim"]
    if raw.find(ann["end"], i) < 0:
        return ["end does not occur after start"]
    span = region(raw, ann)
    for s in ann["neutral"]:
        if not s or s not in span:
            problems.append(f"neutral not inside [start, end]: {s!r}")
    for s in ann["boilerplate"]:
        if not s or s not in raw:
            problems.append(f"boilerplate not found verbatim: {s!r}")
    kept = gold_text(raw, ann) + " " + neutral_text(raw, ann)
    for s in boilerplate_left(raw, ann, kept):
        problems.append(f"boilerplate occurs in the article text: {s!r}")
    return problems
