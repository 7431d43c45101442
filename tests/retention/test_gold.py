"""Checks of the gold set itself and of the scorer on it (no cleaner involved).

* every anchor of every annotation occurs verbatim in its fixture copy;
* scoring the gold text against itself gives full retention and no
  boilerplate left (so no boilerplate snippet hides inside article text);
* scoring the visible text of the whole raw file keeps all gold text and
  finds the boilerplate wherever the file has some.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from tests.retention.score import (
    ANNOTATIONS,
    body_text_of_html,
    boilerplate_left,
    check_annotation,
    comparable,
    fixture_path,
    gold_text,
    load_annotations,
    markup_left,
    neutral_text,
    read_raw,
    retention,
    visible_text,
)

ANNS = load_annotations(ANNOTATIONS)
IDS = [a["path"] for a in ANNS]


def _mirror(path: str) -> str:
    return path.split("/")[0] if path.startswith("seeds/") else "/".join(path.split("/")[:2])


def test_sample_size_and_spread():
    counts = Counter(_mirror(a["path"]) for a in ANNS)
    assert len(ANNS) >= 66
    assert len(set(IDS)) == len(IDS), "a file is annotated twice"
    assert counts["epic-marker/epoch-news"] >= 25
    assert counts["gfw-breaker/mh-news"] >= 18
    assert counts["ourhimalayas/txt"] >= 18
    assert counts["seeds"] == 5


@pytest.mark.parametrize("ann", ANNS, ids=IDS)
def test_anchors_verbatim(ann):
    assert fixture_path(ann).is_file(), f"fixture copy missing: {fixture_path(ann)}"
    raw = read_raw(ann)
    assert check_annotation(raw, ann) == []
    # A non-trivial gold text.
    assert len(comparable(gold_text(raw, ann))) >= 50


@pytest.mark.parametrize("ann", ANNS, ids=IDS)
def test_gold_scores_itself_perfectly(ann):
    raw = read_raw(ann)
    gold = gold_text(raw, ann)
    assert retention(gold, gold) == 1.0
    assert boilerplate_left(raw, ann, gold) == []
    # A cleaner may keep the neutral snippets: they must not look like boilerplate.
    assert boilerplate_left(raw, ann, gold + "\n" + neutral_text(raw, ann)) == []


@pytest.mark.parametrize("ann", ANNS, ids=IDS)
def test_whole_raw_file_keeps_gold_and_shows_boilerplate(ann):
    raw = read_raw(ann)
    everything = visible_text(raw)
    assert retention(gold_text(raw, ann), everything) == 1.0
    text_snippets = [b for b in ann["boilerplate"] if comparable(visible_text(b))]
    assert boilerplate_left(raw, ann, everything) == text_snippets
    markup_snippets = [b for b in ann["boilerplate"] if not comparable(visible_text(b))]
    assert markup_left(ann, raw) == markup_snippets


def test_files_with_boilerplate_have_two_snippets():
    # Where a file has boilerplate we pin at least two snippets of it; the
    # exceptions are files whose only boilerplate is a single line.
    single = {
        "ourhimalayas/txt/content/gnews/2395409.md",  # back-link only
        "ourhimalayas/txt/content/gnews/1519165.md",  # back-link only
        "ourhimalayas/txt/content/gnews/1563324.md",  # back-link only
        "ourhimalayas/txt/content/gnews/2400102.md",  # back-link only
        "ourhimalayas/txt/content/gnews/2111508.md",  # back-link only
        "ourhimalayas/txt/content/gnews/1336671.md",  # back-link only
        "ourhimalayas/txt/content/gnews/2428515.md",  # back-link only
        "seeds/003_6beaf405c0428abc.txt",  # share prompt only
    }
    for ann in ANNS:
        n = len(ann["boilerplate"])
        if ann["path"] in single:
            assert n == 1, ann["path"]
        elif ann["path"] != "seeds/004_6dd9f12cafea0c39.txt":
            assert n >= 2, ann["path"]


def test_scoring_all_files_is_fast():
    raws = [read_raw(a) for a in ANNS]
    golds = [gold_text(r, a) for r, a in zip(raws, ANNS)]
    t0 = time.perf_counter()
    for i, (raw, ann) in enumerate(zip(raws, ANNS)):
        # Worst realistic cases: a body missing every other sentence, and the
        # text of an unrelated article.
        half = "。".join(golds[i].split("。")[::2])
        retention(golds[i], half)
        retention(golds[i], golds[i - 1])
        boilerplate_left(raw, ann, half)
    assert time.perf_counter() - t0 < 10


def test_visible_text_basics():
    raw = (
        '## Head\n<p>A <ok href="x">b</ok>&amp;c<!-- hidden --></p>\n'
        "![img](http://i/x.png) [link text](http://u) [[zh:中国]]人 **bold** `code`\n"
        "```\nfenced\n```\n"
    )
    assert visible_text(raw) == "Head A b &c link text 中国人 bold code fenced"


def test_retention_and_comparable():
    assert retention("", "anything") == 1.0
    assert retention("abc def", "ABC... def") == 0.5  # case matters, punctuation not
    assert retention("中国，人民。", "中国人民") == 1.0
    assert retention("abcd", "ab") == 0.5
    # Hindi vowel signs are kept, so different words stay different.
    assert comparable("करें") != comparable("कर")


def test_body_text_of_html():
    html = "<p>one<br>two</p><script>x()</script><figure><figcaption>cap</figcaption></figure>"
    assert body_text_of_html(html).split("\n") == ["one", "two", "cap"]
