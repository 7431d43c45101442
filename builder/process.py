"""Per-article work: raw bytes (+ sidecar, + settings) → article record and body.

``process_source`` runs decode → extract → clean → classify for one file. It
is a pure function of its arguments, which is what lets the build run it in
worker processes and cache its results.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from slugify import slugify

from builder import classify
from builder.clean import clean
from builder.errors import InputError
from builder.extract import Extracted, extract
from builder.models import Article, Link, PartialDate, Person, Skip, SourceFile
from builder.read import decode, read_source

SUMMARY_CHARS = 220


@dataclass(frozen=True)
class Processed:
    article: Article
    body_html: str
    timings: tuple[tuple[str, float], ...]


def process_file(content_dir: Path, path: Path, provenance: dict[str, str] | None,
                 vocabulary_path: Path | None = None) -> Processed | Skip:
    """Read and process one file; a file that cannot become an article is a
    ``Skip`` naming it (and its line, when known) and what was expected."""
    try:
        return process_source(read_source(content_dir, path, provenance), vocabulary_path)
    except InputError as error:
        return Skip(error.path if error.line is None else f"{error.path}:{error.line}", error.stage, error.message)


def process_source(source: SourceFile, vocabulary_path: Path | None = None) -> Processed:
    """Raises ``InputError`` when the file cannot become an article."""
    clock = _Clock()
    text = decode(source)
    clock.lap("read")
    found = extract(text, source.provenance_dict)
    found = _apply_sidecar_to_extracted(found, source)
    clock.lap("extract")
    body = clean(found)
    clock.lap("clean")
    sidecar = source.sidecar_dict
    title = str(sidecar.get("title") or found.title or _fallback_title(body.text) or "")
    if not title:
        raise InputError(source.rel_path, "extract",
                         f"no title and no article text (read as {found.profile}, {found.format}): "
                         f"expected a heading or a first line")
    language = str(sidecar.get("language") or classify.detect_language(_prose(body.text, body.linked), title))
    vocab = classify.vocabulary(vocabulary_path)
    if "countries" in sidecar:
        countries = tuple((str(c).upper(), 1) for c in sidecar["countries"])
    else:
        countries = classify.countries_of(title, body.text, language)
    tags = classify.tags_of(title, body.text, language, body.source_tags, vocab)
    if "tags" in sidecar:
        tags = tuple(sorted(set(tags) | {vocab.key_for_term(t) or t for t in sidecar["tags"]}))
    clock.lap("classify")
    article = Article(
        source_path=source.rel_path,
        sha256=source.sha256,
        slug=str(sidecar.get("slug") or permalink_slug(source.rel_path)),
        raw_url="raw/" + source.rel_path,
        raw_size=len(source.raw),
        title=title,
        language=language,
        profile=found.profile,
        date=found.date,
        publisher=found.publisher,
        original_url=found.original_url,
        republisher=found.republisher,
        based_on=found.based_on,
        mirror=found.mirror,
        people=found.people,
        tags=tags,
        countries=countries,
        summary=summarise(body.text, body.captions, title),
        image=body.image,
        word_count=_word_count(body.text),
        signature=story_signature(body.text),
        notes=() if body.text.strip() else ("no article text: the file holds only a title and credits",),
        listed=sidecar.get("listed", False),
    )
    return Processed(article, body.html, clock.laps)


def _prose(text: str, linked: frozenset[str]) -> str:
    """The body's text without the text of its links that are headlines (of
    ``HEADLINE_CHARS`` or more; a linked word is the sentence's): a Chinese
    post that cites a Japanese headline is not Japanese."""
    for headline in linked:
        if len(headline) >= HEADLINE_CHARS:
            text = text.replace(headline, "\n")
    return text


HEADLINE_CHARS = 10


def permalink_slug(rel_path: str) -> str:
    """The article's permanent URL path (without ``.html``) from its file path:
    each folder and the file name (without extension) made URL-safe."""
    posix = PurePosixPath(rel_path)
    parts = [*posix.parts[:-1], posix.stem if posix.suffix else posix.name]
    return "/".join(map(_slug_of_part, parts))


@functools.lru_cache(maxsize=4096)
def _slug_of_part(part: str) -> str:
    """One name of the path made URL-safe. The folders repeat from file to
    file (the 28,978 bench files are in 41 folders): python-slugify took 39
    us a file's path, 15 us with the folders' names memoised."""
    return slugify(part, allow_unicode=True) or "x"


def parse_sidecar_date(value: str) -> PartialDate | None:
    match = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", value)
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
        return None
    return PartialDate(year, month, day)


def _apply_sidecar_to_extracted(found: Extracted, source: SourceFile) -> Extracted:
    sidecar = source.sidecar_dict
    if not sidecar:
        return found
    changes: dict[str, object] = {}
    if "date" in sidecar:
        date = parse_sidecar_date(str(sidecar["date"]))
        if date is None:
            raise InputError(source.rel_path, "read",
                             f"sidecar date {sidecar['date']!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
        changes["date"] = date
    if "source_url" in sidecar:
        changes["original_url"] = str(sidecar["source_url"])
    if "publisher" in sidecar:
        changes["publisher"] = Link(str(sidecar["publisher"]), found.publisher.url)
    if "authors" in sidecar:
        changes["people"] = tuple(Person(str(a), "author") for a in sidecar["authors"]) + tuple(
            p for p in found.people if p.role != "author")
    return replace(found, **changes)


def _fallback_title(text: str) -> str | None:
    first = text.strip().split("\n", 1)[0]
    return first[:120].rstrip() + ("…" if len(first) > 120 else "") if first else None


_DATELINE = re.compile(
    r"【[^】\n]{0,30}?(?:\d{1,4}|[〇零一二三四五六七八九十]{1,4})[年月日][^】\n]{0,20}】\s*"
    r"(?:[（(][^）)\n]{0,40}?(?:记者|記者|报道|報道|报导|報導)[^）)\n]{0,20}[）)]\s*)?")
"""A Chinese news dateline, ``【大纪元2021年06月17日讯】（大纪元记者X纽约报导）``
or ``【明慧网二零一九年五月十日】``: the outlet and the date, then perhaps the
reporter and the place."""


def summarise(text: str, captions: frozenset[str] = frozenset(), title: str = "") -> str:
    """The opening of the article's text, cut at a sentence's end near
    ``SUMMARY_CHARS``. It is the article's own prose: a list shows the date,
    the title and the picture beside it, so the figure captions, a first line
    that repeats the title, the dateline and lines that are only an address
    (a video's file, a source's link) are left out. When nothing else is
    left, the captions are the summary; a dateline alone is none."""
    lines = [line for line in text.split("\n") if line not in captions and not _ADDRESS_LINE.fullmatch(line)]
    if lines and lines[0] == title:
        del lines[0]
    return _shorten(_without_dateline("\n".join(lines))) or _shorten(_without_dateline(text))


_ADDRESS_LINE = re.compile(r"\s*(?:https?://|www\.)[!-~]*(?:[/=?#&][^\x00-\x7f]\S*)?[\s\u200b\ufeff]*",
                           re.IGNORECASE)
"""A line that is only an address. Letters of other scripts belong to the
address only as a path's segment or a query's value (``…/wiki/中南海``,
``…?s=疫苗``): prose run on after the address (``https://t.co/a会议开幕。``)
keeps the line. A zero-width space may follow, as after a pasted link."""


def _without_dateline(text: str) -> str:
    dateline = _DATELINE.match(text)
    return text[dateline.end():] if dateline else text


def _shorten(text: str) -> str:
    flat = " ".join(text.split())  # whitespace runs as one space: split() splits on exactly \s
    if len(flat) <= SUMMARY_CHARS:
        return flat
    cut = flat[:SUMMARY_CHARS]
    stop = max(cut.rfind(ch) for ch in "。！？.!?")
    if stop > SUMMARY_CHARS // 2:
        return cut[:stop + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > SUMMARY_CHARS // 2 else cut) + "…"


def story_signature(text: str) -> tuple[int, tuple[str, ...]]:
    """Paragraph count and the distinct numbers of a body, in order of first use."""
    paragraphs = sum(1 for line in text.split("\n") if line.strip())
    numbers = tuple(dict.fromkeys(re.findall(r"\d+(?:[.,]\d+)?", text)))[:40]
    return paragraphs, numbers


_WIDE_RUN = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af]+")
_WORD = re.compile(r"[^\W\d_\u2e80-\u9fff\uac00-\ud7af]+")


def _word_count(text: str) -> int:
    """Words of spaced scripts plus characters of CJK text (each counts as a word).
    ``subn`` counts the words without building a list of them; CJK
    characters are counted by runs, a tenth as many matches as characters."""
    return _WORD.subn("", text)[1] + sum(map(len, _WIDE_RUN.findall(text)))


class _Clock:
    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.laps: tuple[tuple[str, float], ...] = ()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps += ((name, now - self._last),)
        self._last = now
