"""Topic vocabulary: one concept per tag across languages, user extensions, boundaries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.errors import ConfigError
from builder.topics import Topic, Vocabulary, load_vocabulary

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary()


def test_shipped_vocabulary_has_at_least_45_concepts_with_chinese_labels(vocab):
    assert len(vocab) >= 45
    for topic in vocab:
        assert isinstance(topic, Topic)
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", topic.key)
        assert {"en", "zh-Hans", "zh-Hant"} <= topic.label.keys(), topic.key
        assert topic.terms, topic.key


@pytest.mark.parametrize("text", [
    "NATO leaders met in Vilnius.",            # Latin
    "北约秘书长访问东京。",                        # Han, simplified
    "北約秘書長訪問東京。",                        # Han, traditional
    "नाटो के महासचिव ने कहा।",                   # Devanagari
    "నాటో సదస్సులో ప్రధాని పాల్గొన్నారు.",           # Telugu, with a case ending
])
def test_nato_in_any_script_is_the_one_key_nato(vocab, text):
    assert "nato" in vocab.match(text)


def test_nato_in_four_scripts_gives_a_single_tag(vocab):
    text = "NATO. 北约。 नाटो। నాటో."
    assert vocab.match(text) == ["nato"]


def test_source_tags_map_onto_concepts(vocab):
    assert vocab.key_for_term("北约") == "nato"
    assert vocab.key_for_term("NATO") == "nato"
    assert vocab.key_for_term("nato") == "nato"
    assert vocab.key_for_term("中共") == "ccp"
    assert vocab.key_for_term("伙伴") is None
    assert vocab.key_for_term("日本") is None


def test_labels_follow_the_interface_locale(vocab):
    assert vocab.label("nato", "en") == "NATO"
    assert vocab.label("nato", "zh_Hans") == "北约"
    assert vocab.label("nato", "zh-Hant") == "北約"
    assert vocab.label("nato", "zh-TW") == "北約"
    assert vocab.label("nato", "zh") == "北约"
    assert vocab.label("nato", "fr") == "NATO"
    assert vocab.label("no-such-topic", "en") == "no-such-topic"


def test_no_match_inside_a_longer_word_where_boundaries_apply(vocab):
    assert "artificial-intelligence" not in vocab.match("She SAID the MAIL had arrived.")
    assert "artificial-intelligence" in vocab.match("Investors poured money into AI startups.")
    assert "nato" not in vocab.match("SENATOR Smith spoke.")
    assert "sanctions" not in vocab.match("The sanctionsless regime")
    assert "missiles" not in vocab.match("ミサイルズ")


def test_han_terms_need_no_boundaries(vocab):
    assert "nato" in vocab.match("日本与北约建立新伙伴计划")


def test_a_term_inside_a_longer_term_is_not_a_second_mention(vocab):
    # 新冠 inside 新冠病毒 is one mention; 中共病毒 is a name of the virus, not of the party
    assert vocab.counts("新冠病毒") == {"covid-19": 1}
    assert vocab.match("中共病毒") == ["covid-19"]


def test_blocker_phrases_absorb_the_term_inside_them(vocab):
    assert "courts-and-law" not in vocab.match("台湾立法院今天开会")
    assert "courts-and-law" in vocab.match("最高法院今天裁定")
    assert "economy" not in vocab.match("世界经济论坛在达沃斯召开")
    assert "protests" not in vocab.match("外交部对此提出抗议")
    assert "protests" in vocab.match("数千人上街抗议")
    assert "economy" not in vocab.match("法轮功学员遭到经济迫害")
    assert "education" not in vocab.match("被非法关押在法制教育中心")
    assert "education" in vocab.match("学校教育改革")
    # 南海 inside the names of Zhongnanhai, Wuhan's seafood market and Foshan's district
    assert "south-china-sea" not in vocab.match("中南海高层内斗")
    assert "south-china-sea" not in vocab.match("武汉华南海鲜市场")
    assert "south-china-sea" not in vocab.match("佛山市南海区")
    assert "south-china-sea" in vocab.match("中共在南海建岛")
    assert "south-china-sea" in vocab.match("在整个南海区域巡航")
    assert "south-china-sea" in vocab.match("美中南海对峙")  # 美中 + 南海, not 中南海
    assert "south-china-sea" not in vocab.match("无人机飞越中南海上空")
    assert "south-china-sea" not in vocab.match("官媒赞美中南海的决策")


def test_names_are_not_found_in_lowercase_urls(vocab):
    assert "social-media" not in vocab.match("see https://www.youtube.com/watch?v=x")
    assert "social-media" in vocab.match("He posted the video on YouTube.")


def test_common_nouns_match_capitalised_and_in_capitals(vocab):
    assert "nuclear-weapons" in vocab.match("Nuclear weapons were discussed.")
    assert "nuclear-weapons" in vocab.match("BAN NUCLEAR WEAPONS NOW")


def test_extra_file_adds_a_concept_and_a_term_to_an_existing_one(tmp_path, vocab):
    extra = tmp_path / "topics.toml"
    extra.write_text(
        '[quad]\n'
        'label = { en = "Quad", zh-Hans = "四方安全对话" }\n'
        'terms = ["Quad summit", "四方安全对话"]\n'
        '\n'
        '[nato]\n'
        'terms = ["Alliance atlantique"]\n',
        encoding="utf-8")
    extended = load_vocabulary(extra)
    assert extended.match("四方安全对话在东京举行") == ["quad"]
    assert "nato" in extended.match("L'Alliance atlantique se réunit.")
    assert extended.label("quad", "zh-Hans") == "四方安全对话"
    assert extended.label("nato", "zh-Hans") == "北约"   # shipped label kept
    assert extended.key_for_term("Quad summit") == "quad"
    # The shipped vocabulary itself is unchanged.
    assert "quad" not in vocab
    assert "nato" not in vocab.match("L'Alliance atlantique se réunit.")


def test_extra_concept_without_an_english_label_is_rejected(tmp_path):
    extra = tmp_path / "topics.toml"
    extra.write_text('[quad]\nterms = ["Quad"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="English label"):
        load_vocabulary(extra)


def test_malformed_extra_file_is_a_config_error(tmp_path):
    extra = tmp_path / "topics.toml"
    extra.write_text('[quad\nterms = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_vocabulary(extra)
    extra.write_text('[quad]\nlabel = { en = "Quad" }\nterms = "Quad"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="list of non-empty strings"):
        load_vocabulary(extra)


def test_seed_about_nato_and_japan_is_tagged_nato(vocab):
    path = SEEDS / "001_ace06215ba7acc5f.txt"
    if not path.is_file():
        pytest.skip(f"seed fixture {path} is missing")
    assert "nato" in vocab.match(path.read_text(encoding="utf-8"))


def test_matching_is_deterministic_and_sorted(vocab):
    text = "NATO 北约 sanctions 制裁 COVID-19 疫苗 Falun Gong 法轮功 tariffs 关税"
    first = vocab.match(text, "en")
    assert first == sorted(first)
    assert all(vocab.match(text, "en") == first for _ in range(3))
    assert load_vocabulary() is load_vocabulary()
