"""Per-article processing: sidecars, permalinks and collisions."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from builder.build import build, resolve_slug_collisions
from builder.models import PartialDate, Person, SourceFile
from builder.process import _word_count, parse_sidecar_date, permalink_slug, process_source, summarise
from builder.related import is_translation
from tests.conftest import ROOT, copy_seeds, make_settings

SEED = (ROOT / "content" / "003_6beaf405c0428abc.txt").read_bytes()


def _source(raw: bytes, path: str = "news/a.txt", sidecar: dict | None = None) -> SourceFile:
    return SourceFile(path, raw, hashlib.sha256(raw).hexdigest(), tuple(sorted((sidecar or {}).items())))


def test_permalink_comes_from_the_path_not_the_text():
    assert permalink_slug("000_9b25765c4741cd75.txt") == "000-9b25765c4741cd75"
    assert permalink_slug("epoch/pages/ncid277/n12911853.md") == "epoch/pages/ncid277/n12911853"
    assert permalink_slug("新闻/美国 大选.md") == "新闻/美国-大选"
    first = process_source(_source(SEED)).article
    changed = process_source(_source(SEED.replace("यूरोपीय".encode(), b"X", 1))).article
    assert first.slug == changed.slug == "news/a"


def test_sidecar_overrides_every_extracted_field():
    sidecar = {"title": "Better", "date": "2024-11-15", "source_url": "https://example.com/story",
               "publisher": "Example Times", "authors": ["A. Writer"], "language": "hi",
               "tags": ["NATO", "custom topic"], "countries": ["jp", "in"], "slug": "eu-japan"}
    article = process_source(_source(SEED, sidecar=sidecar)).article
    assert article.title == "Better"
    assert article.date == PartialDate(2024, 11, 15)
    assert article.original_url == "https://example.com/story"
    assert article.publisher.name == "Example Times"
    assert Person("A. Writer", "author") in article.people
    assert article.language == "hi"
    assert {"nato", "custom topic"} <= set(article.tags)
    assert article.countries == (("JP", 1), ("IN", 1))
    assert article.slug == "eu-japan"


def test_sidecar_dates_keep_their_precision():
    assert parse_sidecar_date("2022") == PartialDate(2022)
    assert parse_sidecar_date("2022-04") == PartialDate(2022, 4)
    assert parse_sidecar_date("2022-13") is None
    assert parse_sidecar_date("April 2022") is None


def test_malformed_sidecar_skips_the_file_naming_file_and_line(tmp_path):
    content = copy_seeds(tmp_path / "content")
    (content / "003_6beaf405c0428abc.meta.toml").write_text('title = "x"\ndate = [\n', encoding="utf-8")
    (content / "004_6dd9f12cafea0c39.meta.toml").write_text('date = "someday"\n', encoding="utf-8")
    report = build(make_settings(content, tmp_path / "site"))
    skipped = {s.path: s.message for s in report.skipped}
    assert any(p.startswith("003_6beaf405c0428abc.meta.toml:") for p in skipped), skipped
    assert "004_6dd9f12cafea0c39.txt" in skipped and "YYYY" in skipped["004_6dd9f12cafea0c39.txt"]
    assert report.articles == 3


def test_slug_collisions_are_resolved_by_path_order_and_stay_stable():
    one = process_source(_source(SEED, "News/A.txt")).article
    two = process_source(_source(SEED, "news/a.md")).article
    assert one.slug.lower() == two.slug.lower()
    resolved = resolve_slug_collisions([two, one])
    slugs = {a.source_path: a.slug for a in resolved}
    assert slugs["News/A.txt"] == "news/a"
    assert slugs["news/a.md"].startswith("news/a-") and len(slugs["news/a.md"]) == len("news/a-") + 8
    assert resolve_slug_collisions([one, two]) == resolved


def test_hindi_and_telugu_seeds_are_one_story():
    hindi = process_source(_source(SEED, "003.txt")).article
    telugu_raw = (ROOT / "content" / "004_6dd9f12cafea0c39.txt").read_bytes()
    telugu = process_source(_source(telugu_raw, "004.txt")).article
    english_raw = (ROOT / "content" / "002_fd40830f1acd1926.txt").read_bytes()
    english = process_source(_source(english_raw, "002.txt")).article
    assert (hindi.language, telugu.language) == ("hi", "te")
    assert is_translation(hindi, telugu)
    assert not is_translation(hindi, english)


def test_word_count_counts_spaced_words_and_cjk_characters():
    # Hello, world, test, x, y; 你好世界 中国。 한국어: ten characters
    assert _word_count("Hello world 你好世界，中国。 한국어 test123 x_y") == 15


@given(st.text(st.sampled_from("ab 1_，。你好한국\u2e80\u9fff\uac00\ud7afé-")))
def test_word_count_by_runs_counts_every_cjk_character(text):
    """Counting CJK characters by runs gives one per character."""
    words = len(re.findall(r"[^\W\d_\u2e80-\u9fff\uac00-\ud7af]+", text))
    assert _word_count(text) == words + sum(1 for ch in text if "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af")


def test_a_post_whose_only_line_repeats_its_byline_has_no_article_text():
    """A real GNews video post whose video was not mirrored: its one body line
    is the byline's name again. That is a credit, not the article's text; the
    page says the file holds no text instead of showing the name as the body."""
    rel = "ourhimalayas/txt/content/gnews/2424419.md"
    raw = (ROOT / "tests/fixtures/bench-samples" / rel).read_bytes()
    processed = process_source(SourceFile(rel, raw, hashlib.sha256(raw).hexdigest()))
    assert Person("秘密翻译组-北美组", "author") in processed.article.people
    assert "秘密翻译组" not in processed.body_html
    assert processed.article.notes == ("no article text: the file holds only a title and credits",)


def test_a_post_without_article_text_takes_the_language_of_its_title():
    rel = "ourhimalayas/txt/content/gnews/2424419.md"
    raw = (ROOT / "tests/fixtures/bench-samples" / rel).read_bytes()
    article = process_source(SourceFile(rel, raw, hashlib.sha256(raw).hexdigest())).article
    assert article.language == "zh-Hans"
    assert process_source(_source(raw, sidecar={"language": "en"})).article.language == "en"


def _fixture_article(rel: str):
    raw = (ROOT / "tests/fixtures/corpus" / rel).read_bytes()
    return process_source(SourceFile(rel, raw, hashlib.sha256(raw).hexdigest())).article


def test_a_summary_opens_with_the_articles_prose_not_its_dateline_or_captions():
    # real files: a Minghui dateline with its reporter, and an Epoch Times
    # lead picture whose caption comes before the dateline
    minghui = _fixture_article("gfw-breaker/mh-news/pages/282/368285.md")
    assert minghui.summary.startswith("二零一八年五月十三日是第十九届“世界法轮大法日”")
    epoch = _fixture_article("epic-marker/epoch-news/pages/ncid280/n12698205.md")
    assert epoch.summary.startswith("中共病毒") and "视频截图" not in epoch.summary


def test_what_a_summary_leaves_out():
    caption = "图为会场。（视频截图）"
    assert summarise(f"{caption}\n【大纪元2021年01月19日讯】会议开幕。", frozenset({caption})) == "会议开幕。"
    assert summarise("A title\nThe story.", title="A title") == "The story."
    assert summarise("【明慧网二零二一年一月四日】（明慧记者李正悉尼报道）会议开幕。") == "会议开幕。"
    # a dateline elsewhere, or a bracket without a date, is prose
    assert summarise("会议开幕。【大纪元2021年01月19日讯】") == "会议开幕。【大纪元2021年01月19日讯】"
    assert summarise("【财商天下】马斯克") == "【财商天下】马斯克"
    # a line that is only an address (a video's file) is no prose; an address in a sentence is
    assert summarise("https://media.example/group8/out.mp4\n会议开幕。") == "会议开幕。"
    assert summarise("见 https://a.example/x 会议开幕。") == "见 https://a.example/x 会议开幕。"
    assert summarise("https://t.co/abc会议开幕。\n第二段。") == "https://t.co/abc会议开幕。 第二段。"
    for address in ("https://zh.wikipedia.org/wiki/中南海", "https://gnews.org/zh-hans/?s=疫苗灾难",
                    "https://www.youtube.com/c/tansuo\u200b"):
        assert summarise(f"{address}\n会议开幕。") == "会议开幕。", address
    # nothing but captions: they are the summary; nothing but a dateline: none
    assert summarise(caption, frozenset({caption})) == caption
    assert summarise("【明慧网二零二一年一月四日】") == ""


def test_a_linked_headline_in_another_language_does_not_make_the_post_that_language():
    """A Chinese post that cites a Japanese headline (a GNews farm's BBC
    Japanese source) is Chinese; a Japanese post stays Japanese, and a word
    the text links is still the text's."""
    chinese = ("# 英国向瑞典和芬兰提供军事支持\n\n瑞典和芬兰正在考虑申请加入北约，英国已决定在紧急情况下向这两个国家提供军事支持。\n\n"
               "参考连结：[英国、フィンランド・スウェーデンと安全保障強化で合意 – BBCニュース](https://www.bbc.com/japanese/61418062)\n")
    assert process_source(_source(chinese.encode(), "news/a.md")).article.language == "zh-Hans"
    japanese = ("# 安全保障\n\n英国は[フィンランド](https://a.example/fi)とスウェーデンに対し、緊急時に軍事支援を提供することで合意した。"
                "両国は北大西洋条約機構への加盟を検討している。\n")
    assert process_source(_source(japanese.encode(), "news/b.md")).article.language == "ja"
