"""Retention of the article's own text and removal of boilerplate, measured
against the hand-checked gold set in tests/retention/ (see its README)."""

from statistics import mean

import pytest

from builder.clean import clean
from builder.extract import extract
from builder.read import decode
from builder.models import SourceFile
from tests.retention import score

ANNOTATIONS = score.load_annotations(score.ANNOTATIONS)


def _cleaned(ann: dict):
    raw_bytes = score.fixture_path(ann).read_bytes()
    text = decode(SourceFile(ann["path"], raw_bytes, "0" * 64))
    body = clean(extract(text))
    return text, body


def _measure():
    rows = []
    for ann in ANNOTATIONS:
        raw, body = _cleaned(ann)
        body_text = score.body_text_of_html(body.html)
        rows.append((ann["path"], score.retention(score.gold_text(raw, ann), body_text),
                     score.boilerplate_left(raw, ann, body_text) + score.markup_left(ann, body.html)))
    return rows


@pytest.fixture(scope="module")
def measured():
    return _measure()


def test_gold_sample_covers_three_mirrors_and_sixty_files():
    mirrors = {a["path"].split("/")[0] for a in ANNOTATIONS}
    assert len(ANNOTATIONS) >= 60
    assert {"epic-marker", "gfw-breaker", "ourhimalayas"} <= mirrors


def test_article_text_survives_cleaning(measured):
    shares = [share for _, share, _ in measured]
    worst = sorted(measured, key=lambda r: r[1])[:5]
    print(f"\nretention over {len(shares)} files: mean {mean(shares):.4f}, min {min(shares):.4f}")
    for path, share, _ in worst:
        print(f"  {share:.4f}  {path}")
    assert mean(shares) >= 0.99
    assert min(shares) >= 0.90, worst


def test_no_boilerplate_survives_cleaning(measured):
    left = [(path, found) for path, _, found in measured if found]
    total = sum(len(found) for _, found in left)
    print(f"\nboilerplate snippets left: {total} in {len(left)} files")
    assert left == []
