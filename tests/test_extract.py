"""Source profiles on real files copied from the corpus, and the generic rules."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from builder.extract import _number, _parses_to_a_web_host, _plain_web_url, extract, web_url
from builder.models import Link, PartialDate, Person
from builder.profiles import choose_profile, load_profiles
from tests.conftest import profile_named

FIXTURES = Path(__file__).parent / "fixtures"
EPOCH = FIXTURES / "corpus/epic-marker/epoch-news/pages"
MINGHUI = FIXTURES / "corpus/gfw-breaker/mh-news/pages"
GNEWS = FIXTURES / "corpus/ourhimalayas/txt/content/gnews"
SEEDS = FIXTURES / "seeds"
BENCH = FIXTURES / "bench-samples"


def _read(path: Path):
    return extract(path.read_text(encoding="utf-8"))


def test_every_profile_file_loads_and_generic_is_last():
    profiles = load_profiles()
    names = [p.name for p in profiles]
    assert {"epoch-times-mirror", "minghui-mirror", "gnews-repost", "aggregator-web-id", "generic"} <= set(names)
    assert names[-1] == "generic"


@pytest.mark.parametrize("folder, profile", [
    (EPOCH, "epoch-times-mirror"), (MINGHUI, "minghui-mirror"), (GNEWS, "gnews-repost")])
def test_each_mirror_file_is_recognised_by_its_profile(folder, profile):
    files = sorted(folder.rglob("*.md"))
    assert files
    assert {choose_profile(f.read_text(encoding="utf-8")).name for f in files} == {profile}


def test_epoch_mirror_title_comes_from_heading_and_date_from_dateline():
    found = _read(SEEDS / "001_ace06215ba7acc5f.txt")
    assert found.title == "北约提升与日本关系 双方建立新伙伴计划"
    assert found.date == PartialDate(2023, 7, 12)
    assert found.original_url == "https://www.epochtimes.com/gb/23/7/12/n14032904.htm"
    assert "Epoch Times" in found.publisher.name
    assert Person("李同德", "editor") in found.people
    assert "原文链接" not in found.body and "[首页]" not in found.body


def test_epoch_mirror_date_without_a_dateline_is_its_own_address_not_a_linked_article():
    seed = (SEEDS / "001_ace06215ba7acc5f.txt").read_text(encoding="utf-8")
    assert "大纪元2023年07月12日讯" in seed
    seed = seed.replace("大纪元2023年07月12日讯", "大纪元记者报导").replace(
        "  北约和日本的新的伙伴关系计划出台之际，",
        '  <ok href="https://www.epochtimes.com/gb/21/6/22/n13039794.htm">旧文</ok>北约和日本的新的伙伴关系计划出台之际，')
    assert extract(seed).date == PartialDate(2023, 7, 12)


def test_epoch_mirror_dateline_wins_over_the_url_date():
    # the dateline says the 29th, the URL the 28th (the page was filed the day before)
    text = (EPOCH / "ncid277").glob("*.md")
    for path in text:
        found = _read(path)
        assert found.date is not None and found.date.precision.value == "day", path


def test_minghui_date_in_chinese_numerals_and_mirror_url_from_share_block():
    found = _read(MINGHUI / "140/338527.md")
    assert found.date == PartialDate(2016, 12, 5)
    assert found.original_url.startswith("http://www.minghui.org/mh/articles/2016/12/5/")
    assert found.publisher.name == "明慧网 Minghui"
    assert found.mirror.url == "https://github.com/gfw-breaker/mh-news/blob/master/pages/140/338527.md"
    assert "手机上长按" not in found.body


def test_minghui_mirror_of_an_epoch_times_article_credits_the_epoch_times():
    found = _read(MINGHUI / "nf4778/n11934176.md")
    assert "epochtimes.com" in found.original_url
    assert "Epoch Times" in found.publisher.name
    assert found.date is not None


@pytest.mark.parametrize("number, value", [("二零一六", 2016), ("十二", 12), ("五", 5), ("二十六", 26),
                                           ("三十一", 31), ("十", 10), ("〇九", 9), ("07", 7)])
def test_chinese_numerals(number, value):
    assert _number(number) == value


def test_gnews_new_era_header_gives_date_time_and_author_group():
    found = _read(GNEWS / "1336671.md")
    assert found.date == PartialDate(2023, 5, 28, "07:11")
    assert found.original_url == "https://gnews.org/articles/1336671"
    assert Person("澳洲雅典娜农场", "author") in found.people
    assert found.title.startswith("5月26日妮可")


def test_gnews_old_era_date_is_the_month_of_the_article_images_not_the_logo():
    found = _read(SEEDS / "000_9b25765c4741cd75.txt")
    assert found.date == PartialDate(2022, 4)
    assert found.date.iso() == "2022-04"


def test_gnews_chain_original_republisher_based_on_and_mirror():
    found = _read(SEEDS / "000_9b25765c4741cd75.txt")
    assert found.publisher.name == "GNews"
    assert found.republisher.url == "https://gnews.org/zh-hans/2402170/"
    assert found.based_on.url.startswith("https://www.zerohedge.com/geopolitical/japan-new-zealand")
    assert found.mirror.url == "https://github.com/ourhimalayas/txt"
    roles = {(p.role, p.name) for p in found.people}
    assert {("author", "东京樱花团/asket"), ("editor", "东京樱花团/喜马拉雅的微尘"),
            ("publisher", "东京樱花团/老黑")} <= roles


def test_gnews_credit_lines_leave_the_body_and_become_people():
    found = _read(GNEWS / "2417986.md")
    assert Person("里奇", "translator") in found.people
    assert Person("五通庙", "publisher") in found.people
    assert "翻译: 里奇" not in found.body
    assert "更多资讯" not in found.body and "免责声明" not in found.body


def test_aggregator_page_title_publisher_and_date():
    found = _read(SEEDS / "002_fd40830f1acd1926.txt")
    assert found.title == "Japan PM, NATO chief meet to discuss partnership, Ukraine"
    assert found.publisher.name == "MAINICHI"
    assert found.date == PartialDate(2025, 4, 9)
    assert "Cari Berita" not in found.body and "komentar" not in found.body
    assert found.body.lstrip().startswith("NATO Secretary General")


def test_generic_plain_text_takes_first_line_as_title_and_invents_no_date():
    found = _read(SEEDS / "003_6beaf405c0428abc.txt")
    assert found.profile == "generic"
    assert found.title.startswith("यूरोपीय संघ और जापान")
    assert found.date is None and found.original_url is None and found.publisher.name is None
    assert not found.body.lstrip().startswith("यूरोपीय संघ और जापान क्षेत्रीय")


def test_generic_markdown_heading_title_and_stated_date():
    found = extract("# A heading\n\nPublished: March 3, 2021\n\nSome **text** here.\n")
    assert found.title == "A heading"
    assert found.date == PartialDate(2021, 3, 3)
    assert found.format == "markdown"


def test_generic_never_takes_a_year_in_the_text_for_a_date():
    found = extract("Title line\nIn 2022 the strategy was adopted.\nMore text.\n")
    assert found.date is None


def test_generic_html_document_title_from_title_element():
    found = extract("<!DOCTYPE html><html><head><title>Page title</title></head>"
                    "<body><nav>menu</nav><p>One.</p><p>Two.</p><p>Three.</p></body></html>")
    assert found.title == "Page title"
    assert found.format == "html"


def test_credit_lines_written_with_tags_or_entities_are_found_and_others_kept():
    found = extract("Title\n\nBody line one.\n<b>编辑</b>&#xff1a;李易通\n翻译&#58; 里奇\n"
                    "A line with no credit.\n<i>Just</i> &amp; text\n")
    assert Person("李易通", "editor") in found.people and Person("里奇", "translator") in found.people
    assert "A line with no credit." in found.body and "<i>Just</i> &amp; text" in found.body
    assert "李易通" not in found.body


@pytest.mark.parametrize("url, expected", [
    ("https://gnews.org/zh-hans/2606132/", "https://gnews.org/zh-hans/2606132/"),
    ("  https://example.com/a b\n", "https://example.com/a b"),
    ("https:///www.ntdtv.com/b5/2023/05/19/a103716302.html", "https://www.ntdtv.com/b5/2023/05/19/a103716302.html"),
    ("http://例子.测试/路径", "http://例子.测试/路径"),
    ("http://[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ("http://192.0.2.1/", "http://192.0.2.1/"),
    ("HTTPS://user:pw@Example.COM:8443/p?q=1#f", "https://user:pw@Example.COM:8443/p?q=1#f"),
    ("hTtP:///a.example/x", "http://a.example/x"),
    ("https://exa\nmple.com/a\tb", "https://example.com/ab"),  # browsers drop tabs and line breaks
    ("//www.reuters.com/world/x", "https://www.reuters.com/world/x"),  # no scheme: as on the source's page
    ("https://example.com:65535", "https://example.com:65535"),
])
def test_web_url_keeps_the_addresses_a_browser_follows(url, expected):
    assert web_url(url) == expected


@pytest.mark.parametrize("url", [
    # what scraped articles put where a link's address belongs (from the 29k archive)
    "http://美国国务院宣布启动一项新计划，以收集和分析俄罗斯军队在乌克兰犯下的战争罪行的证据。%20%20在5月17日",
    "http://Department%20of%20Homeland%20Security%20Sets%20Up%20‘Disinformation%20Governance%20Board’",
    "http://%E4%B8%80%E7%99%BE%E4%B8%AA%E4%B8%AD%E5%9B%BD%E5%AE%B6%E5%BA%AD%E7%9A%84%E6%95%85%E4%BA%8B",
    "http://www.healthline.com%EF%BC%8CNarcan",
    "http://anuelo-letter-on-switch-to-taiwan-prc-activity-7039672476045340672-8RmJ/?utm_source=share",
    "https://%20https//www.foxnews.com/world/china-has-stolen-us-military-secrets",
    # and what is no web address at all
    "https://", "https://a..b/", "https://exa mple.com/", "https://example.com:99999/", "ftp://example.com/",
    "http://" + "a" * 64 + ".com/", "http://ｘ＃@example.com/",
    "https://a.example/v\x0b.mp4", "https://a.example/\x01",  # lxml refuses control characters
    "http://999.999.999.999/", "http://1.2.3.256/", "http://2020.05/",  # read as IPv4, and not valid
    "http://a.example:１/", "http://example.com:٣/",  # digits, but not ASCII ones
    "javascript:alert(1)", "/relative/path.html", "mailto:a@b.c", "", "//gotovideo?selected=1", "//",
])
def test_web_url_refuses_addresses_that_lead_nowhere(url):
    assert web_url(url) is None


_URL_TEXT = st.text(st.sampled_from(list("aZ09.-_:@/?#[]% \t１Ａ＃：／。，中文é")) | st.characters(), max_size=40)


@given(st.sampled_from(["http://", "https://", "HTTP://", "https:///", "http:"]), _URL_TEXT)
@example("http://", "a:１")
@example("https://", "x.example/\x0b")
def test_web_url_gives_only_addresses_the_standard_library_parses(scheme, rest):
    url = web_url(scheme + rest)
    if url is not None:
        parts = urllib.parse.urlsplit(url)  # raises for what it cannot parse
        assert parts.scheme in ("http", "https") and parts.hostname
        assert parts.port is None or 0 <= parts.port <= 65535
        assert url == url.strip() and not re.search(r"[\x00-\x1f\x7f]", url)


@given(st.sampled_from(["http://", "https://"]), _URL_TEXT)
@example("http://", "a:１")
@example("http://", "1.2.3.256/")
def test_the_quick_path_for_ascii_hosts_accepts_nothing_the_full_rule_refuses(scheme, rest):
    url = scheme + rest
    if _plain_web_url(url):
        assert _parses_to_a_web_host(url)


def test_an_original_link_whose_address_is_a_sentence_keeps_its_title_only():
    """A real GNews repost whose "原文链接" link has the article's own
    paragraphs for an address: the source it is based on keeps its title and
    has no URL, and the cleaned body keeps the link's text."""
    found = _read(BENCH / "ourhimalayas/txt/content/gnews/2606132.md")
    assert found.based_on == Link("U.S. Launches Program To Document War Crimes In Ukraine", None)
    assert found.original_url == "https://gnews.org/zh-hans/2606132/"


def test_an_epoch_page_whose_footer_omits_the_firewall_note_is_read_as_epoch():
    """Some mirrored Epoch Times pages end "原文链接：URL" instead of
    "原文链接（需翻墙）：URL". Read as generic text, the mirror's menu was left
    at the top of the body and the date and original were lost."""
    found = _read(BENCH / "epic-marker/epoch-news/pages/ncid1078158/n12885771.md")
    assert found.profile == "epoch-times-mirror"
    assert found.date == PartialDate(2021, 4, 17)
    assert found.original_url == "https://www.epochtimes.com/gb/21/4/17/n12885771.htm"
    assert "[首页]" not in found.body and "原文链接" not in found.body
    assert "好莱坞环球影城" in found.body


def test_a_chinese_dateline_credits_its_reporters():
    epoch = _read(FIXTURES / "corpus/epic-marker/epoch-news/pages/ncid277/n13869331.md")
    assert Person("李净", "author") in epoch.people
    minghui = _read(FIXTURES / "corpus/gfw-breaker/mh-news/pages/282/368285.md")
    assert Person("采菊", "author") in minghui.people  # 采菊, reporting from New York


@pytest.mark.parametrize("dateline, people", [
    ("（大纪元记者张婷综合报导）", [("张婷", "author")]),
    ("（大纪元记者林达美国纽约综合报导）", [("林达", "author")]),
    ("（大纪元记者姜琳达洛杉矶报导）", [("姜琳达", "author")]),
    ("（大纪元记者吴旻洲台湾台北报导）", [("吴旻洲", "author")]),
    ("（大纪元记者宁海钟、骆亚报导）", [("宁海钟", "author"), ("骆亚", "author")]),
    ("（英文大纪元记者Jack Phillips报导／秋生编译）", [("Jack Phillips", "author"), ("秋生", "translator")]),
    # the Epoch Times links the place to its tag page, on lines of its own
    ('（大纪元记者林丹\n  <ok href="https://www.epochtimes.com/gb/tag/%E7%BA%BD%E7%BA%A6.html">\n   纽约\n  </ok>\n  报导）',
     [("林丹", "author")]),
    # a columnist's article, translated
    ("（英文大纪元专栏作家Roger Kimball撰文／原泉编译）", [("Roger Kimball", "author"), ("原泉", "translator")]),
    ("（大纪元专栏作家王赫撰文／闻慧\u200b编译）", [("王赫", "author"), ("闻慧", "translator")]),
    # a report compiled, or translated, from others; a translator who compiled
    ("（大纪元记者李梅综合编译）", [("李梅", "author")]),
    ("（大纪元记者吴畏翻译报导）", [("吴畏", "author")]),
    ("（英文大纪元资深记者Jan Jekielek采访报导／秋生翻译）", [("Jan Jekielek", "author"), ("秋生", "translator")]),
    ("（大纪元记者 JAMIE JOSEPH报导／张纯之综合编译）", [("JAMIE JOSEPH", "author"), ("张纯之", "translator")]),
    ("（大纪元英文记者Tom Ozimek撰写／谢佳宣编译）", [("Tom Ozimek", "author"), ("谢佳宣", "translator")]),
    # the English edition's writer, named without 记者
    ("（英文大纪元EMG Inspired Staff报导／张雨霏编译）", [("EMG Inspired Staff", "author"), ("张雨霏", "translator")]),
    ("（英文大纪元的报导）", []),
    # a GNews repost's wiki-link debris
    ("（[[zh:大纪元]]记者[[zh:张婷]]综合报导）", [("张婷", "author")]),
    # a correspondent without a name, and a name that cannot be told from its place
    ("（明慧网通讯员云南报道）", []),
    ("（大纪元记者李梅某某地区报导）", []),
    # a listed place with a town after it, a state; a Latin name with its place, or two joined by 和
    ("（大纪元记者李梅橙县布雷亚报导）", [("李梅", "author")]),
    ("（大纪元记者施萍华盛顿州报导）", [("施萍", "author")]),
    ("（大纪元记者Nicole Hao纽约报导）", [("Nicole Hao", "author")]),
    ("（英文大纪元记者Hannah Ng和Steve Lance报导／高杉编译）",
     [("Hannah Ng", "author"), ("Steve Lance", "author"), ("高杉", "translator")]),
    ("（英文大纪元记者Danella Pérez Schmieloz报导／高杉编译）",
     [("Danella Pérez Schmieloz", "author"), ("高杉", "translator")]),
    ("（英文大纪元专栏作家Adam\xa0Molon撰文／谢佳宣编译）", [("Adam Molon", "author"), ("谢佳宣", "translator")]),
    # a second reporter's title, a kind of report, a translator right after the name, a columnist's 撰稿
    ("（大纪元记者钟元、特约记者张东旭台北报导）", [("钟元", "author"), ("张东旭", "author")]),
    ("（大纪元记者侯骏霖简讯报导）", [("侯骏霖", "author")]),
    ("（英文大纪元记者Tom Ozimek／谢佳宣编译）", [("Tom Ozimek", "author"), ("谢佳宣", "translator")]),
    ("（英文大纪元专栏作家Grant Newsham撰稿／程航编译）", [("Grant Newsham", "author"), ("程航", "translator")]),
    # a bureau's place is no one's name; 和 inside a Chinese name parts nothing
    ("（明慧记者站美国华盛顿DC报道）", []),
    ("（大纪元洛杉矶记者站姜琳达报导）", [("姜琳达", "author")]),
    ("（大纪元记者王和平报导）", [("王和平", "author")]),
    # a listed place whole before one that only starts with a listed one (新北)
    ("（大纪元记者李文新北卡报导）", [("李文新", "author")]),
    # the translator after a comma, an interview, an exclusive, a rewrite, an interpreter, a zero-width space
    ("（新唐人记者Jackie Rios采访，徐曼沅编译）", [("Jackie Rios", "author"), ("徐曼沅", "translator")]),
    ("（英文大纪元记者Alex Newman独家报导/张婷编译改写）", [("Alex Newman", "author"), ("张婷", "translator")]),
    ("（英文大纪元资深记者杨杰凯采访报导／王愉贺同声翻译）", [("杨杰凯", "author"), ("王愉贺", "translator")]),
    ("（英文大纪元记者Jack Phillips报导／颜殊璟编译\u200b）", [("Jack Phillips", "author"), ("颜殊璟", "translator")]),
    # the English edition's report, translated by a reporter or by someone it names alone
    ("（英文大纪元报导／记者李怡雯编译）", [("李怡雯", "translator")]),
    ("（英文大纪元记者报导／李言编译）", [("李言", "translator")]),
    ("（大纪元记者报导，李言编译）", [("李言", "translator")]),
    # "compiled" after the report names no translator, nor does an outlet; a translator's outlet and title go
    ("（大纪元记者张婷报导／综合编译）", [("张婷", "author")]),
    ("（大纪元记者张婷报导／编译）", [("张婷", "author")]),
    ("（大纪元记者张婷报导／综合外电编译）", [("张婷", "author")]),
    ("（大纪元记者张婷报导，同声翻译）", [("张婷", "author")]),
    ("（大纪元记者张婷报导，美联社编译）", [("张婷", "author")]),
    ("（英文大纪元报导／大纪元编译）", []),
    ("（英文大纪元报导／大纪元记者李言编译）", [("李言", "translator")]),
    ("（新唐人记者Jackie Rios采访 ，徐曼沅编译）", [("Jackie Rios", "author"), ("徐曼沅", "translator")]),
    # an exclusive is no one's name
    ("（大纪元记者独家报导）", []),
    # a slash written twice; four Latin names
    ("（英文大纪元记者费翰报导/／高杉编译）", [("费翰", "author"), ("高杉", "translator")]),
    ("（英文大纪元记者Dan M. Berger, Jackson Elliott, Janice Hisle, Beth Brelje 报导／高杉编译）",
     [("Dan M. Berger", "author"), ("Jackson Elliott", "author"), ("Janice Hisle", "author"), ("Beth Brelje", "author"),
      ("高杉", "translator")]),
    # a report "compiled" (综合) after the reporter's slash
    ("（記者洪承恩／綜合報導）", [("洪承恩", "author")]),
    ("（大纪元记者李言／综合报导）", [("李言", "author")]),
    # a news agency's report, translated by a reporter, or by someone named alone
    ("（美联社报导/大纪元记者高杉编译报导）", [("高杉", "translator")]),
    ("（路透社报导／李言编译）", [("李言", "translator")]),
    ("（法新社报导／李言编译）", [("李言", "translator")]),
    ("（中央社报导／李言编译）", [("李言", "translator")]),
    ("（美聯社報導／李言編譯）", [("李言", "translator")]),
    ("（大纪元记者张三报导/李四编译报导）", [("张三", "author"), ("李四", "translator")]),
    ("（美联社报导）", []),
    # a half-width bracket, typed for a full-width one; the Liberty Times' brackets and its slash before the place
    ("(大纪元记者徐简综合报导）", [("徐简", "author")]),
    ("(大纪元记者肖捷、林枚费城报导)", [("肖捷", "author"), ("林枚", "author")]),
    ("〔记者陈昀／台北报导〕", [("陈昀", "author")]),
    ("〔記者陳昀／台北報導〕", [("陳昀", "author")]),
    # a slash between two reporters
    ("（大纪元记者Andrew Thornebrooke/陈霆综合报导）", [("Andrew Thornebrooke", "author"), ("陈霆", "author")]),
    ("(注：本文记者认为)", []),
    # after a slash, unless a Chinese name follows a Latin one, the place or the kind of report
    ("〔记者吴正庭／金门报导〕", [("吴正庭", "author")]),
    ("（大纪元记者Frank Fang/Taipei报导）", [("Frank Fang", "author")]),
    ("（大纪元记者王某/摄影报导）", [("王某", "author")]),
    # the Central News Agency's: a day and 电 (a cable) for the report
    ("（中央社记者吴昇谚台北17日电）", [("吴昇谚", "author")]),
    ("（中央社记者张淑伶上海17日电）", [("张淑伶", "author")]),
    ("（中央社记者江今叶华盛顿17日专电）", [("江今叶", "author")]),
    ("（中央社东京28日电）", []),
    # a translator's own dateline, the Liberty Times': the place after the slash goes
    ("〔编译卢永山／综合报导〕", [("卢永山", "translator")]),
    ("〔编译杨芙宜／[[zh:台北]]报导〕", [("杨芙宜", "translator")]),
    ("〔編譯魏國金／綜合報導〕", [("魏國金", "translator")]),
    ("（编译：明澈）", []),
    # a health site's, in 【】, from the wires or not
    ("【健康醫療網／記者張慈恩報導】", [("張慈恩", "author")]),
    ("【健康醫療網／記者鄭宜芬外電報導】", [("鄭宜芬", "author")]),
    ("【记者手记】", []),
])
def test_dateline_reporters_without_their_place(dateline, people):
    from builder.extract import _dateline_people
    assert _dateline_people(f"【大纪元2021年06月17日讯】{dateline}周四") == [Person(*p) for p in people]


def test_a_translators_dateline_needs_its_word():
    from builder.extract import _dateline_people
    assert _dateline_people("（新华社／北京报导）他说编译工作很难。") == []


def test_a_reporter_named_deep_in_the_text_is_no_dateline():
    from builder.extract import _dateline_people
    assert _dateline_people("段落。" * 1000 + "（大纪元记者张婷综合报导）") == []


def test_a_based_on_address_is_read_as_the_browser_reads_it():
    text = ("## 标题\n` 作者` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正文。\n\n"
            "新闻来源：[https://newsis.com/view/?id=N1&amp;cID=10101](https://newsis.com/view/?id=N1&amp;cID=10101)\n")
    found = extract(text)
    assert found.based_on == Link(None, "https://newsis.com/view/?id=N1&cID=10101")


@pytest.mark.parametrize("line, pairs", [
    # two labels with nothing between the first name and the second label
    ("翻译：哈哈编辑：李易通", [("translator", "哈哈"), ("editor", "李易通")]),
    # two roles run together in one label
    ("字幕：芥末|审核编辑：小小鸟", [("translator", "芥末"), ("reviewer", "小小鸟"), ("editor", "小小鸟")]),
    # a credit written as a heading
    ("##### 作者：加拿大温哥华扬帆农场 -重生之鹰", [("author", "加拿大温哥华扬帆农场 -重生之鹰")]),
    # the article's end mark after the editor's name
    ("责任编辑：叶紫微＃", [("editor", "叶紫微")]),
    ("责任编辑：林妍#◇", [("editor", "林妍")]),
    # role words of the GNews credits
    ("校正/发稿：呼吸的雾霾", [("proofreader", "呼吸的雾霾"), ("publisher", "呼吸的雾霾")]),
    ("音频处理：Tom Li", [("producer", "Tom Li")]),
    # a farm and its group, joined by a spaced dash
    ("作者：加拿大温哥华扬帆农场 – 视频组", [("author", "加拿大温哥华扬帆农场 – 视频组")]),
    ("审稿：JENNY", [("reviewer", "JENNY")]),
    # the emphasis of a label or name, brackets around a whole name, markdown's escapes
    ("**编辑：**翼族", [("editor", "翼族")]),
    ("发布：*陶子*", [("publisher", "陶子")]),
    ("*发布：* *Gradient Boost*", [("publisher", "Gradient Boost")]),
    ("编辑：【英国伦敦喜庄园编辑部】", [("editor", "英国伦敦喜庄园编辑部")]),
    ("翻译：【日本东京方舟农场】山豆根后", [("translator", "【日本东京方舟农场】山豆根后")]),
    ("作者：G\\_Hope", [("author", "G_Hope")]),
    # a label spaced out, a long list of names set apart by semicolons, a gatherer
    ("播  报：加拿大温哥华扬帆农场 – yuyu", [("producer", "加拿大温哥华扬帆农场 – yuyu")]),
    ("##### 播\u2003\u2003报：加拿大温哥华扬帆农场 – yuyu", [("producer", "加拿大温哥华扬帆农场 – yuyu")]),
    ("编　辑：李明", [("editor", "李明")]),
    ("## 视频剪辑: WinterGuo ；开智则立 ；0-0 ；rmrf ；Qingjing ；玉米地的小蜗牛 ；牛魔王",
     [("producer", n) for n in ("WinterGuo", "开智则立", "0-0", "rmrf", "Qingjing", "玉米地的小蜗牛", "牛魔王")]),
    ("采集/翻译：文洋", [("author", "文洋"), ("translator", "文洋")]),
    # the roles of the Epoch Times' video columns and of GNews's posters and reviews
    ("策划：许巧茹、宇文铭", [("producer", "许巧茹"), ("producer", "宇文铭")]),
    # a group named with its members, in brackets, is one name
    ("整理：雅典娜情报组（翼族、BENJ1）", [("author", "雅典娜情报组（翼族、BENJ1）")]),
    ("撰文：李晓彤", [("author", "李晓彤")]),
    ("顾问：李庭千", [("producer", "李庭千")]),
    ("编审：洛杉矶盘古农场 — 心照", [("reviewer", "洛杉矶盘古农场 — 心照")]),
    ("海报 : 墨问 收集 : 文包", [("producer", "墨问"), ("author", "文包")]),
    # two roles set apart by one space, an English byline's label
    ("编译 发布：意大利罗马达芬奇农场 Roma",
     [("translator", "意大利罗马达芬奇农场 Roma"), ("publisher", "意大利罗马达芬奇农场 Roma")]),
    # roles joined by 丨 or 及, and the GNews farms' rarer roles
    ("编辑丨发布：jamie(文胤)", [("editor", "jamie(文胤)"), ("publisher", "jamie(文胤)")]),
    ("视频制作及上传：Cindy；", [("producer", "Cindy"), ("publisher", "Cindy")]),
    ("字幕档制作：知津；", [("translator", "知津")]),
    ("搜集/整理：卡西欧", [("author", "卡西欧"), ("author", "卡西欧")]),
    ("语音演绎：东京樱花团/美丽善良;布鲁斯", [("producer", "东京樱花团/美丽善良"), ("producer", "布鲁斯")]),
    ("音频提供者：左媛", [("producer", "左媛")]),
    ("本文作者：Rebecca", [("author", "Rebecca")]),
    # credits set apart by slashes
    ("校对 / 封面合成：文粤 / 发布：流光飞舞",
     [("proofreader", "文粤"), ("producer", "文粤"), ("publisher", "流光飞舞")]),
    ("翻译总结： 日本银河系农场 Totoro", [("translator", "日本银河系农场 Totoro")]),
    ("By:**秘翻新闻**", [("author", "秘翻新闻")]),
    ("BY：银河系农场|灿烂千阳", [("author", "银河系农场|灿烂千阳")]),
    ("By: the end of 2025, prices rose.", None),
    # a long run of clauses after a label is a sentence
    ("编辑：这是一个很长的句子，其中有很多逗号，而且超过了四十个字符的限制，所以不是署名的一部分吧", None),
    # not credits: a sentence with a colon inside, a role word inside a word
    ("他说：我们今天编辑：很多", None),
    ("编辑部的声明：今天", None),
    ("以及：今天", None),  # 及 joins two roles only
    # the writer of a post's commentary; the same word heading the commentary, alone or before its first clause
    ("评论：洛杉矶盘古农场 – HotPixel", [("commentator", "洛杉矶盘古农场 – HotPixel")]),
    ("翻译&评论：金生水", [("translator", "金生水"), ("commentator", "金生水")]),
    ("翻译/简评: kkoto(芬兰大灰狼)", [("translator", "kkoto(芬兰大灰狼)"), ("commentator", "kkoto(芬兰大灰狼)")]),
    ("简评：", None),
    # a dash after a space parts label and name; a credit in round brackets
    ("校对/审核 -坐看云起时", [("proofreader", "坐看云起时"), ("reviewer", "坐看云起时")]),
    ("（编辑：菜园子）", [("editor", "菜园子")]),
    ("（发布时间：2020年2月6日）", None),
    ("（大纪元记者张婷综合报导）", None),
    ("编辑 --x", None),
    ("发布 -2021-01-01", None),
    ("编辑 -", None),
    ("评论： 今日HCN价格明显处于回升态势，交易量较昨日略有增加", None),
    # roles joined by 和 or 与, or a wide slash
    ("编辑和发布：XO酱", [("editor", "XO酱"), ("publisher", "XO酱")]),
    ("校对与发布：冰糖葫芦喵", [("proofreader", "冰糖葫芦喵"), ("publisher", "冰糖葫芦喵")]),
    ("采集／撰稿：菜园子", [("author", "菜园子"), ("author", "菜园子")]),
    ("和平与发展：", None),
    # the roles of a post's pictures
    ("视觉设计：文房四宝， 7Ants ，女农", [("producer", "文房四宝"), ("producer", "7Ants"), ("producer", "女农")]),
    ("*编辑：点苍山/ 作图：*信正", [("editor", "点苍山"), ("producer", "信正")]),
])
def test_credit_line_forms(line, pairs):
    from builder.extract import credit_line
    assert credit_line(line) == pairs


_CREDIT_PIECES = st.sampled_from(["编辑", "发布", "翻译", "校对", "作者", "本文作者", "By", "BY", "Video", "他说", "本",
                                  "：", ":", " - ", " – ", "/", "、", "（", "）", "(", ")", "#", "*", "_", " ", "\u3000",
                                  "李明", "Tom", "，", "。", "播  报", "x"])


@given(st.lists(_CREDIT_PIECES, max_size=8).map("".join))
@example("（编辑：菜园子）")
@example("## *By:**秘翻新闻**")
@example("播  报：加拿大温哥华扬帆农场 – yuyu")
def test_a_line_whose_start_opens_no_label_is_found_as_before(line):
    """``credit_line`` gives up on a line whose first character (after a
    heading's marks and a bracket) can open no label: that changes nothing."""
    from unittest import mock

    from builder import extract
    with mock.patch.object(extract, "_may_open_a_label", lambda char: True):
        every_line = extract.credit_line(line)
    assert extract.credit_line(line) == every_line


def test_an_interviewers_question_is_text_not_a_credit():
    text = ("## 专访\n\n记者：拍摄过程中，遇到哪些困难？\n\n导演：很多。\n\n"
            "记者：谢谢。谈到台日关系，您怎么看？\n\n责任编辑：林妍\n")
    found = extract(text)
    assert "遇到哪些困难？" in found.body and "记者：谢谢。谈到台日关系" in found.body
    assert [p for p in found.people if p.role == "author"] == []
    assert Person("林妍", "editor") in found.people


def test_a_commentary_heading_is_text_and_its_writer_a_credit():
    """``简评：`` over a post's commentary stays with it; a headline that
    opens with ``评论：`` names no one; ``评论：`` and a name among the
    post's credits credits its writer."""
    post = _GNEWS_POST.format(body="新闻正文。\n\n**评论：中共必亡**\n\n简评：\n\n评论的正文。\n\n"
                                   "评论：Jenny Ball\n\n审核：小七")
    found = extract(post)
    assert "简评：" in found.body and "Jenny Ball" not in found.body and "评论：中共必亡" in found.body
    assert Person("Jenny Ball", "commentator") in found.people and Person("小七", "reviewer") in found.people
    assert [p.name for p in found.people if p.role == "commentator"] == ["Jenny Ball"]
    epoch = ("<html><head><title>标题 | 大纪元</title></head><body><h1>标题</h1>\n<p>\n  正文。\n</p>\n"
             "<h4>\n  评论：中共现在是回光返照\n</h4>\n<p>\n  正文。\n</p>\n</body></html>")
    found = extract(epoch)
    assert "评论：中共现在是回光返照" in found.body and not [p for p in found.people if p.role == "commentator"]
    assert [p for p in extract("# 标题\n\n正文。\n\n### 评论：中共从骨子里漠视生命\n\n正文。\n").people
            if p.role == "commentator"] == []


def test_credits_parted_by_a_dash_or_set_in_brackets_leave_a_post():
    found = extract(_GNEWS_POST.format(body="新闻正文。\n\n撰稿/翻译/听写 -晨熹\n\n（编辑：菜园子）"))
    assert found.body.strip().endswith("新闻正文。")
    assert {Person("晨熹", "author"), Person("晨熹", "translator"), Person("菜园子", "editor")} <= set(found.people)


@pytest.mark.parametrize("author, line, dropped", [
    ("东京樱花团", "东京樱花团", True),
    ("秋生", "秋生", True),
    # the header's name in part (at least half of it), or with other spaces, dashes and marks
    ("喜马拉雅德国纽伦堡正义农场", "德国纽伦堡正义农场", True),
    ("加拿大温哥华扬帆农场蓝枫法律", "#### **加拿大温哥华扬帆农场 – 蓝枫法律**", True),
    # too little of the name: less than half of it, or fewer than four characters
    ("喜马拉雅德国纽伦堡正义农场", "正义农场", False),
    ("纽约香草山", "香草山", False),
])
def test_a_line_that_is_the_headers_name_leaves_the_body(author, line, dropped):
    post = _GNEWS_POST.format(body=f"新闻正文。\n\n{line}\n\n更多正文。").replace("` 东京樱花团`", f"` {author}`")
    found = extract(post)
    assert Person(author, "author") in found.people
    assert (line not in found.body) is dropped and "更多正文。" in found.body


def test_a_programmes_sign_off_credits_its_producers():
    found = extract("## 标题\n\n正文。\n\n《新闻看点》制作组\n\n他说《新闻看点》制作组的节目很好。\n")
    assert Person("《新闻看点》制作组", "producer") in found.people
    assert "\n《新闻看点》制作组\n" not in found.body and "他说《新闻看点》制作组的节目很好。" in found.body
    # the end mark after it, and a zero-width space before a credit
    marked = extract("## 标题\n\n正文。\n\n\u200b责任编辑：玉珍\n\n《秦鹏观察》制作组＃\n")
    assert Person("《秦鹏观察》制作组", "producer") in marked.people and Person("玉珍", "editor") in marked.people
    assert marked.body.strip() == "正文。", marked.body


@pytest.mark.parametrize("line, pairs", [
    ("责任编辑：：李昊#", [("editor", "李昊")]),
    ("文字整理：李洁思；责任编辑：高静#", [("author", "李洁思"), ("editor", "高静")]),
])
def test_credit_lines_the_epoch_times_writes(line, pairs):
    from builder.extract import credit_line
    assert credit_line(line) == pairs


_GNEWS_POST = "## 标题\n` 东京樱花团` [轉載自GNews](https://gnews.org/zh-hans/2450631/)\n\n{body}\n\n免责声明：本文内容仅代表作者个人观点。\n"


def test_a_gnews_post_is_not_dated_by_the_logo_it_drops():
    logo_only = _GNEWS_POST.format(body="作者：小组\n\n ![](https://assets.gnews.org/wp-content/uploads/2022/03/GNEWS.jpg) ")
    assert extract(logo_only).date is None
    with_picture = logo_only.replace("作者：小组", "![](https://assets.gnews.org/wp-content/uploads/2022/05/x.jpg)")
    assert extract(with_picture).date == PartialDate(2022, 5)


def test_a_credit_written_with_wiki_link_debris_is_a_credit():
    found = extract(_GNEWS_POST.format(body="正文。\n\n[[zh:撰稿]]：甲乙\n\n责任编辑：[[zh:陈真]]"))
    assert Person("甲乙", "author") in found.people and Person("陈真", "editor") in found.people
    assert "陈真" not in found.body and "甲乙" not in found.body


def test_a_role_credited_on_three_lines_or_more_is_a_lists_not_the_posts():
    winners = "\n\n".join(f"作者：{name}  奖励盖特币{n}个" for name, n in (("甲乙", 577), ("丙丁", 377), ("戊己", 177)))
    found = extract(_GNEWS_POST.format(body=f"本期以下作者获得奖励。\n\n{winners}\n\n编辑：庚辛"))
    assert [(p.name, p.role) for p in found.people] == [("东京樱花团", "author"), ("庚辛", "editor")]
    assert "作者：甲乙" in found.body and "作者：戊己" in found.body and "庚辛" not in found.body
    two = extract(_GNEWS_POST.format(body="正文。\n\n作者：甲乙\n\n作者：丙丁"))
    assert {"甲乙", "丙丁"} <= {p.name for p in two.people} and "甲乙" not in two.body
    # one editor of every clip of a compilation: a credit
    clips = extract(_GNEWS_POST.format(body="\n\n".join(f"片段{n}。\n\n视频剪辑：黑嫂子" for n in range(4))))
    assert Person("黑嫂子", "producer") in clips.people and "黑嫂子" not in clips.body


def test_a_gnews_repost_that_opens_with_an_outlets_dateline_is_based_on_it():
    repost = extract(_GNEWS_POST.format(body="【[[zh:大纪元]]2024年0[[zh:3月11日]]讯】（大纪元记者张婷报导）正文。"))
    assert repost.based_on == Link("大纪元", None)
    # a source the post names by its address comes first
    named = extract(_GNEWS_POST.format(body="【大纪元2024年03月11日讯】正文。\n\n"
                                              "来源：[Reuters](https://www.reuters.com/world/1)"))
    assert named.based_on == Link("Reuters", "https://www.reuters.com/world/1")
    # a dateline quoted in the story's middle, or further down on a line of its own, is no repost's
    assert extract(_GNEWS_POST.format(body="据报道，【大纪元2024年03月11日讯】一文说。")).based_on is None
    assert extract(_GNEWS_POST.format(body="我的评论如下。\n\n【大纪元2024年03月11日讯】引文。")).based_on is None


@pytest.mark.parametrize("body, name", [
    # a wire's story: its dateline opens the post, or its name closes it on a line of its own
    ("（[[zh:中央社]]记者张淑伶[[zh:上海]]17日电）正文。", "中央社"),
    ("正文。\n\n结尾一句。\n\n（中央社）\n", "中央社"),
    ("正文。\n\n（[[zh:路透社]]）\n", "路透社"),
    # a wire's dateline further down is a quotation; its name under a picture credits the picture;
    # before another outlet's copyright, that outlet's story credits its wire
    ("我的评论如下。\n\n（中央社记者张淑伶上海17日电）引文。", None),
    ("正文。\n\n![](https://a.example/p.jpg)\n（中央社）\n", None),
    ("正文。\n\n![](https://a.example/p.jpg)\n\n（中央社）\n", None),
    ("正文。\n\n（路透社）\n\n*©2024年德国之声版权声明：本文所有内容受到著作权法保护*\n", None),
    ("他说（中央社）报道了此事。", None),
    ("据报道，台积电将赴美设厂（中央社）\n\n后文。", None),
])
def test_a_gnews_repost_of_a_wires_story_is_based_on_the_wire(body, name):
    found = extract(_GNEWS_POST.format(body=body))
    assert found.based_on == (Link(name, None) if name else None)


def test_a_digests_first_story_heading_is_body_text_not_the_title():
    found = extract(_GNEWS_POST.format(body="### 人民网：第一条新闻\n评论：一。\n\n### 环球网：第二条新闻\n评论：二。"))
    assert found.title == "标题"
    assert found.body.lstrip().startswith("### 人民网：第一条新闻"), found.body[:80]
    # the title again, with other quotes, is still the title
    again = extract(_GNEWS_POST.replace("## 标题", "## 战友'陪练“演讲").format(body="### 战友\"陪练“演讲\n正文。"))
    assert again.body.strip().startswith("正文。"), again.body[:80]


def test_a_gnews_posts_own_dateline_gives_the_day():
    found = extract(_GNEWS_POST.format(body="**2022-04-29**\n\n正文。\n\n![](https://assets.gnews.org/wp-content/uploads/2022/03/a.jpg)"))
    assert found.date == PartialDate(2022, 4, 29)


@pytest.mark.parametrize("first_line, title", [
    ("港人遭严查 ｜粤时报", "港人遭严查"),
    ("Kate news | 国际 | 三立新闻网 SETN.COM", "Kate news"),
    ("**A bold first line**", "A bold first line"),
])
def test_a_first_line_that_is_the_title_leaves_the_body_whole(first_line, title):
    found = extract(f"{first_line}\n\nThe first paragraph of the story.\n")
    assert (found.title, found.body.strip()) == (title, "The first paragraph of the story.")


def test_a_titles_backslash_is_its_own():
    page = "<html><head><title>The shrug ¯\\_(ツ)_/¯ explained</title></head><body><p>Text.</p></body></html>"
    assert extract(page).title == "The shrug ¯\\_(ツ)_/¯ explained"


@pytest.mark.parametrize("heading, title", [
    ("凯特罹癌！知情人：信任早破灭 | 国际 | 三立新闻网  SETN.COM", "凯特罹癌！知情人：信任早破灭"),
    ("黑帮秘辛！早期为暗杀队 | 三立新聞網 SETN.COM", "黑帮秘辛！早期为暗杀队"),
    ("6.4中共惊慌的背后——港人遭严查 ｜粤时报", "6.4中共惊慌的背后——港人遭严查"),
    # a series' name before the bar is the headline's own
    ("有声｜耶伦：美国在仔细监测", "有声｜耶伦：美国在仔细监测"),
    ("墙—— | 升级版的悲惨世界", "墙—— | 升级版的悲惨世界"),
    # nothing before the site's name: it is the title
    ("| 三立新闻网 SETN.COM", "| 三立新闻网 SETN.COM"),
])
def test_a_headline_loses_what_the_sites_page_title_added(heading, title):
    assert extract(_GNEWS_POST.replace("标题", heading).format(body="正文。")).title == title


_QR = "![](https://assets.gnews.org/wp-content/uploads/2022/05/qr.jpg)"


@pytest.mark.parametrize("body, kept", [
    # the group's QR code after the credits that end the post
    (f"正文第一段。\n\n编辑：李易通\n发稿：老黑\n {_QR} \n", False),
    (f"正文。\n\n*发布：东京樱花团/老黑*\n\n[![]({_QR[4:-1]})](https://x.example/join)\n", False),
    # the same banner opening the post goes too
    (f"{_QR}\n正文。\n\n编辑：李易通\n{_QR}\n", False),
    # a rule may set it apart from the credits
    (f"正文。\n\n（编辑：二丫）\n\n发布:文橙\n\n* * *\n {_QR} \n", False),
    (f"正文。\n\n编辑：李易通\n\n---\n\n{_QR}\n", False),
    # a post of pictures whose credits come first keeps them
    (f"图文设计：东京樱花团/牛牛\n\n{_QR}\n", True),
    # a picture after the credits with text after it is the article's
    (f"正文。\n\n编辑：李易通\n\n{_QR}\n\n图为示威现场。\n", True),
    # more than two pictures after the credits are the post's photos
    ("以下是现场照片。\n\n编辑：李易通\n\n" + "\n\n".join([_QR] + [_QR.replace("qr", f"p{n}") for n in range(3)]),
     True),
])
def test_pictures_after_the_credits_that_end_a_gnews_post_are_its_signoff(body, kept):
    found = extract(_GNEWS_POST.format(body=body))
    assert ("qr.jpg" in found.body) == kept
    assert found.people


@pytest.mark.parametrize("source, url", [
    ("**新闻来源**： [https://www.zerohedge.com/markets/x](https://www.zerohedge.com/markets/x)",
     "https://www.zerohedge.com/markets/x"),
    ("参考链接：\n1. [北京居民抢购](https://std.stheadline.com/a/1)\n2. [Panic buying](https://www.reuters.com/b)",
     "https://std.stheadline.com/a/1"),
    # a picture's credit is no source of the text
    ("图片来源：[路透社](https://www.reuters.com/pictures/1)", None),
    # the other labels of the farms, a label alone on its line, an address with a space before ")"
    ("reference：\n\n[Pfizer trials](https://www.newstarget.com/2022-05-01-x.html)",
     "https://www.newstarget.com/2022-05-01-x.html"),
    ("新闻来源链接：[乌克兰](https://www.ukrinform.net/a )", "https://www.ukrinform.net/a"),
    ("信息来源\n\n[岚桥](https://www.abc.net.au/news/1)", "https://www.abc.net.au/news/1"),
    ("他说这是信息来源的问题\n\n[链接](https://www.abc.net.au/news/2)", None),
    # a picture's file is a picture's credit; a link to a home page whose text is an address is to that address
    ("![](https://a.example/p.jpg)[图片来源](https://www.reuters.com/resizer/x=/1200x0/reuters/ABC.jpg)", None),
    ("[图片来源](https://static.wixstatic.com/media/a~mv2.png/v1/fill/w_740/a~mv2.webp)", None),
    ("[图片来源](https://jp.sputniknews.com/20220529/11383568.html)", "https://jp.sputniknews.com/20220529/11383568.html"),
    ("来源：[https://www.worldjournal.com/wj/story/121201/7370185](https://gnews.org)",
     "https://www.worldjournal.com/wj/story/121201/7370185"),
])
def test_the_source_a_gnews_post_names(source, url):
    found = extract(_GNEWS_POST.format(body=f"正文。\n\n{source}"))
    assert (found.based_on.url if found.based_on else None) == url


@pytest.mark.parametrize("html, based_on", [
    ('<p>转自新唐人【<ok href="https://www.ntdtv.com/b5/2023/07/01/a1.html">晚间新闻</ok>】完整版</p>',
     Link("新唐人 NTD", "https://www.ntdtv.com/b5/2023/07/01/a1.html")),
    ('<p>原文：<ok href="https://www.theepochtimes.com/meeting_5395060.html">Meeting</ok></p>',
     Link("The Epoch Times", "https://www.theepochtimes.com/meeting_5395060.html")),
])
def test_what_an_epoch_times_page_reposts_or_translates(html, based_on):
    page = ("### 标题\n\n#### [首页](https://x.example/)\n<div id=\"artbody\"><!-- article content begin -->"
            f"<p>正文。</p>{html}</div>\n原文链接（需翻墙）：https://www.epochtimes.com/gb/23/7/1/n1.htm\n")
    assert extract(page).based_on == based_on


def test_a_dateline_without_a_reporters_name_credits_no_one():
    from builder.extract import _dateline_people
    assert _dateline_people("【大纪元2021年06月17日讯】（大纪元记者综合报导）周四") == []
    assert _dateline_people("（大纪元记者编译报导）") == []


def test_a_long_run_of_role_words_is_read_at_once(monkeypatch):
    """Two roles may be joined by a separator or by nothing; spaces alone
    let the label pattern split a run of them in exponentially many ways
    (a 62-character line took 4 s). The alarm fails the test instead."""
    import signal
    from builder.extract import credit_line

    def too_slow(*_):
        raise TimeoutError("the credit label pattern backtracks")
    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(20)
    try:
        assert credit_line("编辑：" + "编辑 " * 40 + "x") is None  # the name is far too long
        assert credit_line("编辑：甲 " + " 编辑 " * 40 + "x") is None
    finally:
        signal.alarm(0)


def test_a_credit_whose_name_is_linked_on_lines_of_its_own_is_one_line():
    """The Epoch Times links a programme's name in its sign-off; the credit
    is the line a reader sees. Words around a link in a sentence stay."""
    from builder.extract import _credits
    epoch = profile_named("epoch-times-mirror")
    body = ('<p>\n  正文。\n</p>\n<p>\n  《\n  <ok href="https://www.epochtimes.com/gb/tag/x.html">\n   方菲访谈\n'
            '  </ok>\n  》制作组\n</p>\n<p>\n  下为官方声明\n  <ok href="https://a.example/">\n   全文\n  </ok>\n'
            '  翻译：\n</p>\n<p>\n  责任编辑：孙芸\n</p>')
    kept, people = _credits(epoch, body)
    assert people == [Person("《方菲访谈》制作组", "producer"), Person("孙芸", "editor")]
    assert "\n   方菲访谈" not in kept and "制作组" not in kept and "孙芸" not in kept
    # the tag it gives stays, by the name it showed
    assert '<ok href="https://www.epochtimes.com/gb/tag/x.html" data-shown="方菲访谈">\n  </ok>' in kept
    assert "  翻译：\n" in kept and "全文" in kept


@pytest.mark.parametrize("ending, source", [
    ("<p>\n  最后一句。（转自美国之音）\n</p>", "美国之音"),
    ("<p>\n  最后一句。（转自由亚洲电台，有删节）\n</p>", "自由亚洲电台"),
    ("<p>\n  最后一句。——转自“美国之音”\n</p>", "美国之音"),
    ("<p>\n  最后一句。——转载自《新纪元\n</p>", "《新纪元》"),
    ("<p>\n  最后一句。（中央社）\n</p>\n<p>\n  责任编辑：林妍\n</p>", "中央社"),
    ("<p>\n  最后一句。\n</p>\n<p>\n  （中央社）\n</p>\n<p>\n  责任编辑：林妍\n</p>", "中央社"),
    # a wire's name under a photo credits the photo, the last one too
    ("<figure><figcaption>\n  NCC主委陈耀祥（中央社）\n</figcaption><br/>\n</figure><br/>\n<p>\n  责任编辑：玉珍\n</p>", None),
    ('<div class="caption">\n  北京清华大学校园，资料图。（法新社）\n</div>\n<p>\n  正文。\n</p>', None),
])
def test_a_story_reposted_from_another_outlet_names_it_as_its_source(ending, source):
    from builder.extract import _based_on
    epoch = profile_named("epoch-times-mirror")
    found = _based_on(epoch, f"<p>\n  【大纪元2021年06月17日讯】正文。\n</p>\n{ending}", "https://www.epochtimes.com/gb/1.htm")
    assert (found and found.name, found and found.url) == (source, None)


def test_a_motto_in_brackets_after_a_name_is_no_part_of_it():
    from builder.extract import _credit_people
    from tests.conftest import profile_named
    gnews = profile_named("gnews-repost")
    assert _credit_people(gnews, ["本文作者：Rebecca (一切心皆不可得！)"]) == [Person("Rebecca", "author")]
    assert _credit_people(gnews, ["作者：kkoto(芬兰大灰狼)"]) == [Person("kkoto(芬兰大灰狼)", "author")]
    assert _credit_people(gnews, ["记者：拍摄过程中，遇到哪些困难？"]) is None
    assert _credit_people(gnews, ["作者：(真的吗？)"]) is None  # a note alone is no name


def test_a_signoff_banner_goes_from_a_line_it_shares_with_a_photo_of_the_post():
    banner = "![](https://assets.gnews.org/wp-content/uploads/2022/03/banner.png)"
    photo = "![](https://assets.gnews.org/wp-content/uploads/2022/03/photo.png)"
    found = extract(_GNEWS_POST.format(body=f"{banner} {photo}图片来源：路透社\n据路透社报道，正文第一段。\n\n"
                                            f"撰稿/翻译 – 晨熹\n {banner}\n* * *\n"))
    assert "banner.png" not in found.body and "photo.png" in found.body and "正文第一段" in found.body
