"""Language of the body, and how classification combines countries and tags."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.classify import detect_language, tags_of, vocabulary


@pytest.mark.parametrize("text, language", [
    ("北约提升与日本关系，双方建立新伙伴计划。", "zh-Hans"),
    ("北約提升與日本關係，雙方建立新夥伴計劃。", "zh-Hant"),
    ("日本の首相は東京で記者団に語った。", "ja"),
    ("यूरोपीय संघ और जापान सैन्य संबंधों को बढ़ाएंगे।", "hi"),
    ("EU మరియు జపాన్ సైనిక సంబంధాలను పెంచుకోవడానికి.", "te"),
    ("Japan PM and NATO chief meet to discuss partnership and the war in Ukraine.", "en"),
    ("Presiden Indonesia bertemu dengan para menteri di Jakarta hari ini untuk membahas anggaran.", "id"),
    ("Пресс-конференция министра иностранных дел в Москве.", "ru"),
    ("한국 대통령이 서울에서 기자회견을 열었다.", "ko"),
    ("قال الرئيس في القاهرة إن المحادثات مستمرة.", "ar"),
    ("1234 5678 !!!", "und"),
])
def test_language_of_the_body_text(text, language):
    assert detect_language(text) == language


def test_language_is_read_from_the_body_not_page_chrome():
    # a traditional-Chinese header around a simplified body: the body decides
    body = "这场会议除了讨论习近平对乌克兰战争的和平计划之外，进一步具体化了反西方轴心。" * 3
    assert detect_language(body) == "zh-Hans"


def test_english_names_in_a_chinese_text_do_not_make_it_english():
    # more Latin letters than Han characters, but far fewer Latin words
    body = ("2023年6月，美国农业部（U.S. Department of Agriculture，简称USDA）授权加州公司"
            "Good Meat销售实验室细胞培育的鸡肉。（Justin Sullivan/Getty Images）")
    assert detect_language(body) == "zh-Hans"
    # an English text naming a Chinese place is still English
    assert detect_language("The governor of 广东 (Guangdong) met the press on Monday.") == "en"


def test_a_transcript_then_its_longer_chinese_translation_is_chinese():
    english = "Doctors said the results of the trial were published in the journal last week. " * 60
    chinese = "医生说，该试验的结果上周发表在期刊上，引起了广泛的关注和讨论。" * 150
    assert len(english) > 4000
    assert detect_language(english + "\n" + chinese) == "zh-Hans"
    assert detect_language(english + "\n" + chinese[:200]) == "en"  # a short translation note


def test_web_addresses_are_no_language():
    body = ("https://media.gettr.com/group6/getter/2024/03/28/23/4895b7dc-f73e-72a6-fc78/out.mp4\n"
            "比起打仗，中国人民更担心的是中国经济困境。")
    assert detect_language(body) == "zh-Hans"
    assert detect_language("https://www.example.org/news/world/article") == "und"


def test_the_title_decides_when_the_body_has_too_few_letters():
    # an image or video post: a caption credit and a link are all its text
    body = "图文设计：樱花团/FnightMare\n原文：https://gnews.org/zh-hans/2668813/"
    assert detect_language(body, "中共军机企图在南中国海制造事端") == "zh-Hans"
    assert detect_language("", "在俄羅斯銀聯卡不能用了") == "zh-Hant"
    assert detect_language("", "") == "und"
    # a body long enough decides alone, whatever the title's language
    assert detect_language("Japan PM and NATO chief meet to discuss the partnership.", "日相会见北约秘书长") == "en"


def test_langdetect_answering_chinese_gives_the_script_not_a_region():
    from builder.classify import _latin_language
    assert _latin_language("比起打仗，中国人民更担心的是中国经济困境。") == "zh-Hans"
    assert _latin_language("比起打仗，中國人民更擔心的是中國經濟困境。") == "zh-Hant"


def test_a_vocabulary_topic_needs_the_title_or_two_mentions():
    vocab = vocabulary(None)
    assert "nato" not in tags_of("A visit", "NATO was mentioned once.", "en", (), vocab)
    assert "nato" in tags_of("A visit", "NATO met. Later NATO spoke.", "en", (), vocab)
    assert "nato" in tags_of("NATO summit", "Leaders met.", "en", (), vocab)


def test_source_tags_map_onto_concepts_or_stay_as_given():
    vocab = vocabulary(None)
    tags = tags_of("t", "body", "zh-Hans", ("北约", "周正毅"), vocab)
    assert "nato" in tags and "周正毅" in tags and "北约" not in tags


@pytest.mark.parametrize("given, tag", [
    ("凯文‧基利", "凯文·基利"), ("凯文・基利", "凯文·基利"), ("“二十大”", "二十大"), ("《反间谍法》", "反间谍法"),
    ("台风“烟花”", "台风“烟花”"), ("“甲”与“乙”", "“甲”与“乙”"),  # quotes inside the tag stay
    (" 周正毅 ", "周正毅"),
])
def test_a_source_tag_has_one_spelling_of_its_dots_and_no_enclosing_quotes(given, tag):
    assert tags_of("t", "body", "zh-Hans", (given,), vocabulary(None)) == (tag,)


def test_same_han_word_is_one_word_in_either_script():
    from builder.classify import same_han_word
    assert same_han_word("橫河觀點", "横河观点") and same_han_word("横河观点", "横河观点")
    assert not same_han_word("美国", "中国") and not same_han_word("台湾", "台")
    # each of the two scripts, but not one word: 紐約 is New York, 圣诞 Christmas
    assert not same_han_word("紐約", "圣诞") and not same_han_word("美國", "美军")


def test_a_source_tag_that_is_a_country_name_is_not_a_tag():
    vocab = vocabulary(None)
    tags = tags_of("t", "body", "zh-Hans", ("日本", "台湾", "日本文化"), vocab)
    assert "日本" not in tags and "台湾" not in tags and "日本文化" in tags


def test_characters_are_counted_by_script_once_per_distinct_character():
    from builder.classify import _scripts_of
    assert _scripts_of("中") == ("HAN",) and _scripts_of("カ") == ("KANA",) and _scripts_of("é") == ("LATIN",)
    assert _scripts_of(" ") == () and _scripts_of("1") == ()
    # a few kana among many Han characters still make it Japanese (10% rule), fewer do not
    assert detect_language("東京" * 9 + "のの") == "ja"
    assert detect_language("東京" * 10 + "の") == "zh-Hant"


def test_scripts_do_not_overlap():
    """``_mostly_han`` relies on it: more than half of a text in one script
    leaves less than half for all the others."""
    from builder.classify import _scripts_of
    assert all(len(_scripts_of.__wrapped__(chr(code))) <= 1 for code in range(0x10000))


_HAN_TEXT_ALPHABET = (
    "这们说从门关发会对时经过还样国东车长开见问题"  # simplified only
    "這們說從門關發會對時經過還樣國東車長開見問題"  # traditional only
    "中日人大上下山水火木金土天"  # both scripts
    "の東カタかなア" "한국" "Москва" "abcXYZé" "0123" "。，、「」 \n\u3000"
)


@given(st.text(alphabet=_HAN_TEXT_ALPHABET, max_size=60))
@settings(max_examples=400, deadline=None)
def test_the_count_of_a_mostly_han_text_gives_the_full_counts_answer(text):
    from builder.classify import _language_by_scripts, _mostly_han
    quick = _mostly_han(text)
    assert quick is None or quick == _language_by_scripts(text)


def test_a_chinese_body_takes_the_quick_count_and_a_mixed_one_does_not():
    from builder.classify import _mostly_han
    assert _mostly_han("这场会议除了讨论和平计划之外，进一步具体化了反西方轴心。") == "zh-Hans"
    assert _mostly_han("這場會議除了討論和平計劃之外，進一步具體化了反西方軸心。") == "zh-Hant"
    assert _mostly_han("東京の首相はかなりの時間を記者団に語った。") is None  # half of it is not Han
    assert _mostly_han("NATO 北约 summit") is None
