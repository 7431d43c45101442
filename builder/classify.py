"""Classify stage: the language of the body, the countries it mentions, its tags.

Language: the script of the body's letters decides first (Han, kana, Hangul,
Devanagari, Telugu, Arabic, Cyrillic, ...). Chinese is told apart as zh-Hans or
zh-Hant by counting characters that exist in only one of the two scripts
(hanzidentifier's CC-CEDICT tables). Latin-script text goes to langdetect,
seeded so that the answer is deterministic. Only the body is read, never the
page chrome around it.

Countries and topic tags come from ``countries`` and ``topics``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import cache
from pathlib import Path

from builder.countries import detect_countries
from builder.topics import Vocabulary, load_vocabulary

_SCRIPT_LANGUAGE = {
    "HANGUL": "ko", "DEVANAGARI": "hi", "TELUGU": "te", "TAMIL": "ta", "BENGALI": "bn",
    "GUJARATI": "gu", "GURMUKHI": "pa", "KANNADA": "kn", "MALAYALAM": "ml", "THAI": "th",
    "ARABIC": "ar", "HEBREW": "he", "GREEK": "el", "CYRILLIC": "ru", "MYANMAR": "my",
    "KHMER": "km", "LAO": "lo", "TIBETAN": "bo", "GEORGIAN": "ka", "ARMENIAN": "hy",
    "SINHALA": "si", "ETHIOPIC": "am",
}
_SAMPLE = 4000


def detect_language(text: str) -> str:
    """BCP 47 tag of ``text``'s language; ``und`` when there is nothing to tell."""
    sample = text[:_SAMPLE]
    scripts: Counter[str] = Counter()
    han_chars = []
    for ch in sample:
        if not ch.isalpha():
            continue
        script = _script(ch)
        scripts[script] += 1
        if script == "HAN":
            han_chars.append(ch)
    if not scripts:
        return "und"
    script, count = scripts.most_common(1)[0]
    kana = scripts["HIRAGANA"] + scripts["KATAKANA"]
    if kana and kana >= 0.1 * (kana + scripts["HAN"]):
        return "ja"
    if script in ("HAN", "HIRAGANA", "KATAKANA"):
        return _chinese_variant(han_chars)
    if script == "LATIN":
        return _latin_language(sample)
    return _SCRIPT_LANGUAGE.get(script, "und")


@cache
def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if name.startswith("CJK") or "IDEOGRAPH" in name:
        return "HAN"
    return name.split(" ", 1)[0] if name else "UNKNOWN"


@cache
def _han_tables() -> tuple[frozenset[str], frozenset[str]]:
    from hanzidentifier import helpers
    simplified = frozenset(helpers.SIMPLIFIED_CHARACTERS) - frozenset(helpers.TRADITIONAL_CHARACTERS)
    traditional = frozenset(helpers.TRADITIONAL_CHARACTERS) - frozenset(helpers.SIMPLIFIED_CHARACTERS)
    return simplified, traditional


def _chinese_variant(chars: list[str]) -> str:
    simplified, traditional = _han_tables()
    simp = sum(1 for ch in chars if ch in simplified)
    trad = sum(1 for ch in chars if ch in traditional)
    if simp == trad == 0:
        return "zh"
    return "zh-Hant" if trad > simp else "zh-Hans"


def _latin_language(sample: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect_langs
    DetectorFactory.seed = 0
    try:
        best = detect_langs(sample[:2000])[0]
    except LangDetectException:
        return "und"
    return best.lang if best.prob >= 0.5 else "und"


@cache
def vocabulary(extra: Path | None) -> Vocabulary:
    return load_vocabulary(extra if extra and extra.is_file() else None)


def warm_up(vocabulary_path: Path | None) -> None:
    """Build the matchers once, in the parent, so forked workers inherit them
    instead of each spending seconds building its own."""
    detect_countries("", None)
    vocabulary(vocabulary_path).match("")
    _han_tables()


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
    for tag in source_tags:
        tags.add(vocab.key_for_term(tag) or tag)
    return tuple(sorted(tags))
