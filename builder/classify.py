"""Classify stage: the language of the body, the countries it mentions, its tags.

Language: the script of the body's letters decides first (Han, kana, Hangul,
Devanagari, Telugu, Arabic, Cyrillic, ...). Chinese is told apart as zh-Hans or
zh-Hant by counting characters that exist in only one of the two scripts
(hanzidentifier's CC-CEDICT tables). Latin-script text goes to langdetect,
seeded so that the answer is deterministic. Web addresses are no language and
are not counted. The body is read, never the page chrome around it; the title
only when the body has too few letters to tell (an image or a video post).

Countries and topic tags come from ``countries`` and ``topics``.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache, lru_cache
from itertools import islice
from pathlib import Path

from builder.countries import default_matcher, detect_countries
from builder.topics import Vocabulary, load_vocabulary

# Script → language for scripts that (in a news archive) mostly mean one language.
# Ranges are Unicode blocks: which of them a character falls in is asked once
# per distinct character (and remembered), not once per character of a text.
_SCRIPTS = {
    "HAN": "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]",
    "KANA": "[\u3040-\u30ff\u31f0-\u31ff]",
    "ko": "[\uac00-\ud7af\u1100-\u11ff]",
    "hi": "[\u0900-\u097f]", "bn": "[\u0980-\u09ff]", "pa": "[\u0a00-\u0a7f]",
    "gu": "[\u0a80-\u0aff]", "ta": "[\u0b80-\u0bff]", "te": "[\u0c00-\u0c7f]",
    "kn": "[\u0c80-\u0cff]", "ml": "[\u0d00-\u0d7f]", "si": "[\u0d80-\u0dff]",
    "th": "[\u0e00-\u0e7f]", "lo": "[\u0e80-\u0eff]", "bo": "[\u0f00-\u0fff]",
    "my": "[\u1000-\u109f]", "ka": "[\u10a0-\u10ff]", "am": "[\u1200-\u137f]",
    "km": "[\u1780-\u17ff]", "ar": "[\u0600-\u06ff\u0750-\u077f]", "he": "[\u0590-\u05ff]",
    "el": "[\u0370-\u03ff]", "ru": "[\u0400-\u04ff]", "hy": "[\u0530-\u058f]",
    "LATIN": "[A-Za-z\u00c0-\u024f]",
}
_SCRIPT_PATTERNS = {name: re.compile(pattern) for name, pattern in _SCRIPTS.items()}
_SAMPLE = 4000
_WHOLE = 100_000
"""Where a text's language is read whole (see ``detect_language``), up to here."""
_LATIN_WORD = re.compile(_SCRIPTS["LATIN"] + "+")
_WEB_ADDRESS = re.compile(r"(?:https?://|www\.)[!-~]+", re.IGNORECASE)
_ANY_LETTER = re.compile("|".join(_SCRIPTS.values()))
_TOO_FEW_LETTERS = 20
"""A body with fewer letters than this (an image or a video post, or its
credits) cannot tell its language; the title is read with it."""


def detect_language(text: str, title: str = "") -> str:
    """BCP 47 tag of the language of ``text``, an article's body (with its
    ``title`` when the body is too short to tell); ``und`` when there is
    nothing to tell."""
    sample = _WEB_ADDRESS.sub(" ", text[:_SAMPLE])
    if title and _letters(sample) < _TOO_FEW_LETTERS:
        sample = title + "\n" + sample
    language = _mostly_han(sample) or _language_by_scripts(sample)
    if not language.startswith(("zh", "ja")) and _SCRIPT_PATTERNS["HAN"].search(text, _SAMPLE):
        # a transcript in one language, then its Chinese translation, longer
        # than the sample: the language of most of the text
        whole = _language_by_scripts(_WEB_ADDRESS.sub(" ", text[:_WHOLE]))
        if whole.startswith(("zh", "ja")):
            return whole
    return language


def _letters(sample: str) -> int:
    """The number of letters in ``sample``, counted up to ``_TOO_FEW_LETTERS``."""
    return sum(1 for _ in islice(_ANY_LETTER.finditer(sample), _TOO_FEW_LETTERS))


def _language_by_scripts(sample: str) -> str:
    """The language of ``sample`` from the count of its characters in each
    script. Latin letters are counted by the word (a run of letters): a Han
    character carries about as much as a word, and a Chinese article that
    names people and bodies in English (``美国农业部（U.S. Department of
    Agriculture）``) has more Latin letters than Han characters."""
    counts = dict.fromkeys(_SCRIPT_PATTERNS, 0)
    for ch, n in Counter(sample).items():
        for name in _scripts_of(ch):
            counts[name] += n
    if counts["LATIN"]:
        counts["LATIN"] = len(_LATIN_WORD.findall(sample))
    script, count = max(counts.items(), key=lambda item: item[1])
    if count == 0:
        return "und"
    if _japanese(counts["KANA"], counts["HAN"]):
        return "ja"
    if script in ("HAN", "KANA"):
        return _chinese_variant(sample)
    if script == "LATIN":
        return _latin_language(sample)
    return script


def _mostly_han(sample: str) -> str | None:
    """``_language_by_scripts(sample)`` when more than half of the sample is
    Han (most of a Chinese archive), else ``None``.

    The scripts' ranges do not overlap, so then Han is the script with the
    most characters, and what is left to decide needs four counts, each one
    pass of a regular expression in C: Han, kana, and the characters of only
    one of the two Chinese scripts. Counting every distinct character of the
    sample in Python took twice as long."""
    han = _count(_RUNS["HAN"], sample)
    if 2 * han <= len(sample):
        return None
    if _japanese(_count(_RUNS["KANA"], sample), han):
        return "ja"
    return _chinese_variant(sample)


_RUNS = {name: re.compile(f"(?:{_SCRIPTS[name]})+") for name in ("HAN", "KANA")}


def _count(runs: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the ``runs`` of a character class
    cover: removed a run at a time, the matches are a few per sentence
    instead of one per character (a third of the time on Chinese text)."""
    return len(text) - len(runs.sub("", text))


def _japanese(kana: int, han: int) -> bool:
    """Japanese, by its kana: at least a tenth of the Han and kana characters
    (Japanese writes many words in Han, Chinese writes no kana)."""
    return kana > 0 and kana >= 0.1 * (kana + han)


@cache
def _scripts_of(ch: str) -> tuple[str, ...]:
    """The scripts of ``_SCRIPTS`` whose ranges hold the character ``ch``."""
    return tuple(name for name, pattern in _SCRIPT_PATTERNS.items() if pattern.fullmatch(ch))


@cache
def _han_tables() -> tuple[frozenset[str], frozenset[str]]:
    from hanzidentifier import helpers
    simplified = frozenset(helpers.SIMPLIFIED_CHARACTERS) - frozenset(helpers.TRADITIONAL_CHARACTERS)
    traditional = frozenset(helpers.TRADITIONAL_CHARACTERS) - frozenset(helpers.SIMPLIFIED_CHARACTERS)
    return simplified, traditional


@cache
def _variant_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Runs of ``_han_tables``'s characters (for ``_count``), each class
    keeping only the characters of the Han ranges (the only ones counted as Han)."""
    def han_class(chars: frozenset[str]) -> re.Pattern[str]:
        kept = sorted(ch for ch in chars if _SCRIPT_PATTERNS["HAN"].fullmatch(ch))
        return re.compile("[" + "".join(map(re.escape, kept)) + "]+" if kept else "(?!)")
    return tuple(map(han_class, _han_tables()))


def same_han_word(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one word, written alike or each in one of
    the two Chinese scripts (横河观点, 橫河觀點): where their characters
    differ, CC-CEDICT writes one word with the one in traditional and the
    other in simplified Chinese."""
    pairs = _variant_pairs()
    return len(a) == len(b) and all(x == y or (x, y) in pairs or (y, x) in pairs for x, y in zip(a, b))


@cache
def _variant_pairs() -> frozenset[tuple[str, str]]:
    """(traditional, simplified) characters that differ between the two
    scripts: zhon's CC-CEDICT strings hold each character of one at the
    place of its counterpart in the other."""
    from zhon import cedict
    return frozenset((t, s) for t, s in zip(cedict.traditional, cedict.simplified) if t != s)


def _chinese_variant(sample: str) -> str:
    """zh-Hans or zh-Hant by which script's own characters occur more often
    in ``sample`` (Han characters that exist in only one of the two scripts)."""
    simplified, traditional = (_count(runs, sample) for runs in _variant_patterns())
    if simplified == traditional == 0:
        return "zh"
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def _latin_language(sample: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect_langs
    DetectorFactory.seed = 0
    try:
        best = detect_langs(sample[:2000])[0]
    except LangDetectException:
        return "und"
    if best.prob < 0.5:
        return "und"
    if best.lang.startswith("zh"):  # zh-cn or zh-tw: our own rule names the script
        return _chinese_variant(sample)
    return best.lang


def vocabulary(extra: Path | None) -> Vocabulary:
    """The shipped vocabulary with the user's ``extra`` file, as that file is
    now (a long-running ``serve`` sees its edits)."""
    if extra is None or not extra.is_file():
        return load_vocabulary(None)
    return _vocabulary_with(extra, extra.read_bytes())


@lru_cache(maxsize=1)  # one version of the file at a time: serve would keep every one
def _vocabulary_with(extra: Path, _content: bytes) -> Vocabulary:
    return load_vocabulary(extra)


def warm_up(vocabulary_path: Path | None) -> None:
    """Build the matchers once, in the parent, so forked workers inherit them
    instead of each spending seconds building its own."""
    detect_countries("", None)  # it may wait for the matcher being built (countries.build_matcher_soon)
    vocabulary(vocabulary_path).match("")
    _variant_patterns()


def countries_of(title: str, text: str, language: str) -> tuple[tuple[str, int], ...]:
    """(code, mentions), most mentioned first, then by code."""
    found = detect_countries(f"{title}\n{text}", language)
    return tuple(sorted(found.items(), key=lambda item: (-item[1], item[0])))


TOPIC_MIN_MENTIONS = 2
"""A vocabulary concept tags an article when its title names it, or its body
names it at least this often: one passing mention is not what a story is about."""


def tags_of(title: str, text: str, language: str, source_tags: tuple[str, ...],
            vocab: Vocabulary) -> tuple[str, ...]:
    """Topic keys the vocabulary finds, plus the source's own tags (mapped onto a
    concept when the vocabulary knows the term)."""
    tags = set(vocab.match(title, language))
    tags.update(k for k, n in vocab.counts(text).items() if n >= TOPIC_MIN_MENTIONS)
    for tag in map(source_tag, source_tags):
        if tag and not is_country_name(tag):  # a country tag is already a country of the article
            tags.add(vocab.key_for_term(tag) or tag)
    return tuple(sorted(tags))


_MIDDLE_DOTS = str.maketrans(dict.fromkeys("\u2027\u30fb\uff65\u2022\u2219\u22c5", "\u00b7"))
_ENCLOSING_QUOTES = re.compile(r'^(?:“([^“”]+)”|"([^"]+)"|「([^「」]+)」|『([^『』]+)』|《([^《》]+)》)$')


def source_tag(tag: str) -> str:
    """A source's tag as one spelling: the middle dot of a transliterated
    name written one way (凯文‧基利 and 凯文・基利 are 凯文·基利), and without
    quotes or title marks around the whole tag (“二十大” is 二十大, 《反间谍法》
    is 反间谍法)."""
    tag = tag.strip().translate(_MIDDLE_DOTS)
    quoted = _ENCLOSING_QUOTES.match(tag)
    return next(filter(None, quoted.groups())).strip() if quoted else tag


def is_country_name(text: str) -> bool:
    """Whether ``text`` is nothing but the name of one country (日本, 台湾, U.S.)."""
    mentions = default_matcher().mentions(text.strip())
    return (len(mentions) == 1 and len(mentions[0].codes) == 1
            and mentions[0].start == 0 and mentions[0].end == len(text.strip()))
