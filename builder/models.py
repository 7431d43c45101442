"""The records that pass between the stages of a build.

Every record is a frozen dataclass: a stage takes records and returns new
ones, it never mutates what it was given. The per-article records are small on
purpose: the cleaned body of an article lives on disk (see ``write``), so the
reductions that build indexes and feeds hold only metadata for the whole site.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One raw file under ``content/``, exactly as archived."""

    rel_path: str
    """POSIX path relative to the content folder, e.g. ``gnews/1035291.md``."""
    raw: bytes
    """The file's bytes, never modified."""
    sha256: str
    """Hex SHA-256 of ``raw``: the file's identity in JSON-LD and the cache."""
    sidecar: tuple[tuple[str, object], ...] = ()
    """Fields of ``NAME.meta.toml`` beside the file, as sorted (key, value) pairs."""
    provenance: tuple[tuple[str, str], ...] = ()
    """What a provenance manifest in ``content/`` says of the file (repo, commit, path)."""

    @property
    def sidecar_dict(self) -> dict[str, object]:
        return dict(self.sidecar)

    @property
    def provenance_dict(self) -> dict[str, str]:
        return dict(self.provenance)


class Precision(str, Enum):
    """How much of a date the source records."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A publication date known to a given precision; never padded with guesses."""

    year: int
    month: int | None = None
    day: int | None = None
    time: str | None = None
    """``HH:MM`` in UTC when the source states a time with its zone."""

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    def iso(self) -> str:
        """ISO 8601 at the recorded precision: ``2022``, ``2022-04``, ``2022-04-21``
        or ``2022-04-21T07:00:00Z``."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
            if self.day is not None:
                text += f"-{self.day:02d}"
                if self.time:
                    text += f"T{self.time}:00Z"
        return text

    def sort_key(self) -> tuple[int, int, int, str]:
        return (self.year, self.month or 0, self.day or 0, self.time or "")


@dataclass(frozen=True, slots=True)
class Link:
    """A named party with an optional URL (publisher, outlet, mirror)."""

    name: str | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """A person credited by the source, with the role the source gives them."""

    name: str
    role: str
    """One of ``author``, ``translator``, ``editor``, ``publisher``, ``reviewer``,
    ``proofreader``, ``producer``, ``commentator``, or the source's own word when it fits
    none of them."""


@dataclass(frozen=True, slots=True)
class Article:
    """What the pipeline knows about one article, without its body.

    Built by ``extract`` → ``clean`` → ``classify``; read by ``render``, the
    index reductions and the feeds.
    """

    source_path: str
    """Path of the raw file under ``content/`` (POSIX)."""
    sha256: str
    slug: str
    """Permalink path without extension, e.g. ``gnews/1035291``; unique in the site."""
    raw_url: str
    """Path of the byte-identical raw copy inside the site, e.g. ``raw/gnews/1035291.md``."""
    raw_size: int
    title: str
    language: str
    """BCP 47 tag of the body text (``zh-Hans``, ``zh-Hant``, ``en``, ``hi``...)."""
    profile: str
    """Name of the source profile that read the file."""
    date: PartialDate | None = None
    publisher: Link = Link(None)
    """The original publication (e.g. the Epoch Times, Mainichi)."""
    original_url: str | None = None
    republisher: Link | None = None
    """The outlet that republished or translated it (e.g. GNews)."""
    based_on: Link | None = None
    """A source the outlet says it translated or summarised (e.g. a ZeroHedge story)."""
    mirror: Link | None = None
    """The archive the file came from (e.g. a GitHub repository)."""
    people: tuple[Person, ...] = ()
    tags: tuple[str, ...] = ()
    """Tag keys, sorted."""
    countries: tuple[tuple[str, int], ...] = ()
    """(ISO 3166-1 alpha-2 code, mention count), most mentioned first."""
    summary: str = ""
    """The first sentences of the body as plain text, for lists and feeds."""
    image: str | None = None
    """URL of the first article image, for JSON-LD and cards."""
    word_count: int = 0
    signature: tuple[int, tuple[str, ...]] = (0, ())
    """(paragraph count, the numbers the body states): language-independent
    features that let translations of one story find each other."""
    notes: tuple[str, ...] = ()
    """Things the extractor wants a maintainer to know (not errors)."""
    listed: bool = False
    """The maintainer chose this file as the listed one of its copies
    (sidecar ``listed = true``; see ``related.copies``)."""


class Entry(NamedTuple):
    """What the reductions (relations, indexes, feeds, the sitemap, the plan)
    need of an article: an ``Article`` without the fields only its own page
    shows, plus the cache key of the full record and body.

    Attribute names and types are the ``Article``'s, so the reductions read
    either. It is a tuple of plain values so that a rebuild loads the entries
    of a whole archive from the cache in a fraction of the time full records
    take (``row``/``from_row``).
    """

    source_path: str
    key: str
    """The cache key of the full ``Article`` and its cleaned body."""
    slug: str
    title: str
    language: str
    date: PartialDate | None
    publisher: Link
    people: tuple[Person, ...]
    tags: tuple[str, ...]
    countries: tuple[tuple[str, int], ...]
    summary: str
    signature: tuple[int, tuple[str, ...]]
    raw_url: str
    sha256: str
    original_url: str | None
    """The article's own address at its publisher: files that share it are
    copies of one article (see ``related.copies``)."""
    listed: bool

    @classmethod
    def of(cls, article: Article, key: str) -> Entry:
        return cls(article.source_path, key, article.slug, article.title, article.language, article.date,
                   article.publisher, article.people, article.tags, article.countries, article.summary,
                   article.signature, article.raw_url, article.sha256, article.original_url,
                   article.listed)

    def row(self) -> tuple:
        """The entry as builtins only (for ``marshal``)."""
        date = self.date
        return (*self[:5], date and (date.year, date.month, date.day, date.time),
                (self.publisher.name, self.publisher.url), tuple((p.name, p.role) for p in self.people),
                *self[8:])

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> Iterator[Entry]:
        """Entries from ``row()`` tuples. Dates, publishers and credits recur
        across an archive: each distinct one is made once and shared."""
        made: dict[tuple, object] = {}

        def shared(kind: type, value: tuple | None):
            if value is None:
                return None
            found = made.get((kind, value))
            if found is None:
                found = made[(kind, value)] = (
                    tuple(Person(*p) for p in value) if kind is Person else kind(*value))
            return found

        for row in rows:
            date, publisher, people = row[5:8]
            yield cls(*row[:5], shared(PartialDate, date), shared(Link, publisher), shared(Person, people),
                      *row[8:])


@dataclass(frozen=True, slots=True)
class CleanBody:
    """A cleaned article body with what cleaning learnt from it."""

    html: str
    text: str
    """Plain text of the body, for classification and summaries."""
    source_tags: tuple[str, ...] = ()
    """Tags the source itself linked (e.g. Epoch Times ``/gb/tag/X.html``)."""
    image: str | None = None
    captions: frozenset[str] = frozenset()
    """The lines of ``text`` that are figure captions."""
    linked: frozenset[str] = frozenset()
    """The texts of the body's links, each on one line (another page's
    headline, an address, a linked word)."""


@dataclass(frozen=True, slots=True)
class Skip:
    """A file that yields no page, and why."""

    path: str
    stage: str
    message: str


@dataclass(frozen=True, slots=True)
class StageTiming:
    name: str
    seconds: float
    count: int


@dataclass(frozen=True)
class BuildReport:
    """The outcome of one build, for the summary and the exit code."""

    pages: int
    articles: int
    skipped: tuple[Skip, ...]
    timings: tuple[StageTiming, ...]
    out_dir: str
    warnings: tuple[str, ...] = field(default=())
    written: int = 0
    """Output files rendered and written by this build."""
    processed: int = 0
    """Articles read, extracted, cleaned and classified (not taken from the cache)."""
    incremental: bool = False
    copies: int = 0
    """Articles that are another's copy, not listed (see ``related.copies``)."""
    in_place: bool = False
    """The rebuild was an edit in place: only what the edits can change was planned, without loading the
    rest of the archive (``inplace.edit_in_place``)."""
