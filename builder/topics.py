"""Topic tags from a multilingual vocabulary: NATO, 北约, नाटो, నాటో are one tag.

The vocabulary is data. ``data/topics.toml`` ships with the builder; a site
may put its own file of the same format in ``content/``, which adds concepts
or adds terms (and labels) to the shipped ones. Each concept is a TOML table::

    [nato]
    label = { en = "NATO", zh-Hans = "北约", zh-Hant = "北約", hi = "नाटो", te = "నాటో" }
    terms = ["NATO", "北约", "北約", "नाटो", "నాటో", "North Atlantic Treaty Organization"]

How terms are found: with ``countries.PhraseMatcher``, the same script-aware
word boundaries as country detection (one implementation). Latin terms match
whole words; Han terms anywhere; Hangul, Devanagari and Telugu terms at the
start of a word, followed by the case endings the country data lists.
Latin terms match as written and in capitals; lowercase terms also
capitalised; terms written in capitals (NATO, AI, COVID-19) only as written.
Overlapping terms of different concepts all count: 中共病毒 is both
``covid-19`` and ``ccp``, "Hong Kong protests" both ``hong-kong-protests``
and ``protests``.

Written by hand: no library maps multilingual terms onto concepts with these
boundary rules; the automaton is ahocorasick_rs's, behind PhraseMatcher.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builder.countries import PhraseMatcher, char_script, default_affixes, normalize_text
from builder.errors import ConfigError

TOPICS_PATH = Path(__file__).parent / "data" / "topics.toml"

_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_BICAMERAL = frozenset({"latin", "cyrillic", "greek"})

# Interface locales that name a script variant of a label's language.
_LOCALE_ALIASES = {
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-my": "zh-Hans",
    "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant",
}


@dataclass(frozen=True)
class Topic:
    """One concept of the vocabulary."""

    key: str                                  # stable slug-like id, e.g. "nato"
    label: dict[str, str]                     # language tag -> display label; has "en"
    terms: tuple[str, ...] = field(default=())  # surface terms in any language
    blockers: tuple[str, ...] = field(default=())  # longer phrases that contain a term
                                                   # but do not mean the concept


def _term_forms(term: str) -> set[str]:
    """The spellings under which a term is searched for.

    A term written in lowercase is a common noun: it is also looked for
    capitalised (sentence start) and in capitals (headlines). A capitalised
    term is a name ("Falun Gong", "Twitter"): also in capitals, but never in
    lowercase, which would find it in URLs (youtube.com). Acronyms (NATO)
    only as written.
    """
    forms = {term}
    if _scripts(term) & _BICAMERAL and not term.isupper():
        forms.add(term.upper())
        if term[:1].islower():
            forms.add(term[:1].upper() + term[1:])
    return forms


def _scripts(text: str) -> set[str]:
    return {char_script(ch) for ch in text if ch.isalpha()}


def _fold(term: str) -> str:
    """How a source-given tag is compared with the vocabulary's terms."""
    return normalize_text(unicodedata.normalize("NFC", term)).strip().casefold()


class Vocabulary:
    """The concepts, and one automaton over all their terms in all languages."""

    def __init__(self, topics: Mapping[str, Topic]):
        self._topics = dict(sorted(topics.items()))
        self._by_term: dict[str, str] = {}
        for key, topic in self._topics.items():
            for name in (*topic.terms, *topic.label.values(), key):
                self._by_term.setdefault(_fold(name), key)

    @functools.cached_property
    def _matcher(self) -> PhraseMatcher:
        """Built on first match, with the terms' forms: labels alone (index
        pages, a tag that appears in an edit) need neither."""
        forms: dict[str, set[str]] = {}
        for topic in self._topics.values():
            for phrase in topic.blockers:
                for form in _term_forms(normalize_text(phrase)):
                    forms.setdefault(form, set())
        for key, topic in self._topics.items():
            for term in topic.terms:
                for form in _term_forms(normalize_text(term)):
                    forms.setdefault(form, set()).add(key)
        return PhraseMatcher({form: tuple(sorted(keys)) for form, keys in forms.items()}, default_affixes())

    def __iter__(self) -> Iterator[Topic]:
        return iter(self._topics.values())

    def __len__(self) -> int:
        return len(self._topics)

    def __contains__(self, key: object) -> bool:
        return key in self._topics

    def __getitem__(self, key: str) -> Topic:
        return self._topics[key]

    def match(self, text: str, language: str | None = None) -> list[str]:
        """Sorted keys of the concepts whose terms occur in ``text``.

        ``language`` is accepted for callers but does not narrow the search:
        articles quote terms of other languages (NATO inside Chinese text).
        """
        return sorted(k for k, n in self.counts(text).items() if n)

    def counts(self, text: str) -> dict[str, int]:
        """Concept key → number of mentions in ``text``. Matches are leftmost-longest
        and do not overlap, so 新冠 inside 新冠病毒 is one mention, and a blocker
        phrase (立法院 for courts) absorbs the term inside it."""
        found: dict[str, int] = {}
        for _, _, keys in self._matcher.find(text):
            for key in keys:
                found[key] = found.get(key, 0) + 1
        return found

    def label(self, key: str, locale: str) -> str:
        """Display label of a concept in an interface locale ('en', 'zh_Hans', 'zh-TW').

        Falls back to the language without region or script, then English, then
        the key itself (also for a key the vocabulary does not know).
        """
        topic = self._topics.get(key)
        if topic is None:
            return key
        labels = {tag.casefold(): text for tag, text in topic.label.items()}
        wanted = locale.replace("_", "-").casefold()
        for candidate in (wanted, _LOCALE_ALIASES.get(wanted, "").casefold(),
                          wanted.split("-")[0], "en"):
            if candidate and candidate in labels:
                return labels[candidate]
        return key

    def key_for_term(self, term: str) -> str | None:
        """The concept a source-given tag ("北约", "NATO") names, if it is one of its
        terms or labels; None otherwise."""
        return self._by_term.get(_fold(term))


def _parse(text: str, origin: str) -> dict[str, dict]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{origin}: not valid TOML: {error}") from error
    for key, entry in data.items():
        if not _KEY.match(key):
            raise ConfigError(f"{origin}: [{key}]: expected a key of lowercase letters, "
                              "digits and hyphens")
        if not isinstance(entry, dict):
            raise ConfigError(f"{origin}: {key}: expected a table with label and terms")
        terms = entry.get("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(f"{origin}: [{key}] terms: expected a list of non-empty strings")
        label = entry.get("label", {})
        if not isinstance(label, dict) or not all(isinstance(v, str) for v in label.values()):
            raise ConfigError(f"{origin}: [{key}] label: expected a table of language = text")
        blockers = entry.get("blockers", [])
        if not isinstance(blockers, list) or not all(isinstance(b, str) and b.strip() for b in blockers):
            raise ConfigError(f"{origin}: [{key}] blockers: expected a list of non-empty strings")
        unknown = set(entry) - {"label", "terms", "blockers"}
        if unknown:
            raise ConfigError(f"{origin}: [{key}]: unknown field(s) {', '.join(sorted(unknown))}; "
                              "expected label, terms and blockers")
    return data


def _merge(base: dict[str, Topic], data: Mapping[str, dict], origin: str) -> dict[str, Topic]:
    """``base`` with the concepts of ``data`` added, and its terms/labels added to known ones."""
    merged = dict(base)
    for key, entry in data.items():
        old = merged.get(key)
        label = {**(old.label if old else {}), **entry.get("label", {})}
        if "en" not in label:
            raise ConfigError(f"{origin}: [{key}] label: expected an English label (en = ...)")
        terms = tuple(dict.fromkeys([*(old.terms if old else ()), *entry.get("terms", [])]))
        blockers = tuple(dict.fromkeys([*(old.blockers if old else ()), *entry.get("blockers", [])]))
        merged[key] = Topic(key, label, terms, blockers)
    return merged


@functools.cache
def _shipped_topics() -> dict[str, Topic]:
    return _merge({}, _parse(TOPICS_PATH.read_text(encoding="utf-8"), str(TOPICS_PATH)),
                  str(TOPICS_PATH))


@functools.cache
def _shipped_vocabulary() -> Vocabulary:
    return Vocabulary(_shipped_topics())


def load_vocabulary(extra_path: Path | None = None) -> Vocabulary:
    """The shipped vocabulary, plus the concepts and terms of ``extra_path``.

    The shipped vocabulary is built once per process. Raises ConfigError when
    the extra file cannot be read or is not in the vocabulary format.
    """
    if extra_path is None:
        return _shipped_vocabulary()
    try:
        text = Path(extra_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{extra_path}: cannot read the topic vocabulary: {error}") from error
    return Vocabulary(_merge(_shipped_topics(), _parse(text, str(extra_path)), str(extra_path)))
