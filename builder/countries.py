"""Which countries an article mentions, in any language: ISO code -> mentions.

Names come from CLDR through babel — ``Locale.territories`` of every locale
babel ships — plus ``data/country_aliases.toml``: aliases, the CLDR short and
variant forms babel does not expose (US, UK, Turkey, Burma, Ivory Coast),
demonyms, and blocker phrases. All names of all languages go into ONE
Aho-Corasick automaton (ahocorasick_rs), built once per process on first use.

How a text is read (``PhraseMatcher``, shared with ``topics``):

1. zero-width joiners, soft hyphens and the Devanagari nukta are dropped, in
   the names and in the text alike;
2. the automaton reports every occurrence of every name;
3. an occurrence is kept only if its edges fit its script: Latin, Cyrillic,
   Greek, Arabic, katakana, Hangul and the Indic scripts must not run into
   another letter of the same script (Han, hiragana and Thai have no word
   boundaries and need none); Hangul, Devanagari and Telugu names may be
   followed by the case endings and particles listed in the data file
   (రష్యాకు, జపాన్‌తో, 미국은), Arabic names may be preceded by the joined
   clitics و ب ل ف ك (والصين);
4. of the kept occurrences the leftmost-longest win, so 印度尼西亚 is
   Indonesia and not India, 南韩 is not 韩, "Papua New Guinea" is not
   "Guinea"; blocker phrases take part in this contest and count for nothing
   (印度-太平洋, "Indo-Pacific", "South China Sea");
5. in Latin script, "Jordan", "Chad" and "Georgia" next to a capitalised
   given name or surname are people ("Michael Jordan", "Chad Wolf");
6. every remaining occurrence counts once for each of its codes.

Which CLDR names are used:

- ISO 3166-1 alpha-2 codes only: numeric regions (001, 150, 419...) go, and so
  do EU, EZ, UN, QO, XA, XB, ZZ and the codes ISO only reserves (AC, CP, CQ,
  DG, EA, IC, TA).
- XK (Kosovo) is NOT used. It is a user-assigned code that the EU and others
  adopted, not part of ISO 3166-1, and the pages publish these codes as ISO
  3166-1 identifiers (JSON-LD ``contentLocation``). Kosovo is therefore not
  counted at all; adding "XK" to the allowed codes is a one-line change.
- A spelling that CLDR gives to two different territories anywhere (including
  regions: a name used both for the US and for the Americas) is ambiguous and
  dropped, unless the alias file claims it.
- Too short to be safe: one Han/kana character (美, 中), Latin, Cyrillic or
  Greek names of fewer than four letters (aliases such as US and UK are
  curated exceptions and match in capitals only).
- Derived names: "Myanmar (Burma)" also gives "Myanmar" and "Burma",
  "홍콩(중국 특별행정구)" gives "홍콩"; English "&" also reads "and".
- Generated forms: the all-caps form of Latin/Cyrillic/Greek names of 4+
  letters (JAPAN), Russian oblique cases (России, Китае, Южной Кореи), the
  Arabic ل + ال contraction (للصين), and the Telugu vowel stems that case
  endings attach to (జపాను + కు, భారతదేశా + నికి).

The decisions about traps (capitals, seas, bare "Korea", Georgia, Turkey,
Jordan, 中共, 大陆...) are written next to the data, in the header of
``data/country_aliases.toml``.

Written by hand because no maintained library matches a gazetteer across
scripts with these boundary rules; babel supplies the names, ahocorasick_rs (the
aho-corasick crate of ripgrep) the automaton.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import re
import sys
import time
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import ahocorasick_rs
import babel.localedata
from babel import Locale, UnknownLocaleError

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

ALIASES_PATH = Path(__file__).parent / "data" / "country_aliases.toml"

# Two-letter CLDR territory codes that are not ISO 3166-1 alpha-2 countries.
NOT_ISO_CODES = frozenset({
    "AC", "CP", "CQ", "DG", "EA", "IC", "TA",  # exceptionally reserved by ISO
    "EU", "EZ", "UN",                          # unions and organisations
    "QO", "XA", "XB", "XK", "ZZ",              # user-assigned / private use
})

T = TypeVar("T")

# --------------------------------------------------------------------------
# Text normalisation and scripts
# --------------------------------------------------------------------------

# Characters that change how a word is drawn but not which word it is.
_IGNORED = "\u200c\u200d\u00ad\ufeff\u093c"
# Devanagari letters with nukta that NFC keeps precomposed in some inputs.
_NUKTA_LETTERS = dict(zip("\u0958\u0959\u095a\u095b\u095c\u095d\u095e\u095f",
                          "\u0915\u0916\u0917\u091c\u0921\u0922\u092b\u092f"))
_NORMALISE_TABLE = str.maketrans({**{ch: None for ch in _IGNORED}, **_NUKTA_LETTERS})
_NORMALISE_PROBE = re.compile("[%s]" % (_IGNORED + "".join(_NUKTA_LETTERS)))


def normalize_text(text: str) -> str:
    """``text`` as the matcher reads it: without joiners, soft hyphens and nukta.

    Fast path: most texts contain none of these characters and are returned
    unchanged without being copied. (One search for any of them; a search
    for each in turn took three times as long, a fifth of the time to build
    the matcher.)
    """
    if _NORMALISE_PROBE.search(text):
        return text.translate(_NORMALISE_TABLE)
    return text


# Scripts written without spaces between words: a name may sit anywhere.
_UNSPACED_SCRIPTS = frozenset({"han", "hiragana", "thai", "lao", "khmer", "myanmar",
                               "tibetan", "yi", "bopomofo"})


@functools.lru_cache(maxsize=None)
def char_script(ch: str) -> str:
    """Script of a word character ('latin', 'han', 'telugu'...); '' between words.

    Digits are 'digit' (they join words in every spaced script); combining
    marks that belong to no script are 'inherited' and join anything.
    """
    if unicodedata.category(ch)[0] not in "LMN":
        return ""
    name = unicodedata.name(ch, "")
    if not name:
        return "other"
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "han"
    first = name.split(" ", 1)[0]
    if first == "KATAKANA-HIRAGANA" or (first == "HALFWIDTH" and "KATAKANA" in name):
        return "katakana"  # the prolonged sound mark ー belongs to the katakana word
    if first == "DIGIT":
        return "digit"
    if first == "COMBINING":
        return "inherited"
    return first.lower()


def _joins(ch: str, script: str) -> bool:
    """True when ``ch`` would continue a word written in ``script``."""
    other = char_script(ch)
    return bool(other) and (other == script or other in ("inherited", "digit"))


@dataclass(frozen=True)
class Affixes:
    """Pieces that may be written joined to a name without making it another word.

    ``prefixes`` and ``suffixes`` map a script ('telugu', 'arabic'...) to the
    clitics, case endings or particles of that script, longest first.
    """

    prefixes: Mapping[str, tuple[str, ...]]
    suffixes: Mapping[str, tuple[str, ...]]

    @classmethod
    def from_toml(cls, table: Mapping[str, Mapping[str, list[str]]]) -> Affixes:
        def longest_first(items: Iterable[str]) -> tuple[str, ...]:
            return tuple(sorted({normalize_text(i) for i in items}, key=lambda s: (-len(s), s)))
        return cls(
            prefixes={s: longest_first(t.get("prefixes", ())) for s, t in table.items()},
            suffixes={s: longest_first(t.get("suffixes", ())) for s, t in table.items()},
        )


_MAX_AFFIXES = 3

def _utf8_units(text: str) -> str:
    """``text`` as its UTF-8 bytes, one character per byte.

    The automaton runs over the bytes (``units.encode("latin-1")``), so its
    offsets index these units; UTF-8 is self-synchronising, so a match
    always starts and ends on whole characters.
    """
    return text.encode("utf-8").decode("latin-1")


def _char_before(units: str, index: int) -> str:
    begin = index - 1
    while begin > 0 and index - begin < 4 and 0x80 <= ord(units[begin]) < 0xC0:
        begin -= 1
    return units[begin:index].encode("latin-1").decode("utf-8", "replace")


def _char_at(units: str, index: int) -> str:
    lead = ord(units[index])
    size = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    return units[index:index + size].encode("latin-1").decode("utf-8", "replace")


def _automaton(words: list[bytes]) -> ahocorasick_rs.BytesAhoCorasick:
    """One automaton reporting every occurrence of each of ``words``, by its index."""
    return ahocorasick_rs.BytesAhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard)


class PhraseMatcher(Generic[T]):
    """Finds many phrases of many scripts at once, leftmost-longest, whole words.

    ``phrases`` maps each surface form to a payload. ``find`` returns the
    non-overlapping occurrences ``(start, end, payload)`` in the normalised
    text, left to right, offsets in characters. Forms are matched
    case-sensitively exactly as given; callers add the case variants they want.
    """

    def __init__(self, phrases: Mapping[str, T], affixes: Affixes | None = None):
        affixes = affixes or Affixes({}, {})
        self._prefixes = {s: tuple(map(_utf8_units, p)) for s, p in affixes.prefixes.items()}
        self._suffixes = {s: tuple(map(_utf8_units, p)) for s, p in affixes.suffixes.items()}
        words: dict[bytes, tuple[int, str, str, T]] = {}  # (forms normalised alike: the last one's payload)
        for form, payload in phrases.items():
            form = normalize_text(form)
            if form:
                word = form.encode("utf-8")
                words[word] = (len(word), char_script(form[0]), char_script(form[-1]), payload)
        self._words = list(words)
        self._found = list(words.values())
        """For each word, by its index: (length, first and last character's script, payload)."""
        self._automaton = _automaton(self._words)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_automaton"}  # (it cannot be pickled)

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._automaton = _automaton(self._words)

    def find(self, text: str) -> list[tuple[int, int, T]]:
        """Non-overlapping occurrences in ``normalize_text(text)``, leftmost-longest,
        as (start, end, payload) with character offsets."""
        encoded = normalize_text(text).encode("utf-8")
        candidates = sorted(self._candidates(encoded))
        found: list[tuple[int, int, T]] = []
        reached = chars = 0
        for start, neg_end, _, _, payload in candidates:
            end = -neg_end
            if start >= reached:
                # Convert byte offsets to character offsets as we go.
                chars += len(encoded[reached:start].decode("utf-8"))
                begin = chars
                chars += len(encoded[start:end].decode("utf-8"))
                found.append((begin, chars, payload))
                reached = end
        return found

    def find_all(self, text: str) -> list[T]:
        """Payloads of every occurrence, overlapping ones included, left to right."""
        return [c[4] for c in sorted(self._candidates(normalize_text(text).encode("utf-8")))]

    def _candidates(self, encoded: bytes) -> Iterable[tuple[int, int, int, tuple[int, int], T]]:
        """Occurrences whose edges fit their script in the UTF-8 text
        ``encoded``: (start, -end, -length, n, payload), in bytes.

        Sorted, they are leftmost-longest first; ``n`` (where the word ends in
        the text, then which word it is) breaks every tie, so sorting never
        compares payloads."""
        units = encoded.decode("latin-1")  # (``_utf8_units`` of the text: the edges read it)
        found = self._found
        for index, begin, stop in self._automaton.find_matches_as_indexes(encoded, overlapping=True):
            length, first_script, last_script, payload = found[index]
            start = self._left_edge(units, begin, first_script)
            if start is None:
                continue
            end = self._right_edge(units, stop, last_script, 0)
            if end is not None:
                yield start, -end, -length, (stop, index), payload

    def _left_edge(self, units: str, start: int, script: str) -> int | None:
        if not script or script in _UNSPACED_SCRIPTS:
            return start
        if start == 0 or not _joins(_char_before(units, start), script):
            return start
        return self._strip_prefixes(units, start, script, 0)

    def _strip_prefixes(self, units: str, start: int, script: str, depth: int) -> int | None:
        if depth >= _MAX_AFFIXES:
            return None
        for prefix in self._prefixes.get(script, ()):
            begin = start - len(prefix)
            if begin >= 0 and units.startswith(prefix, begin):
                if begin == 0 or not _joins(_char_before(units, begin), script):
                    return begin
                deeper = self._strip_prefixes(units, begin, script, depth + 1)
                if deeper is not None:
                    return deeper
        return None

    def _right_edge(self, units: str, end: int, script: str, depth: int) -> int | None:
        if not script or script in _UNSPACED_SCRIPTS:
            return end
        if end == len(units) or not _joins(_char_at(units, end), script):
            return end
        if depth < _MAX_AFFIXES:
            for suffix in self._suffixes.get(script, ()):
                if units.startswith(suffix, end):
                    longer = self._right_edge(units, end + len(suffix), script, depth + 1)
                    if longer is not None:
                        return longer
        return None


# --------------------------------------------------------------------------
# Name tables
# --------------------------------------------------------------------------

_BICAMERAL = frozenset({"latin", "cyrillic", "greek", "armenian", "georgian"})
_CJK = frozenset({"han", "hiragana", "katakana"})


def _letter_scripts(name: str) -> set[str]:
    return {char_script(ch) for ch in name if ch.isalpha()}


def _is_usable_cldr_name(name: str) -> bool:
    """False for CLDR names too short to be told from ordinary words."""
    scripts = _letter_scripts(name)
    if not scripts:
        return False
    letters = sum(1 for ch in name if ch.isalpha())
    if scripts <= _CJK:
        return len(name) >= 2
    if scripts & _BICAMERAL:
        # Country names are proper nouns; lowercase entries are URL slugs' twins.
        return letters >= 4 and name[0].isupper()
    return len(name) >= 2


_PARENTHESISED = re.compile(r"^(?P<main>.+?)\s*[(（](?P<inner>[^()（）]+)[)）]\s*$")


def _derived_names(name: str, english: bool) -> set[str]:
    """Other spellings a CLDR name implies: its parts around parentheses, '&' as 'and'."""
    derived = set()
    match = _PARENTHESISED.match(name)
    if match:
        derived.add(match["main"].strip())
        # In Han and Hangul names the parenthesis is a qualifier: 刚果（金）,
        # 홍콩(중국 특별행정구). Elsewhere it is another name: Myanmar (Burma).
        if not _letter_scripts(name) & (_CJK | {"hangul"}):
            derived.add(match["inner"].strip())
    if english:
        if " & " in name:
            derived.add(name.replace(" & ", " and "))
        if name.startswith("St. "):
            derived.add("Saint " + name[4:])
    derived.discard(name)
    return derived


# Russian declension: nominative ending -> (genitive, dative, accusative,
# instrumental, prepositional) endings. Enough for the names of countries.
_RU_NOUN = (
    ("ия", ("ии", "ии", "ию", "ией", "ии")),
    ("ея", ("еи", "ее", "ею", "еей", "ее")),
    ("я", ("и", "е", "ю", "ей", "е")),
    ("а", ("ы", "е", "у", "ой", "е")),
    ("й", ("я", "ю", "й", "ем", "е")),
    ("ь", ("я", "ю", "ь", "ем", "е")),
    ("ы", ("ов", "ам", "ы", "ами", "ах")),
)
_RU_ADJECTIVE = (
    ("ая", ("ой", "ой", "ую", "ой", "ой")),
    ("яя", ("ей", "ей", "юю", "ей", "ей")),
    ("ый", ("ого", "ому", "ый", "ым", "ом")),
    ("ий", ("ого", "ому", "ий", "им", "ом")),
    ("ое", ("ого", "ому", "ое", "ым", "ом")),
    ("ые", ("ых", "ым", "ые", "ыми", "ых")),
    ("ие", ("их", "им", "ие", "ими", "их")),
)
_RU_CONSONANT = ("а", "у", "", "ом", "е")
_RU_VELAR_SIBILANT = set("гкхжшчщ")


def _russian_word_cases(word: str, adjective_allowed: bool) -> tuple[str, ...] | None:
    """The five oblique cases of one capitalised word, or None if it does not decline."""
    head, dash, last = word.rpartition("-")
    prefix = head + dash
    if not last[:1].isupper() or last.isupper() or len(last) < 3:
        return None
    tables = (_RU_ADJECTIVE + _RU_NOUN) if adjective_allowed else _RU_NOUN
    for ending, cases in tables:
        if last.endswith(ending):
            stem = last[: -len(ending)]
            if ending == "а" and stem[-1:] in _RU_VELAR_SIBILANT:
                cases = ("и",) + cases[1:]
            return tuple(prefix + stem + c for c in cases)
    if last[-1] in "оеуюиэё":
        return None
    return tuple(prefix + last + c for c in _RU_CONSONANT)


def _russian_forms(name: str) -> set[str]:
    """Oblique case forms of a Russian name: Россия -> России, Россию, Россией..."""
    words = name.split(" ")
    declined = [_russian_word_cases(w, i < len(words) - 1) for i, w in enumerate(words)]
    if all(d is None for d in declined):
        return set()
    return {" ".join(d[case] if d else w for w, d in zip(words, declined)) for case in range(5)}


_ARABIC_HARAKAT = re.compile("[\u064b-\u065f\u0670]")
_TELUGU_VIRAMA = "\u0c4d"
_TELUGU_ANUSVARA = "\u0c02"


def _surface_forms(name: str) -> set[str]:
    """The spellings under which ``name`` is searched for in a text."""
    forms = {name}
    scripts = _letter_scripts(name)
    if scripts & _BICAMERAL and not name.isupper() and sum(ch.isalpha() for ch in name) >= 4:
        forms.add(name.upper())
    if "cyrillic" in scripts and not name.isupper():
        forms |= _russian_forms(name)
    if "arabic" in scripts:
        bare = _ARABIC_HARAKAT.sub("", name)  # texts rarely write the short vowels
        forms.add(bare)
        if bare.startswith("ال"):
            forms.add("لل" + bare[2:])  # ل + الصين is written للصين
    if "telugu" in scripts:
        if name.endswith(_TELUGU_VIRAMA):
            forms.add(name[:-1] + "\u0c41")  # జపాన్ -> జపాను(కు)
        elif name.endswith(_TELUGU_ANUSVARA):
            forms.add(name[:-1] + "\u0c3e")  # భారతదేశం -> భారతదేశా(నికి)
    return forms


def iso_country_codes() -> frozenset[str]:
    """The 249 ISO 3166-1 alpha-2 codes, as CLDR lists them."""
    return frozenset(code for code in Locale("en").territories
                     if len(code) == 2 and code.isalpha() and code not in NOT_ISO_CODES)


def _cldr_names() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Every territory name of every babel locale -> the territory codes it names.

    Returns (direct names, derived names). A derived name is weaker: the
    "(China)" in "Hong Kong (China)" must not make "China" a name of Hong Kong.
    """
    direct: dict[str, set[str]] = defaultdict(set)
    derived: dict[str, set[str]] = defaultdict(set)
    for identifier in sorted(babel.localedata.locale_identifiers()):
        territories = _own_territories(identifier)
        english = identifier == "en" or identifier.startswith("en_")
        for code, name in territories.items():
            name = normalize_text(unicodedata.normalize("NFC", name)).strip()
            direct[name].add(code)
            for other in _derived_names(name, english):
                derived[other].add(code)
    return direct, derived


def _own_territories(identifier: str) -> Mapping[str, str]:
    """The territory names a babel locale's data file holds itself, without
    those it inherits. Its parents are read too, so the union over all
    locales is the same as over the merged ones, and it is ten times faster
    than merging each locale with its parents. The file is read here, not
    with ``babel.localedata.load(merge_inherited=False)``, which would leave
    the unmerged data in babel's cache for every later ``Locale``."""
    with open(babel.localedata.resolve_locale_filename(identifier), "rb") as handle:
        return pickle.load(handle).get("territories", {})


def build_country_names(data: Mapping[str, object]) -> dict[str, frozenset[str]]:
    """Surface form -> ISO codes (empty for a blocker), from CLDR and the alias data.

    Precedence, strongest first: blockers, aliases, CLDR names (with the forms
    generated from them), names derived from CLDR names. Two names of the same
    rank that give the same form to different countries cancel each other out.
    """
    iso = iso_country_codes()
    dropped = {normalize_text(n) for n in data.get("dropped", {}).get("names", [])}
    forms: dict[str, frozenset[str]] = {}
    claimed: set[str] = set()  # forms fixed by the curated data

    for phrase in data.get("blockers", {}).get("phrases", []):
        for form in _surface_forms(normalize_text(phrase)):
            forms[form] = frozenset()
            claimed.add(form)

    alias_codes: dict[str, set[str]] = defaultdict(set)
    for code, names in data.get("aliases", {}).items():
        if code not in iso:
            raise ValueError(f"{ALIASES_PATH.name}: [aliases] {code} is not an ISO 3166-1 code")
        for name in names:
            alias_codes[normalize_text(name)].add(code)
    alias_forms: dict[str, set[str]] = defaultdict(set)
    for name, codes in alias_codes.items():
        for form in _surface_forms(name):
            if form not in claimed:
                alias_forms[form] |= codes
    for form, codes in alias_forms.items():
        forms[form] = frozenset(codes)
    claimed |= alias_forms.keys()

    direct, derived = _cldr_names()
    for table in (direct, derived):
        generated: dict[str, set[str]] = defaultdict(set)
        for name, codes in table.items():
            if name in dropped or name in claimed or name in direct and table is derived:
                continue
            if len(codes) != 1 or not codes <= iso or not _is_usable_cldr_name(name):
                continue
            for form in _surface_forms(name):
                generated[form] |= codes
        for form, codes in sorted(generated.items()):
            if form not in claimed and len(codes) == 1:
                forms[form] = frozenset(codes)
        claimed |= generated.keys()
    # A Han country name followed by 语/語 names a language (西班牙语, 意大利語),
    # spoken far beyond the country: not a mention of the state.
    for form, codes in list(forms.items()):
        if codes and len(form) >= 2 and all(_is_han(ch) for ch in form):
            for suffix in ("语", "語"):
                forms.setdefault(form + suffix, frozenset())
    return forms


def _is_han(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


# --------------------------------------------------------------------------
# Country matcher
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonNameRules:
    """When a Latin country name is a person's name (see the data file)."""

    surname_like: frozenset[str]
    given_name_like: frozenset[str]
    not_person_before: frozenset[str]
    not_person_after: frozenset[str]

    @classmethod
    def from_toml(cls, table: Mapping[str, list[str]]) -> PersonNameRules:
        return cls(*(frozenset(table.get(key, ())) for key in
                     ("surname_like", "given_name_like", "not_person_before", "not_person_after")))


# Chinese writes foreign personal names with a middle dot between the parts:
# 理查德·尼克松, 乍得•陆皮纳西. A Han "country name" touching one is a name part.
# (Not the katakana ・, which Japanese also uses to separate list items.)
_NAME_DOTS = frozenset("\u00b7\u2027\u2022\u2219")
_WORD_BEFORE = re.compile(r"([A-Z][A-Za-z'’.-]*) $")
_WORD_AFTER = re.compile(r" ([A-Z][A-Za-z'’-]*)")


@dataclass(frozen=True)
class HistoricalNames:
    """Names that meant another country before a year (see the data file's
    ``[historical]``): in a sentence about that time they name no country."""

    names: frozenset[str]
    words: re.Pattern[str] | None
    until: int
    taiwan: tuple[str, ...]

    @classmethod
    def from_toml(cls, table: Mapping[str, object]) -> HistoricalNames:
        words = [re.escape(word) for word in table.get("words", ())]
        return cls(frozenset(table.get("names", ())), re.compile("|".join(words)) if words else None,
                   int(table.get("until", 0)), tuple(table.get("taiwan", ())))

    def of_the_past(self, text: str, start: int, end: int) -> bool:
        """Whether the sentence around ``text[start:end]`` is about the time
        before ``until``: it holds one of the words, or an earlier year
        (``1948年``) near the name (a long sentence may recall another
        story's year), and it does not name the country the name means now."""
        opening = max((m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)),
                      default=max(0, start - 300))
        closing = _SENTENCE_END.search(text, end, end + 300)
        stop = closing.end() if closing else min(len(text), end + 300)
        sentence = text[opening:stop]
        if any(name in sentence for name in self.taiwan):
            return False
        near = text[max(opening, start - _YEAR_REACH):min(stop, end + _YEAR_REACH)]
        return (bool(self.words and self.words.search(sentence))
                or any(int(year) < self.until for year in _YEAR.findall(near)))


_SENTENCE_END = re.compile(r"[。！？!?\n]")
_YEAR = re.compile(r"(?<!\d)(1\d{3})年")
_YEAR_REACH = 40
"""How far from a name (characters) a year places it in its time."""


@dataclass(frozen=True)
class Mention:
    """One place where a text names a country (or a blocker phrase: no codes)."""

    start: int
    end: int
    surface: str
    codes: frozenset[str]


class CountryMatcher:
    """Counts country mentions; holds the automaton over all names of all languages."""

    def __init__(self, names: Mapping[str, frozenset[str]], person_rules: PersonNameRules,
                 affixes: Affixes, historical: HistoricalNames | None = None):
        self._matcher = PhraseMatcher(names, affixes)
        self._person_rules = person_rules
        self._historical = historical

    @classmethod
    def from_data(cls, path: Path = ALIASES_PATH) -> CountryMatcher:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(build_country_names(data),
                   PersonNameRules.from_toml(data.get("person_names", {})),
                   Affixes.from_toml(data.get("affixes", {})),
                   HistoricalNames.from_toml(data.get("historical", {})))

    def mentions(self, text: str) -> list[Mention]:
        """Every country mention and blocker phrase, left to right."""
        text = normalize_text(text)
        found = self._matcher.find(text)
        result = []
        historical = self._historical
        for index, (start, end, codes) in enumerate(found):
            if codes and self._is_part_of_a_personal_name(text, found, index):
                codes = frozenset()
            elif codes and historical and text[start:end] in historical.names and historical.of_the_past(
                    text, start, end):
                codes = frozenset()
            result.append(Mention(start, end, text[start:end], codes))
        return result

    def count(self, text: str) -> dict[str, int]:
        """ISO code -> mentions, sorted by code."""
        counts: dict[str, int] = {}
        for mention in self.mentions(text):
            for code in mention.codes:  # a plain dict: Counter.update costs more per call
                counts[code] = counts.get(code, 0) + 1
        return dict(sorted(counts.items()))

    def _is_part_of_a_personal_name(self, text: str,
                                    found: list[tuple[int, int, frozenset[str]]],
                                    index: int) -> bool:
        """True for 理查德·尼克松-style transliterations and "Michael Jordan"-style names."""
        start, end, _ = found[index]
        name = text[start:end]
        rules = self._person_rules
        if char_script(name[0]) == "han" or char_script(name[-1]) == "han":
            return (start > 0 and text[start - 1] in _NAME_DOTS
                    or end < len(text) and text[end] in _NAME_DOTS)
        if name in rules.surname_like:
            before = _WORD_BEFORE.search(text, max(0, start - 40), start)
            previous_is_country = index > 0 and found[index - 1][1] == start - 1
            if before and before[1] not in rules.not_person_before and not previous_is_country:
                return True
        if name in rules.given_name_like:
            after = _WORD_AFTER.match(text, end, end + 40)
            next_is_country = index + 1 < len(found) and found[index + 1][0] == end + 1
            if after and after[1] not in rules.not_person_after and not next_is_country:
                return True
        return False


_MATCHER_CACHE_DIR: list[Path] = []
_MATCHER_FILE_PREFIX = "country-matcher-"
_MATCHER_BUILDERS: dict[Path, tuple[int, BaseProcess]] = {}
"""Stored matcher path -> (pid of the process that started it, the child
process building it), for ``build_matcher_soon``."""


def use_cache_dir(folder: Path) -> None:
    """Keep the built country matcher (seconds to gather the names of every
    CLDR locale and build the automaton) between runs: in the user's cache
    folder, where every project finds it, or in ``folder`` (the project's
    cache) when that one cannot be used. The matcher depends only on this
    code, its data file and the libraries' and the interpreter's versions,
    which its file's name says (``_stored_matcher_path``), as compiled
    bytecode does."""
    user = user_cache_dir()
    _MATCHER_CACHE_DIR[:] = [user or folder]
    if user is not None and user.resolve() != folder.resolve():
        # those the project's cache kept before: never read again, megabytes each
        for stale in folder.glob(f"{_MATCHER_FILE_PREFIX}*.pickle"):
            try:
                stale.unlink()
            except OSError:
                pass


def user_cache_dir() -> Path | None:
    """``$XDG_CACHE_HOME/archive-builder`` (``~/.cache/archive-builder`` when
    it is unset, empty or relative, as the XDG specification says), made if
    needed; ``None`` when it cannot be made or written."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home) or home == os.sep:  # (no home: "~" unexpanded, or HOME empty)
            return None
        base = os.path.join(home, ".cache")
    folder = Path(base) / "archive-builder"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if hasattr(os, "geteuid") and folder.stat().st_uid != os.geteuid():
            return None  # another user's (left by sudo, or a shared folder): not theirs to write, nor ours to load
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def build_matcher_soon() -> None:
    """Start building the stored matcher now, in a child process, when none
    is stored (a full build most likely needs it): the caller goes on (a
    build scans its files) while the child works, and ``default_matcher``
    waits for it. A caller that may fork workers first, or end without the
    matcher, waits for the child with ``wait_for_builder``."""
    if not _MATCHER_CACHE_DIR or default_matcher.cache_info().currsize:
        return
    stored = _stored_matcher_path()
    if stored not in _MATCHER_BUILDERS and not stored.exists():
        _MATCHER_BUILDERS[stored] = (os.getpid(), _start_builder(stored))


def wait_for_builder() -> bool:
    """Wait for the child ``build_matcher_soon`` started in this process, if
    any (whether there was one): a worker forked after it finds the matcher
    stored instead of building it again (it cannot wait for its parent's
    child), and no child outlives the build."""
    waited = False
    for stored, (started_by, child) in list(_MATCHER_BUILDERS.items()):
        if started_by == os.getpid():
            child.join()
            del _MATCHER_BUILDERS[stored]
            waited = True
    return waited


@functools.cache
def default_matcher() -> CountryMatcher:
    """The matcher built from CLDR and the shipped alias file, once per process
    (and, given a cache folder, once per version of the data and this code)."""
    if not _MATCHER_CACHE_DIR:
        return CountryMatcher.from_data()
    stored = _stored_matcher_path()
    waited = wait_for_builder()
    matcher = _load_matcher(stored)
    if matcher is None and not waited:
        import multiprocessing
        if multiprocessing.current_process().daemon:  # (the edit worker: a daemon may start no process)
            return _store_matcher(stored)
        _start_builder(stored).join()
        matcher = _load_matcher(stored)
    return matcher if matcher is not None else _store_matcher(stored)  # the child failed: build it here


def _stored_matcher_path() -> Path:
    """Where the matcher of this version of the data and code is stored: its
    name says which (the interpreter's too: the scripts of the names come
    from its Unicode data)."""
    import importlib.metadata

    import babel
    versions = (f"{babel.__version__} {importlib.metadata.version('ahocorasick-rs')} "
                f"{sys.version_info[0]}.{sys.version_info[1]} {unicodedata.unidata_version}")
    key = hashlib.sha1(b"\0".join([ALIASES_PATH.read_bytes(), Path(__file__).read_bytes(),
                                   versions.encode()])).hexdigest()[:16]
    return _MATCHER_CACHE_DIR[0] / f"{_MATCHER_FILE_PREFIX}{key}.pickle"


def _start_builder(stored: Path) -> BaseProcess:
    """A started child process that builds the matcher and stores it at ``stored``.

    Gathering the names loads every CLDR locale: a few hundred megabytes that
    this process would keep (freed, but not given back) and share with every
    worker it forks."""
    import multiprocessing
    child = multiprocessing.get_context("fork").Process(target=_store_matcher, args=(stored,))
    child.start()
    return child


def _load_matcher(stored: Path) -> CountryMatcher | None:
    """The matcher stored at ``stored``; ``None`` if it is missing, unreadable
    or damaged (it is only a cache). Its file is touched: it is in use
    (``_write_matcher``)."""
    try:
        matcher = pickle.loads(stored.read_bytes())
    except Exception:  # (a damaged pickle raises almost anything)
        return None
    if not isinstance(matcher, CountryMatcher):
        return None
    try:
        os.utime(stored)
    except OSError:
        pass
    return matcher


def _store_matcher(stored: Path) -> CountryMatcher:
    """Build the matcher and store it at ``stored`` (when it can: it is only a
    cache, and a build goes on without it)."""
    matcher = CountryMatcher.from_data()
    try:
        _write_matcher(stored, pickle.dumps(matcher, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
    return matcher


_KEPT_UNUSED = 30 * 24 * 3600
"""How long (seconds) the stored matcher of another version is kept unused:
the user's folder is shared by every installed version (two virtual
environments, each of which touches its own on every load)."""


def _write_matcher(path: Path, data: bytes) -> None:
    """Store a matcher atomically, and remove those of other versions unused
    for ``_KEPT_UNUSED`` (megabytes each)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, path)
    now = time.time()
    for old in path.parent.glob(f"{_MATCHER_FILE_PREFIX}*.pickle"):
        try:
            if old != path and now - old.stat().st_mtime > _KEPT_UNUSED:
                old.unlink()
        except OSError:
            pass


@functools.cache
def default_affixes() -> Affixes:
    """The script affixes of the shipped data file, for other matchers (topics)."""
    data = tomllib.loads(ALIASES_PATH.read_text(encoding="utf-8"))
    return Affixes.from_toml(data.get("affixes", {}))


def detect_countries(text: str, language: str | None = None) -> dict[str, int]:
    """ISO 3166-1 alpha-2 code -> number of mentions in ``text`` (plain text, NFC).

    Deterministic. ``language`` is accepted for callers but does not narrow the
    search: articles quote names in other languages ("U.S." inside Chinese
    text), so the names of every language are always looked for.
    """
    return default_matcher().count(text)


@functools.lru_cache(maxsize=4096)
def country_name(code: str, locale: str = "en") -> str:
    """Display name of a country in an interface locale ('en', 'zh_Hans', 'zh-Hant').

    Falls back to English, then to the code itself.
    """
    code = code.upper()
    for candidate in (locale.replace("-", "_"), "en"):
        try:
            name = Locale.parse(candidate).territories.get(code)
        except (UnknownLocaleError, ValueError):
            continue
        if name:
            return name
    return code
