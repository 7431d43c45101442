"""Cleaning: boilerplate removal, tree repair and sanitising (including hostile markup)."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.clean import (_TABLE_COLUMNS, clean, drop_lines, parse_fragment, render_markdown, render_text, repair_tree,
                           sanitise)
from builder.extract import extract
from tests.conftest import profile_named

SEEDS = Path(__file__).parent / "fixtures" / "seeds"
MINGHUI = Path(__file__).parent / "fixtures" / "corpus/gfw-breaker/mh-news/pages"
BENCH = Path(__file__).parent / "fixtures" / "bench-samples"


def _clean_html(fragment: str):
    found = extract("<div>\n</div>\n" + fragment)
    return clean(replace(found, format="html", body=fragment))


def test_epoch_pseudo_links_become_tags_and_leave_no_bogus_markup():
    body = clean(extract((SEEDS / "001_ace06215ba7acc5f.txt").read_text(encoding="utf-8")))
    assert body.source_tags == ("北约", "日本", "伙伴", "中共")
    assert "<ok" not in body.html and "&nbsp;" not in body.html
    assert "北约与日本将再次提升双边关系" in body.text  # no spaces from the source's line breaks
    assert "gfw-breaker.win" not in body.html  # tracking pixel gone
    assert "<figure>" in body.html and "<figcaption>" in body.html


def _tag_link(tag: str, text: str) -> str:
    return f'<ok href="https://www.epochtimes.com/gb/tag/{urllib.parse.quote(tag)}.html">\n   {text}\n  </ok>'


def test_a_tag_is_named_as_its_link_shows_it():
    """The mirror's tag addresses are lower case, some in traditional
    characters; its simplified pages show the tag's own name. A programme's
    sign-off goes, and its link still names the tag as it showed it."""
    seed = (SEEDS / "001_ace06215ba7acc5f.txt").read_text(encoding="utf-8")
    links = (f"<p>\n  讯 {_tag_link('g7峰会', 'G7峰会')} {_tag_link('橫河觀點', '横河观点')}"
             f" {_tag_link('百年透視', '中共百年透视系列')} {_tag_link('jonathan-manthorpe', 'Jonathan Manthorpe')}\n</p>\n"
             f"<p>\n  《\n  {_tag_link('新聞看點', '新闻看点')}\n  》制作组\n</p>\n")
    body = clean(extract(seed.replace(" <p>\n  责任编辑：", links + " <p>\n  责任编辑：", 1)))
    assert body.source_tags[-5:] == ("G7峰会", "横河观点", "百年透視", "Jonathan Manthorpe", "新闻看点")
    assert "data-shown" not in body.html and "制作组" not in body.html
    # an emptied link's name keeps its character references as HTML has them;
    # two links to one tag that show it differently: the first names it
    links = (f"<p>\n  讯 {_tag_link('g7峰会', 'G7峰会')} {_tag_link('g7峰会', 'G7峰會')}\n</p>\n"
             f"<p>\n  《\n  {_tag_link('at&t', 'AT&amp;T')}\n  》制作组\n</p>\n")
    body = clean(extract(seed.replace(" <p>\n  责任编辑：", links + " <p>\n  责任编辑：", 1)))
    assert body.source_tags[-2:] == ("G7峰会", "AT&T")


def test_pseudo_link_to_an_ordinary_url_becomes_a_safe_link():
    body = _clean_html('<p>See <ok href=" https://twitter.com/x/status/1">this tweet</ok>'
                       ' and <span href="/local">local</span>.</p>')
    assert '<a href="https://twitter.com/x/status/1" rel="noopener noreferrer nofollow">this tweet</a>' in body.html
    assert "local" in body.text and "/local" not in body.html


def test_minghui_image_table_becomes_figures_with_captions():
    body = clean(extract((MINGHUI / "140/338527.md").read_text(encoding="utf-8")))
    assert "<table" not in body.html
    figures = re.findall(r"<figure>.*?</figure>", body.html, re.S)
    assert figures and all("<img" in f for f in figures)
    assert all(img.count("alt=") == 1 for img in re.findall(r"<img[^>]*>", body.html))
    assert any("<figcaption>" in f for f in figures)


def test_real_data_table_survives():
    body = _clean_html("<table><tr><th>Year</th><th>Cases</th></tr><tr><td>2020</td><td>5</td></tr></table>")
    assert "<table>" in body.html and "<th>Year</th>" in body.html


def test_images_are_lazy_without_referrer_and_tracking_pixels_are_dropped():
    body = _clean_html('<p>x<img src="https://a.example/p.jpg" alt="p">'
                       '<img src="https://t.example/pixel.gif" width="0" height="0">'
                       "<img src='http://c.example/1.png' width='1px' height='1px'/></p>")
    assert body.html.count("<img") == 1
    assert 'loading="lazy"' in body.html and 'referrerpolicy="no-referrer"' in body.html


def test_plain_text_lines_become_paragraphs_and_are_escaped():
    assert render_text("one <b>\ntwo & three\n") == "<p>one &lt;b&gt;</p>\n<p>two &amp; three</p>"


def test_hard_wrapped_text_is_joined_into_paragraphs():
    text = "first line of a\nwrapped paragraph\nthat goes on\n\nsecond para\nis here\nas well\n"
    assert render_text(text).count("<p>") == 2


def test_share_prompts_in_many_languages_are_dropped():
    for prompt in ("इसे शेयर करें:", "Share this:", "分享到：", "komentar", "Jadi yg pertama suka"):
        found = extract(f"Title\nReal sentence one.\n{prompt}\nReal sentence two.\n")
        body = clean(found)
        assert prompt not in body.text, prompt
        assert "Real sentence two." in body.text


def test_wiki_link_debris_keeps_the_word():
    found = extract("## T\n` x` [轉載自GNews](https://gnews.org/articles/1)\n\n[[zh:中共国]]对[[zh:美国]]农业\n")
    assert clean(found).text == "中共国对美国农业"


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"><circle/></svg>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example/"><input name="q"><button>go</button></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<div onclick="alert(1)" style="background:url(javascript:alert(1))">x</div>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
    '<a href="  javascript:alert(1)">x</a><a href="vbscript:msgbox(1)">y</a>',
    '<img src="https://ok.example/a.jpg" style="x" srcset="javascript:alert(1) 1x">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<p><a href="https://ok.example/" target="_blank" onmouseover="x()">ok</a></p>',
]


def _assert_safe(html: str) -> None:
    tree = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in {"script", "style", "iframe", "frame", "object", "embed", "form",
                                   "input", "svg", "math", "meta", "base", "link", "noscript"}, html
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), html
            assert name.lower() not in {"style", "srcset", "formaction", "target"}, html
            if name in ("href", "src"):
                assert re.match(r"(?i)\s*(https?:|mailto:|#)", value), html


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_markup_never_survives(payload):
    body = _clean_html(f"<p>before</p>{payload}<p>after</p>")
    _assert_safe(body.html)
    assert body.text.startswith("before")


TAGS = st.sampled_from(["p", "div", "a", "img", "script", "style", "svg", "math", "iframe", "form",
                        "table", "td", "tr", "noscript", "template", "ok", "span", "select", "option",
                        "textarea", "title", "xmp", "object", "mglyph", "mtext", "b"])
ATTRS = st.sampled_from(["href", "src", "onerror", "onload", "style", "srcset", "action", "formaction",
                         "title", "alt", "xlink:href", "data"])
VALUES = st.sampled_from(["javascript:alert(1)", "https://ok.example/x", " JAVASCRIPT:x", "data:text/html,x",
                          "x\" onerror=\"alert(1)", "</style><img src=x onerror=alert(1)>", "#a", "vbscript:y"])


@st.composite
def hostile_html(draw, depth=0):
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 3))
        if kind == 0 or depth > 3:
            parts.append(draw(st.sampled_from(["text", "<", ">", "&", "\"", "'", "<!--", "-->", "]]>"])))
        else:
            tag = draw(TAGS)
            attrs = "".join(f' {draw(ATTRS)}="{draw(VALUES)}"' for _ in range(draw(st.integers(0, 2))))
            inner = draw(hostile_html(depth + 1))
            close = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if close else ""))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_html())
def test_property_generated_markup_is_always_sanitised(fragment):
    _assert_safe(_clean_html(fragment).html)
    _assert_safe(sanitise(fragment))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(hostile_html(), st.sampled_from(["", " ", "  lead <p>a</p> tail ", "<!-- c -->x",
                                                  "</div>x<div>", "<html><body><p>b</p>", "<input>t"])))
def test_a_fragment_is_parsed_as_lxml_html_parses_it(fragment):
    ours = parse_fragment(fragment)
    theirs = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert lxml.html.tostring(ours) == lxml.html.tostring(theirs)
    assert ours.getparent() is None and isinstance(ours, lxml.html.HtmlElement)


def test_a_parsed_fragment_s_elements_come_from_lxml_s_own_lookup():
    """Every element is a plain HtmlElement (lxml.html's parser would make
    ``<input>`` an InputElement, asking Python for each element's class)."""
    tree = parse_fragment("<form><input><select><option>a</option></select></form><p><b>x</b></p>")
    assert {type(element) for element in tree.iter()} == {lxml.html.HtmlElement}
    tree.find(".//b").drop_tag()
    assert lxml.html.tostring(tree) == b"<div><form><input><select><option>a</option></select></form><p>x</p></div>"


def test_body_headings_start_at_h2_and_never_skip_a_level():
    body = _clean_html("<h4>a</h4><p>x</p><h4>b</h4><h5>c</h5><h2>d</h2><h6>e</h6><h1>f</h1>")
    assert re.findall(r"<(h\d)>", body.html) == ["h2", "h2", "h3", "h2", "h3", "h2"]


def test_line_breaks_directly_inside_figures_are_dropped():
    body = _clean_html('<figure><img src="https://a.example/1.jpg"><br><figcaption>cap</figcaption></figure>')
    assert "<br>" not in body.html and "<figcaption>cap</figcaption>" in body.html


def test_attributes_are_written_in_a_stable_order():
    html = _clean_html('<p><img src="https://a.example/1.jpg" alt="x" width="3"></p>').html
    attrs = re.findall(r' ([a-z]+)="', re.search(r"<img[^>]*>", html).group(0))
    assert attrs == sorted(attrs)


def test_indented_chinese_prose_is_not_a_code_block():
    found = extract("## T\n` x` [轉載自GNews](https://gnews.org/articles/1)\n\n        这是一段缩进的正文。\n")
    html = clean(found).html
    assert "<pre>" not in html and "<p>这是一段缩进的正文。</p>" in html


def test_a_line_of_several_credits_becomes_people():
    from builder.extract import credit_line
    assert credit_line("素材：小红帽  翻译：Mohegayer K. Simon  编辑：李易通  发布：陶子") == [
        ("author", "小红帽"), ("translator", "Mohegayer K. Simon"), ("editor", "李易通"), ("publisher", "陶子")]
    assert credit_line("编辑、发布：Candy") == [("editor", "Candy"), ("publisher", "Candy")]
    assert credit_line("中国驻菲律宾大使馆3月20日在官网上发布声明称：好") is None


def test_only_web_images_stay_and_each_has_alt_text():
    body = _clean_html('<p>a<img src="/local/x.png"><img src="data:image/png;base64,AAAA">'
                       '<img src="https://a.example/1.jpg"></p>')
    assert body.html.count("<img") == 1
    assert re.search(r'<img alt="" [^>]*src="https://a.example/1.jpg"', body.html)


def test_a_link_that_is_not_to_the_web_keeps_its_text_only():
    body = _clean_html('<p><a href="../x.html">relative</a> <a>bare</a> <a href="mailto:a@b.c">mail</a></p>')
    assert "<a>" not in body.html and "relative" in body.text and "bare" in body.text
    assert 'href="mailto:a@b.c"' in body.html


@pytest.mark.parametrize("patterns", [
    (re.compile(r"(?i)(share|like)\s*[:：]?", re.M), re.compile(r"分享|转发"), re.compile(r".{0,5}订阅", re.S)),
    (re.compile(r"(a)\1"), re.compile(r"b+")),         # a backreference: tried pattern by pattern
    (re.compile(r"(?x) a b  # verbose"), re.compile(r"c")),  # verbose: tried pattern by pattern
    (re.compile(r"(?P<n>x)"), re.compile(r"(?P<n>y)")),  # the same group name twice
    (),
])
def test_whole_match_agrees_with_trying_each_pattern(patterns):
    from builder.clean import whole_match
    matches = whole_match(patterns)
    for text in ("Share:", "SHARE", "like ：", "分享", "转发", "x订阅", "aa", "bbb", "ab", "c", "x", "y", "",
                 "share this", "Share\n:", "12345订阅"):
        assert matches(text) == any(p.fullmatch(text) for p in patterns), (patterns, text)


def test_line_breaks_are_collapsed_except_inside_pre():
    body = _clean_html("<p>北约\n    日本</p><pre>北约\n    日本\n  <b>x\n  y</b></pre><p>one\n   two</p>")
    assert "<p>北约日本</p>" in body.html and "<p>one\ntwo</p>" in body.html
    assert "<pre>北约\n    日本\n  <b>x\n  y</b></pre>" in body.html


def test_innermost_blocks_are_the_blocks_that_hold_no_other_block():
    from builder.clean import _BLOCKS, _innermost_blocks
    tree = lxml.html.fragment_fromstring(
        "<div><p>a</p><div><p>b<b>c</b></p><div><span>d</span></div></div>"
        "<ul><li>e<ul><li>f</li></ul></li><li>g</li></ul><section><h2>h</h2></section></div>",
        create_parent="div")
    naive = [e for e in tree.iter(*_BLOCKS)
             if e is not tree and not any(c is not e for c in e.iter(*_BLOCKS))]
    found = _innermost_blocks(tree)
    assert found == naive
    assert [e.text_content() for e in found] == ["a", "bc", "d", "f", "g", "h"]


def test_empty_blocks_go_in_one_pass_and_their_tails_stay():
    body = _clean_html('<div><p><strong> </strong>…</p><ul><li><em>\u3000</em></li></ul></div>after'
                       '<p>kept</p><p><img src="https://a.example/1.jpg"></p><p>_</p>')
    # the tail of the removed div stays, as a paragraph of its own (it is loose text between blocks)
    assert body.html == ('<p>after</p><p>kept</p><p><img alt="" decoding="async" loading="lazy" '
                         'referrerpolicy="no-referrer" src="https://a.example/1.jpg"></p>')


def test_a_caption_beside_an_image_makes_a_figure_and_one_elsewhere_does_not():
    body = _clean_html('<p>intro <span class="caption">x</span></p>'
                       '<div id="d"><img src="https://a.example/1.jpg"><p class="wp-caption-text">A caption</p></div>')
    assert body.html == ('<p>intro x</p><figure><img alt="" decoding="async" loading="lazy" '
                         'referrerpolicy="no-referrer" src="https://a.example/1.jpg">'
                         '<figcaption>A caption</figcaption></figure>')


@given(st.text(alphabet="中文。「a B\u3000 \t\n\r\x0b\x1c\x85\u2028\u00a0", max_size=40))
@settings(max_examples=500, deadline=None)
def test_the_edge_after_wide_text_is_searched_in_the_tail_alone(text):
    from builder.clean import _EDGE_AFTER_WIDE, _drop_edge_after_wide
    assert _drop_edge_after_wide(text) == _EDGE_AFTER_WIDE.sub("", text)


@given(st.text(alphabet="中文。「a B1“한\u3000 \t\n\r\x0b\x1c\x85\u2028\u00a0", max_size=40))
@settings(max_examples=1000, deadline=None)
def test_layout_is_collapsed_in_one_pass_as_the_rules_in_turn_collapse_it(text):
    from builder.clean import (_BREAK_BESIDE_CJK, _BREAK_BETWEEN_WIDE, _EDGE_AFTER_WIDE, _EDGE_BEFORE_WIDE,
                               _LINE_BREAK, _collapse)
    rules = text
    if "\n" in text:
        for pattern, left in ((_BREAK_BETWEEN_WIDE, ""), (_EDGE_AFTER_WIDE, ""), (_EDGE_BEFORE_WIDE, ""),
                              (_BREAK_BESIDE_CJK, ""), (_LINE_BREAK, "\n")):
            rules = pattern.sub(left, rules)
    assert _collapse(text) == rules


def test_a_line_break_ending_wide_text_goes_even_after_an_ideographic_space():
    from builder.clean import _drop_edge_after_wide
    assert _drop_edge_after_wide("中文\n  ") == "中文"
    assert _drop_edge_after_wide("中文\u3000\n") == "中文\u3000"  # U+3000 is wide and a space
    assert _drop_edge_after_wide("ab\n") == "ab\n" and _drop_edge_after_wide("\u3000\n") == "\u3000"


def _clean_file(path: Path):
    return clean(extract(path.read_text(encoding="utf-8")))


def test_links_whose_address_leads_nowhere_keep_their_text_only():
    """Real articles: a paragraph, a title or a host with a full-width comma
    where the address belongs. The text stays, the link goes, and no ``<a>``
    is left without an address."""
    gnews = _clean_file(BENCH / "ourhimalayas/txt/content/gnews/2606132.md")
    assert "U.S. Launches Program To Document War Crimes In Ukraine" in gnews.text
    assert "美国国务院" not in " ".join(re.findall(r'href="([^"]*)"', gnews.html))
    epoch = _clean_file(BENCH / "epic-marker/epoch-news/pages/ncid1078160/n13901026.md")
    assert "healthline" not in " ".join(re.findall(r'href="([^"]*)"', epoch.html))
    assert "www.healthline.com，Narcan" in epoch.text and "含有活性药物纳洛酮" in epoch.text
    for body in (gnews, epoch):
        assert not re.search(r"<a(?![^>]*\bhref=)[^>]*>", body.html)


def test_a_link_with_extra_slashes_after_its_scheme_is_kept_as_browsers_read_it():
    body = _clean_file(BENCH / "epic-marker/epoch-news/pages/ncid280/n14000520.md")
    assert '<a href="https://www.ntdtv.com/b5/2023/05/19/a103716302.html"' in body.html


def test_an_image_address_with_a_trailing_space_keeps_its_address():
    """The source writes ``src="….jpeg "``; kept as it was, the space became
    ``%20`` and the image a missing file."""
    body = _clean_file(BENCH / "epic-marker/epoch-news/pages/ncid1078159/n13965177.md")
    sources = re.findall(r'<img [^>]*src="([^"]*)"', body.html)
    assert "https://img.theepochtimes.com/assets/uploads/2023/04/04/id5170298-trump-indictment-1200x799.jpeg" in sources
    assert not any(src.endswith("%20") for src in sources)


def test_every_address_left_in_a_cleaned_body_is_a_web_or_mail_address():
    """What an outside audit reads: every ``href`` and ``src`` of every
    fixture's body parses, and names a host (or is a mail address)."""
    paths = sorted(p for folder in (BENCH, SEEDS, Path(__file__).parent / "fixtures" / "corpus")
                   for p in folder.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv")
    checked = 0
    for path in paths:
        for address in re.findall(r'\b(?:href|src)="([^"]*)"', _clean_file(path).html):
            address = address.replace("&amp;", "&")
            if address.startswith("mailto:"):
                continue
            parts = urllib.parse.urlsplit(address)
            assert parts.scheme in ("http", "https") and parts.hostname, (path.name, address)
            checked += 1
    assert checked > 100


def test_a_video_article_keeps_a_link_to_its_video():
    """A real Minghui article whose only content is a video: the player
    went whole, and the page was left with the dateline alone."""
    body = _clean_file(BENCH / "gfw-breaker/mh-news/pages/365/413861.md")
    url = "http://media4.minghui.org/media/video/2020/10/15/425_360p.mp4"
    assert f'<a href="{url}" rel="noopener noreferrer nofollow">{url}</a>' in body.html
    assert "<video" not in body.html and "<source" not in body.html and "does not support" not in body.text
    assert body.text == "【明慧网二零二零年十月十六日】"  # the address is no prose: not in summaries or counts


def test_players_become_figures_linking_their_files_and_players_without_one_go():
    body = _clean_html(
        '<p>Listen:</p><audio controls src="https://a.example/talk.mp3"><source src="https://a.example/talk.mp3">'
        'No audio.</audio><p>Watch:</p><video poster="https://a.example/still.jpg" src="/local.mp4">'
        '<source src="https://a.example/clip.webm"><source src="https://a.example/clip.mp4"></video>'
        '<video><source src="data:video/mp4;base64,AAAA"></video><p>End.</p>')
    figures = re.findall(r"<figure>.*?</figure>", body.html, re.S)
    assert len(figures) == 2
    assert re.findall(r'<a href="([^"]*)"', figures[0]) == ["https://a.example/talk.mp3"]
    assert re.findall(r'<a href="([^"]*)"', figures[1]) == ["https://a.example/clip.webm", "https://a.example/clip.mp4"]
    assert 'src="https://a.example/still.jpg"' in figures[1]
    assert "No audio" not in body.text and "data:" not in body.html
    assert body.text.split("\n")[0] == "Listen:" and body.text.endswith("End.")


def test_addresses_with_control_characters_are_dropped_not_a_crash():
    """``&#11;`` in an address decodes to a character lxml refuses to store:
    such an address is no web address, and the file still cleans."""
    body = _clean_html('<p><a href="https:///a.example/&#1;x">kept text</a>'
                       '<img src=" https://a.example/i&#11;.jpg"><video src="https://a.example/v&#11;.mp4"></video></p>')
    assert body.text == "kept text"
    assert "<a" not in body.html and "<img" not in body.html and "<figure" not in body.html


def test_a_player_inside_a_paragraph_is_linked_from_a_figure_after_it():
    body = _clean_html('<p>Before <video src="https://a.example/视频 1.mp4"></video> after'
                       '<audio src="https://a.example/a.mp3"></audio> end</p><p>Next.</p>')
    assert re.fullmatch(r'<p>Before +after +end</p>\s*<figure><figcaption><a href="https://a.example/[^"]+"[^>]*>'
                        r'https://a.example/视频 1.mp4</a></figcaption></figure>\s*<figure><figcaption>'
                        r'<a href="https://a.example/a.mp3"[^>]*>https://a.example/a.mp3</a></figcaption></figure>'
                        r'\s*<p>Next.</p>', body.html), body.html
    assert body.text == "Before after end\nNext."  # the addresses, even percent-encoded, are no prose


def test_images_without_a_scheme_are_kept_with_https():
    """A real Epoch Times page whose greeting cards are ``<img src="//greetings.minghui.org/…">``:
    15 of its 19 images were dropped as not being web images."""
    body = _clean_file(BENCH / "epic-marker/epoch-news/pages/ncid278/n12770796.md")
    sources = re.findall(r'<img [^>]*src="([^"]*)"', body.html)
    assert len(sources) == 19 and all(src.startswith(("https://", "http://")) for src in sources)
    assert "https://greetings.minghui.org/mh/article_images/2021-2-12-2102050629238801.jpg" in sources


def _dropped_as_a_block(profile: str, block: str) -> bool:
    """Whether a block of just this text goes, by the profile's drop_blocks
    (the shared ones included)."""
    return any(p.fullmatch(block) for p in profile_named(profile).drop_blocks)


@pytest.mark.parametrize("block, dropped", [
    ("欢迎关注我们的频道", True),
    ("请关注：盖特 @abc", True),
    ("欢迎订阅我们的节目", True),
    ("欢迎大家关注Twitter", True),
    # a programme's spoken opening and a sentence are the article's text
    ("【大纪元2022年07月16日讯】大家好，欢迎大家关注《新闻看点》，我是李沐阳。", False),
    ("我请大家关注香港的局势。", False),
    ("请大家关注我们的孩子们的教育问题。", False),
    ("请大家关注本周的选举。", False),
])
def test_a_follow_prompt_is_dropped_and_a_sentence_about_following_is_not(block, dropped):
    assert _dropped_as_a_block("generic", block) is dropped


@pytest.mark.parametrize("fragment, text", [
    ("<p>利率上升的阻挠\n  <strong>\n   。\n  </strong>\n  在十个</p>", "利率上升的阻挠。在十个"),
    ("<p>主席加里<em>‧</em>詹斯勒</p>", "主席加里‧詹斯勒"),
    ("<p>two<b> </b>words</p>", "two words"),
])
def test_an_inline_wrapper_of_punctuation_or_space_leaves_it_in_the_sentence(fragment, text):
    tree, _ = repair_tree(fragment, (), (), (), ())
    assert " ".join(tree.text_content().split()) == text


def _repaired(fragment: str) -> str:
    tree, _ = repair_tree(fragment, (), (), (), ())
    return lxml.html.tostring(tree, encoding="unicode")


def _after_a_paragraph(profile: str, fragment: str) -> str:
    """``fragment`` after a paragraph of text, repaired as the profile's
    cleaning repairs a body (its blocks, promotion links and lines)."""
    found = profile_named(profile)
    tree, _ = repair_tree("<p>正文。</p>" + fragment, (), (), found.drop_blocks, found.promo_links, found.promo_lines)
    return lxml.html.tostring(tree, encoding="unicode")


def test_the_rule_under_the_lead_picture_goes_and_a_rule_between_paragraphs_stays():
    lead = ('<div><img src="https://a.example/x.jpg"/><div class="caption">图为会场。</div></div>'
            '<hr/><div><p>【大纪元2021年06月17日讯】正文。</p></div>')
    assert "<hr>" not in _repaired(lead) and "<figcaption>图为会场。</figcaption>" in _repaired(lead)
    assert "<hr>" in _repaired("<p>正文。</p><hr/><p>附录。</p>")


@pytest.mark.parametrize("fragment, kept", [
    ("<p>正文。</p><p>最后一句。#</p>", "<p>最后一句。</p>"),
    ("<p>最后一句。</p><p>＃</p>", "<p>最后一句。</p></div>"),
    ("<p>最后一句。#◇</p>", "<p>最后一句。</p>"),
    ("<p>最后一句。◇#</p>", "<p>最后一句。</p>"),
    ("<p>他说“好”@＃</p>", "<p>他说“好”</p>"),
    ("<p>写的是C#</p>", "<p>写的是C#</p>"),
    ("<p>#中共</p>", "<p>#中共</p>"),
    ("<p>句子。#</p><p>后面还有。</p>", "<p>句子。#</p>"),
])
def test_the_end_mark_after_the_last_sentence_goes(fragment, kept):
    assert kept in _repaired(fragment)


def test_a_character_reference_escaped_twice_becomes_its_character():
    repaired = _repaired('<p><img alt="&amp;#039图1：网站截图&amp;#039" src="https://a.example/y.jpg"/>'
                         "奥布莱恩（Robert O&amp;#039Brien）</p>")
    assert 'alt="图1：网站截图"' in repaired and "Robert O'Brien" in repaired


@pytest.mark.parametrize("markdown, html", [
    ("**评论：**美国的农业州", "<p><strong>评论：</strong>美国的农业州</p>"),
    ("60 **天。**他们", "<p>60 <strong>天。</strong>他们</p>"),
    ("正常 **粗体** 文字", "<p>正常 <strong>粗体</strong> 文字</p>"),
    # code, and asterisks that are no emphasis, stay as written
    ("`a**b**c`", "<p><code>a**b**c</code></p>"),
    ("2 ** 3 ** 4", "<p>2 ** 3 ** 4</p>"),
    # a bold line closed after a space or on the next line, an empty pair in a line
    ("**李嘉誠加速「跑路」 **", "<p><strong>李嘉誠加速「跑路」</strong></p>"),
    ("**债务问题有多糟糕？\n**\n\n事实上", "<p><strong>债务问题有多糟糕？</strong></p>\n<p>事实上</p>"),
    # ... or opened before one, in a heading or a list item too
    ("** 一、税费问题**", "<p><strong>一、税费问题</strong></p>"),
    ("## **泰國人不忍了 ** ", "<h2><strong>泰國人不忍了</strong></h2>"),
    ("- ** 金砖国家 **", "<ul>\n<li><strong>金砖国家</strong></li>\n</ul>"),
    ("**火币**下降了 33%****，交易者", "<p><strong>火币</strong>下降了 33%，交易者</p>"),
    # a **** in a line with no bold of its own is a mask
    ("手机号138****5678", "<p>手机号138****5678</p>"),
    ("罚款****元", "<p>罚款****元</p>"),
    # a line of asterisks is a rule
    ("上文\n\n**************\n\n下文", "<p>上文</p>\n<hr />\n<p>下文</p>"),
])
def test_strong_emphasis_next_to_chinese_punctuation_is_strong(markdown, html):
    assert render_markdown(markdown).strip() == html


@pytest.mark.parametrize("block, dropped", [
    ("本文所表达的是作者的观点，并不一定反映《大纪元时报》的观点。", True),
    ("（本视频只代表作者的观点和陈述）", True),
    ("文章仅代表作者本人观点，与Gnews无关", True),
    ("《大纪元时报》版权所有©2022。本文仅代表作者的观点和主张。", True),
    ("*© 2024年德国之声版权声明：本文所有内容受到著作权法保护*", True),
    ("声明：文中内容根据郭文贵先生直播视频整理，如果文字内容与视频内容冲突则以原视频为准", True),
    ("文章观点仅代表作者本人，与Gnews平台无关", True),
    ("【文章仅代表作者观点】", True),
    ("本文所表达的观点，仅代表作者本人，不代表《大纪元时报》。", True),
    ("免责声明︰以上内容仅代表作者的个人立场和观点，不代表香港01的任何立场。", True),
    ("注：此文系人工听写整理如有不准确之处请以原视频为准。", True),
    # sentences about an author's view are text
    ("本文作者的观点是中共必须为疫情负责。", False),
    ("他在声明中说，公司不会放弃。", False),
    ("他说该书版权所有人是出版社。", False),
    ("文章代表作者多年来对中共暴政的观察和思考，值得一读。他在书中写道，中共的统治靠的是谎言和暴力，人民终将觉醒。", False),
    ("在文末，排协加了一句话，说“本文仅代表作者观点，不代表中国排协的立场”。", False),
    ("注：美国国务院发言人随后表示，此次对台军售与中美贸易谈判无关。", False),
])
def test_disclaimers_and_copyright_lines_are_boilerplate(block, dropped):
    assert _dropped_as_a_block("generic", block) is dropped


@pytest.mark.parametrize("block", ["听新闻：", "（听更多新闻请至“听纪元”平台）"])
def test_an_epoch_times_audio_players_labels_go_with_it(block):
    assert _dropped_as_a_block("epoch-times-mirror", block)


_LONG = "这是正文的一句话，它足够长，讲的是一件重要的新闻事件和它的来龙去脉，以及各方的反应。"


def test_promotion_lines_within_a_paragraph_go_and_its_other_lines_stay():
    epoch = profile_named("epoch-times-mirror")
    fragment = (f'<p>{_LONG}<br/>欢迎订阅YouTube频道：<a href="https://www.youtube.com/@News_Insight">'
                'https://www.youtube.com/@News_Insight</a><br/>支持我们：<a href="https://donorbox.org/x">'
                f'https://donorbox.org/x</a><br/>听新闻：<br/>{_LONG}</p>')
    tree, _ = repair_tree(fragment, (), (), epoch.drop_blocks, epoch.promo_links)
    repaired = lxml.html.tostring(tree, encoding="unicode")
    assert repaired == f"<div><p>{_LONG}<br>{_LONG}</p></div>"


def test_a_sentence_that_links_a_channel_is_text():
    generic = profile_named("generic")
    fragment = (f'<p>{_LONG}<br/>他在自己的<a href="https://www.youtube.com/@someone">频道</a>上说，'
                f'这件事情还没有结束，他会继续追踪报道下去。</p>')
    tree, _ = repair_tree(fragment, (), (), generic.drop_blocks, generic.promo_links)
    assert "他在自己的" in lxml.html.tostring(tree, encoding="unicode")


def test_a_short_paragraph_that_is_a_sentence_keeps_its_channel_link():
    generic = profile_named("generic")
    sentence = '<p>他在自己的<a href="https://www.youtube.com/@someone">频道</a>上说，此事还没完。</p>'
    promotion = '<p>就看<a href="https://www.youtube.com/@someone">新闻频道</a>！</p>'
    tree, _ = repair_tree(sentence + promotion, (), (), generic.drop_blocks, generic.promo_links)
    repaired = lxml.html.tostring(tree, encoding="unicode")
    assert "此事还没完" in repaired and "就看" not in repaired


def test_text_loose_between_blocks_becomes_a_paragraph():
    # a Minghui page's opening: the dateline and first sentence before the first <p>
    repaired = _repaired('<div>\n 【明慧网二零二零年三月二十五日】中共病毒<a href="https://www.minghui.org/g.html">迫害</a>'
                         '全球。\n <p>近日，一位学员说。</p>\n 尾声 <b>加粗</b>\n<p>完。</p></div>')
    assert ('<p>【明慧网二零二零年三月二十五日】中共病毒<a href="https://www.minghui.org/g.html">迫害</a>全球。</p>'
            in repaired)
    assert "<p>尾声 <b>加粗</b></p>" in repaired
    # text alone, or pictures between paragraphs, stay as they are
    assert _repaired("plain text") == "<div>plain text</div>"
    assert _repaired('<p>a</p> <img src="https://a.example/c.jpg"> <p>b</p>').count("<p>") == 2


def test_loose_lines_after_an_empty_block_lose_only_their_promotions():
    # an Epoch Times page: <center></center> inside <p> ends the paragraph, and
    # the lines after it are loose text with <br>
    fragment = ('<p><center></center>欢迎订阅YouTube频道：<a href="https://www.youtube.com/channel/UCd">'
                'https://www.youtube.com/channel/UCd</a><br/>转自新唐人【<a href="https://www.ntdtv.com/b5/a.html">'
                '晚间新闻</a>】06月30日完整版</p>')
    epoch = profile_named("epoch-times-mirror")
    tree, _ = repair_tree(fragment, (), (), epoch.drop_blocks, epoch.promo_links)
    repaired = lxml.html.tostring(tree, encoding="unicode")
    assert "欢迎订阅" not in repaired and "转自新唐人【" in repaired and "06月30日完整版</p>" in repaired


def test_a_line_break_in_a_gnews_post_is_one():
    # the mirror wrote each paragraph of the post as one line
    found = extract("## 标题\n` 作者` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n"
                    "渡过这次大流行的方法，就是让每个人都接种疫苗。\n疫苗护照是用来泄愤的，而不是为了科学。\n")
    assert "接种疫苗。<br>疫苗护照" in clean(found).html
    assert render_markdown("第一行\n第二行").strip() == "<p>第一行\n第二行</p>"
    assert render_markdown("第一行\n第二行", line_breaks=True).strip() == "<p>第一行<br />\n第二行</p>"


_PICTURE = '<img src="https://a.example/x.jpg">'


@pytest.mark.parametrize("fragment", [
    f"<p>{_PICTURE}图片来源：路透社<br>正文。</p>",
    f"<p>{_PICTURE}<br>图片来源：路透社<br>正文。</p>",
    f"<p>{_PICTURE}</p><p>图片来源：路透社</p><p>正文。</p>",
])
def test_a_pictures_credit_next_to_it_is_its_caption(fragment):
    assert _repaired(fragment) == ('<div><figure><img src="https://a.example/x.jpg" alt="">'
                                   "<figcaption>图片来源：路透社</figcaption></figure><p>正文。</p></div>")


@pytest.mark.parametrize("caption", [
    "图片来自today.it", "图片来源于网络", "（圖／翻攝自臉書）",
    "兴伟集团与江苏东海县某旅游项目签约总投资60亿元。（网页截图）",
    "卡瓦納貼出一張「六四天安門事件」的合成照，嘲諷意味十足。（圖／翻攝自「Dr K Boogie Woogie」IG）",
    "2020年9月16日，北京，人们从字节跳动总部大楼走过。(Greg Baker/AFP via Getty Images)",
    "海巡应适度公布海警船航迹图。（资料照）",
])
def test_a_caption_that_ends_with_its_credit_or_opens_with_a_label_without_colon_is_one(caption):
    for fragment in (f"<p>{_PICTURE}{caption}<br>正文。</p>", f"<p>{_PICTURE}</p><p>{caption}</p><p>正文。</p>"):
        assert _repaired(fragment) == ('<div><figure><img src="https://a.example/x.jpg" alt="">'
                                       f"<figcaption>{caption}</figcaption></figure><p>正文。</p></div>")


@pytest.mark.parametrize("fragment, kept", [
    # the mirror lost the picture: its credit alone goes
    ("<p>图片来源：info.51.ca</p><p>正文。</p>", False),
    ("<p>正文。</p><p>图片来源于网络</p><p>后文。</p>", False),
    # in a body with pictures it may be theirs
    (f"<p>{_PICTURE}</p><p>正文。</p><p>图片来源：路透社</p>", True),
    (f"<p>正文。</p><p>图片来源：路透社</p><p>{_PICTURE}</p>", True),
    (f"<figure>{_PICTURE}</figure><p>图片来源：路透社</p>", True),
    # a source note, a sentence, a longer text: no picture's credit
    ("<p>图片和新闻源于：路透社</p>", True),
    ("<p>图片来源：网络。下面是正文</p>", True),
    ("<p>图片来源：" + "很长的来源" * 10 + "</p>", True),
])
def test_a_pictures_credit_without_its_picture_goes(fragment, kept):
    assert ("路透社" in _repaired(fragment) or "info.51.ca" in _repaired(fragment) or "网络" in _repaired(fragment)
            or "很长" in _repaired(fragment)) == kept


def test_a_picture_linked_to_its_full_size_takes_its_caption_too():
    linked = '<a href="https://a.example/x-large.jpg">\n<img src="https://a.example/x.jpg">\n</a>'
    assert _repaired(f"<p>{linked} 网民发帖（微博截图）</p><p>正文。</p>") == (
        '<div><figure><a href="https://a.example/x-large.jpg" title="网民发帖（微博截图）">'
        '<img src="https://a.example/x.jpg" alt=""></a><figcaption>网民发帖（微博截图）</figcaption></figure>'
        "<p>正文。</p></div>")
    # a link with text of its own is no picture's
    assert "<figure>" not in _repaired('<p><a href="https://a.example/p"><img src="https://a.example/x.jpg">'
                                       "看全文</a>（网络截图）</p>")


def test_text_after_a_picture_that_is_no_credit_stays_text():
    assert "<figure>" not in _repaired(f"<p>{_PICTURE}据路透社报道，星巴克宣布撤出俄罗斯。</p>")
    # a credit at the end of a paragraph longer than a caption, or of one line in two
    long = "据路透社报道，" * 25 + "（路透社图片）"
    assert "<figure>" not in _repaired(f"<p>{_PICTURE}{long}</p>")
    assert "<figure>" not in _repaired(f"<p>{_PICTURE}</p><p>第一行<br>第二行。（资料图）</p>")
    assert "<figure>" not in _repaired(f"<p>{_PICTURE}</p><p>第一行\n第二行。（资料图）</p>")
    # brackets at the end that name no picture's source
    assert "<figure>" not in _repaired(f"<p>{_PICTURE}星巴克宣布撤出俄罗斯。（完）</p>")


def test_a_picture_shown_twice_is_the_pages_furniture_where_the_profile_says_so():
    logo = '<img src="https://a.example/logo.png">'
    fragment = f"<p>{logo}<br>正文。</p><p>{_PICTURE}</p><p>结尾。</p><p>{logo}</p>"
    tree, _ = repair_tree(fragment, (), (), (), (), None, True)
    repaired = lxml.html.tostring(tree, encoding="unicode")
    assert "logo.png" not in repaired and "x.jpg" in repaired and "<p>正文。</p>" in repaired
    # elsewhere (the Epoch Times shows its lead photo twice) both stay
    assert _repaired(fragment).count("logo.png") == 2


def test_layout_between_two_chinese_links_is_no_space():
    repaired = _repaired('<p>在中共\n<a href="https://a.example/g#37">\n迫害\n</a>\n'
                         '<a href="https://a.example/g#1">\n法轮功\n</a>\n中</p>')
    assert "迫害</a><a" in repaired
    # between English words the line break is a space
    assert "red</a>\n<a" in _repaired('<p>the <a href="https://a.example/">red</a>\n<a href="https://a.example/">car</a></p>')


@pytest.mark.parametrize("fragment, text", [
    # a pretty-printed page's tag link, unwrapped: the line breaks around it
    # are layout beside Chinese text, whatever is on the other side
    ('<p>今年1、\n<ok href="https://a.example/tag/2月.html">\n 2月\n</ok>\n期</p>', "今年1、2月期"),
    ('<p>继续扩大对中国的AI\n<ok href="https://a.example/tag/x.html">\n芯片出口限制\n</ok>\n。</p>',
     "继续扩大对中国的AI芯片出口限制。"),
    ('<p>台湾基进\n20日召开记者会</p>', "台湾基进20日召开记者会"),
    ('<p>（\nQuad\n）</p>', "（Quad）"),
    # the Chinese on the other side of a link's tag
    ('<p>网友\n<a href="https://a.example/u">\nSkylandRunner\n</a>\n说</p>', "网友SkylandRunner说"),
    ('<p>对中国的AI\n<a href="https://a.example/x">\n芯片\n</a>\n2</p>', "对中国的AI芯片2"),
    ('<p>新闻网：<a href="https://a.example/">\nhttps://a.example/\n</a>\n</p>', "新闻网：https://a.example/"),
    ('<p>据<b>\n<a href="https://a.example/">\nCNN\n</a>\n</b>\n报导</p>', "据CNN报导"),
    ('<p>对中国的AI\n<a href="https://a.example/">芯片</a></p>', "对中国的AI芯片"),
    ('<p><a href="https://a.example/">芯片</a>\nAI</p>', "芯片AI"),
    ('<p>the\n<a href="https://a.example/">\nred\n</a>\ncar</p>', "the red car"),
    # two wide characters are joined across a tag as within a text
    ('<p><b>대한</b>\n<b>민국</b></p>', "대한민국"),
    # a picture or a line break ends the running text: nothing is joined across it
    ('<p>abc\n<img src="https://a.example/x.jpg">\n<a href="https://a.example/">中文</a></p>', "abc 中文"),
    # between two narrow characters it stays, a space as a browser shows it
    ('<p>Ned\n<b>\nPrice\n</b>\nsaid</p>', "Ned Price said"),
    # Korean spaces its words; quotes and dots are English punctuation too
    ('<p>한국\nAI</p>', "한국 AI"),
    ('<p>“\nAI\n”</p>', "“ AI ”"),
    ('<p>the\n<a href="https://a.example/">AI</a>\n<a href="https://a.example/">芯片</a></p>', "the AI芯片"),
])
def test_a_line_break_beside_chinese_is_layout(fragment, text):
    tree, _ = repair_tree(fragment, (), (re.compile(r"https://a\.example/tag/(?P<tag>[^/]+)\.html"),), (), ())
    assert " ".join(tree.text_content().split()) == text  # whitespace as a browser shows it


def test_a_caption_from_a_cells_lines_has_no_spaces_inside_chinese():
    repaired = _repaired('<table><tr><td><img src="https://a.example/x.jpg"/><br/><a href="https://a.example/g">\n'
                         '酷刑\n</a>\n演示：\n<a href="https://a.example/h">\n铁椅子\n</a></td></tr></table>')
    assert ('<figcaption><a href="https://a.example/g">酷刑</a>演示：'
            '<a href="https://a.example/h">铁椅子</a></figcaption>') in repaired
    # nor beside Chinese, a digit or a Latin letter on the other side
    repaired = _repaired('<table><tr><td><img src="https://a.example/x.jpg"/><br/>图1：\n2021年\nAI\n芯片</td></tr></table>')
    assert "<figcaption>图1：2021年AI芯片</figcaption>" in repaired
    # but a <br> breaks the line: a space in one line of caption
    repaired = _repaired('<table><tr><td><img src="https://a.example/x.jpg"/><br/>第一排从左至右\n<br/>\n'
                         '1. 大卫\n<br/>\n2. 李四</td></tr></table>')
    assert "<figcaption>第一排从左至右 1. 大卫 2. 李四</figcaption>" in repaired


def test_a_run_of_layout_is_judged_whole():
    """A line break, then an ideographic space that indents the next line:
    the run goes only when what is beside the whole of it is Chinese."""
    from builder.clean import _collapse
    assert _collapse("a\n\u3000b") == "a\nb"
    assert _collapse("a\n\u3000中") == "a中"


def test_a_caption_from_a_cell_keeps_its_links():
    """Minghui links a letter's PDF from under its picture; the picture's own
    link still opens the full size, and a caption in the next cell links too."""
    repaired = _repaired('<table><tr><td><a href="https://a.example/1.jpg"><img src="https://a.example/1s.jpg"/></a>'
                         '<br/>图2：致支持信（\n<ok href="https://a.example/letter.pdf">\n<font>下载（794KB）</font>\n</ok>\n）。'
                         '</td><td><img src="https://a.example/2.jpg"/></td><td>图3：the <a href="https://a.example/l3">'
                         'letter</a> in full</td></tr></table>')
    assert ('<figcaption>图2：致支持信（<a href="https://a.example/letter.pdf">下载（794KB）</a>）。</figcaption>'
            in repaired)
    assert '<figcaption>图3：the <a href="https://a.example/l3">letter</a> in full</figcaption>' in repaired
    assert '<a href="https://a.example/1.jpg" title="图2：致支持信（下载（794KB））。">' in repaired


def test_a_thumbnail_in_a_layout_table_still_opens_its_full_size_picture():
    repaired = _repaired('<table><tr><td><a href="https://www.minghui.org/mh/a-01.jpg">'
                         '<img src="https://www.minghui.org/mh/a-01--ss.jpg"/></a><br/>图1：集会</td></tr></table>')
    assert ('<figure><a href="https://www.minghui.org/mh/a-01.jpg" title="图1：集会">'
            '<img src="https://www.minghui.org/mh/a-01--ss.jpg" alt=""></a><figcaption>图1：集会</figcaption>'
            in repaired)
    # a link to a page, not a picture, is not kept around the picture
    assert "<a " not in _repaired('<table><tr><td><a href="https://a.example/story.html">'
                                  '<img src="https://a.example/x.jpg"/></a></td></tr></table>')


def test_the_caption_under_a_table_of_pictures_is_theirs():
    pictures = '<img src="https://a.example/1.jpg"/></td><td><img src="https://a.example/2.jpg"/>'
    repaired = _repaired(f"<center><table><tr><td>{pictures}</td></tr></table>\n"
                         "一位军人把军服扔到了垃圾桶（网络截图）\n</center><p>正文。</p>")
    assert ('<figure><img src="https://a.example/1.jpg" alt=""><img src="https://a.example/2.jpg" alt="">'
            "<figcaption>一位军人把军服扔到了垃圾桶（网络截图）</figcaption></figure><p>正文。</p>" in repaired)
    # a long text after the table is the article's
    long_text = "后面是正文。" * 30
    assert f"<p>{long_text}</p>" in _repaired(f"<div><table><tr><td>{pictures}</td></tr></table>{long_text}</div>")


def test_a_digests_headline_lines_that_link_the_sites_own_articles_stay():
    # an Epoch Times digest: each item a numbered headline linking the article, then its summary
    epoch = profile_named("epoch-times-mirror")
    fragment = ('<p>1 . <a href="https://www.epochtimes.com/gb/21/4/9/n12870031.htm">钟原：美国再击要害 中共战狼蔫了？</a>'
                f"<br/>{_LONG}</p>")
    tree, _ = repair_tree(fragment, (), (), epoch.drop_blocks, epoch.promo_links, epoch.promo_lines)
    assert "钟原：美国再击要害" in lxml.html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("fragment, expected", [
    # the credit on the picture's next line, at the paragraph's end: once, as the caption
    (f"<p>{_PICTURE}<br>图片来源：路透社</p>",
     '<div><figure><img src="https://a.example/x.jpg" alt=""><figcaption>图片来源：路透社</figcaption></figure></div>'),
    # the credit as the next paragraph: text after that paragraph stays
    (f"<div><p>{_PICTURE}</p><p>图：会场</p>之后的文字<p>正文。</p></div>",
     '<div><div><figure><img src="https://a.example/x.jpg" alt=""><figcaption>图：会场</figcaption></figure>'
     "<p>之后的文字</p><p>正文。</p></div></div>"),
])
def test_a_pictures_credit_is_taken_once_and_nothing_else_with_it(fragment, expected):
    assert _repaired(fragment) == expected


def test_reference_escaped_twice_to_a_control_character_is_dropped():
    assert _repaired("<p>a&amp;#12;b</p>") == "<div><p>ab</p></div>"


def test_a_middle_dot_unwrapped_from_its_tag_joins_the_name():
    assert _repaired("<p>加文\n  <b>\n   ·\n  </b>\n  纽森</p>") == "<div><p>加文·纽森</p></div>"


@pytest.mark.parametrize("markdown, html", [
    # an escaped pair, with no punctuation inside, stays asterisks
    ("\\*\\*强调\\*\\*", "<p>**强调**</p>"),
    # asterisks in an attribute are not emphasis
    ('<img alt="**评论：**x" src="https://a.example/x.png">', '<img alt="**评论：**x" src="https://a.example/x.png">'),
])
def test_asterisks_that_are_no_emphasis_stay(markdown, html):
    assert render_markdown(markdown).strip() == html


def test_a_repeated_pictures_figure_goes_with_its_caption():
    logo = '<img src="https://a.example/logo.png">'
    tree, _ = repair_tree(f'<div><img src="https://a.example/logo.png"/><div class="caption">农场标志</div></div>'
                          f"<p>正文。</p><p>{logo}</p>", (), (), (), (), None, True)
    repaired = lxml.html.tostring(tree, encoding="unicode")
    assert "农场标志" not in repaired and "logo.png" not in repaired and "<p>正文。</p>" in repaired


@pytest.mark.parametrize("fragment, kept", [
    # a label alone, then other articles' headlines, as text or links or a list
    ("<p>正文。</p><p>延伸阅读：</p><p>分手後「人生进阶」 勇兔曝喜讯：送自己大礼！</p>"
     "<p>发生什麽事？「最赤裸人妻」 居然包紧紧</p><p>【本文获「联合新闻网」授权转载。】</p>",
     "<p>正文。</p><p>【本文获「联合新闻网」授权转载。】</p>"),
    ('<p>正文。</p><p><strong>推荐阅读：</strong></p><p><a href="https://gnews.org/1">郭爆料串珠（107）72小时最后通牒'
     '、72小时南海强拆、72小时作战计划，以及更多更多的内容在这里</a></p><p><a href="https://gnews.org/2">串珠600</a></p>',
     "<p>正文。</p>"),
    ('<p>正文。</p><p>【相關閱讀】</p><ul><li><a href="https://x.example/1">甲</a></li><li>标题二</li></ul><p>后文。</p>',
     "<p>正文。</p><p>后文。</p>"),
    # what follows the label is a sentence, or an address: the label stays with it
    ("<p>延伸阅读：</p><p>这是一段正文，后面跟着说明。</p>", "<p>延伸阅读：</p><p>这是一段正文，后面跟着说明。</p>"),
    ("<p>相关阅读：</p><p>資料來源：健康醫療網 https://www.healthnews.com.tw/1</p>",
     '<p>相关阅读：</p><p>資料來源：健康醫療網 <a href="https://www.healthnews.com.tw/1">https://www.healthnews.com.tw/1</a>'
     '</p>'),
    # "related news" is where a translation names its source
    ('<p>相关新闻：</p><p><a href="https://home.nzcity.co.nz/news/1">https://home.nzcity.co.nz/news/1</a></p>',
     '<p>相关新闻：</p><p><a href="https://home.nzcity.co.nz/news/1">https://home.nzcity.co.nz/news/1</a></p>'),
])
def test_further_reading_under_its_label_is_boilerplate(fragment, kept):
    assert _repaired(fragment) == f"<div>{kept}</div>"


@pytest.mark.parametrize("line, dropped", [
    ("#### 【雅典娜快讯】，紧贴时代脉搏", True),
    ("**【雅典娜观察】与您一起洞察世界**", True),
    ("#### 《雅典娜时报》汇聚全球新闻时事", True),
    ("#### 【雅典娜快讯，紧贴时代脉搏】", True),
    # in either script, or without its opening bracket
    ("【雅典娜快訊】緊貼時代脈搏", True),
    ("雅典娜快讯】紧贴时代脉搏", True),
    ("【雅典娜快讯】，紧贴时事脉搏", True),
    ("#### 澳洲新闻时事动态，尽在雅典娜【澳洲热点】", True),
    ("他说，尽在掌握之中【笑】的人很多", False),
    ("我们紧贴时代脉搏", False),
    # a column's name says which column; a sentence quoting a slogan is text
    ("雅典娜情报组《疫苗灾难收集专栏》", False),
    ("他说【雅典娜快讯】紧贴时代脉搏是口号", False),
])
def test_a_gnews_groups_slogan_is_furniture(line, dropped):
    gnews = profile_named("gnews-repost")
    body = f"正文。\n{line}\n后文。"
    assert (drop_lines(body, gnews.drop_lines) == "正文。\n后文。") is dropped


@pytest.mark.parametrize("fragment, kept", [
    ('<p>正文。</p><h2>视频链接：</h2><p><a href="https://x.example/v">视频</a></p><h2>音频链接：</h2>',
     '<p>正文。</p><h2>视频链接：</h2><p><a href="https://x.example/v">视频</a></p>'),
    ("<p>正文。</p><p>原文：</p>", "<p>正文。</p>"),
    # a label with what it introduces, a sentence ending with a colon, a label not at the end
    ('<p>正文。</p><p>原文：<a href="https://x.example/1">链接</a></p>',
     '<p>正文。</p><p>原文：<a href="https://x.example/1">链接</a></p>'),
    ("<p>正文。</p><p>他在声明的最后写道，这是一个需要大家共同面对的问题：</p>",
     "<p>正文。</p><p>他在声明的最后写道，这是一个需要大家共同面对的问题：</p>"),
    ("<h2>摘要：</h2><p>正文。</p>", "<h2>摘要：</h2><p>正文。</p>"),
    # inside the wrapper an Epoch Times body comes in; text after the wrapper keeps it
    ("<div><p>正文。</p><p>网络收看方式：</p></div>", "<div><p>正文。</p></div>"),
    ("<div><p>正文。</p><p>原文：</p></div>后文", "<div><p>正文。</p><p>原文：</p></div><p>后文</p>"),
])
def test_a_label_that_ends_the_body_with_nothing_after_it_goes(fragment, kept):
    assert _repaired(fragment) == f"<div>{kept}</div>"


_BANNER = '<a href="https://www.give1car.com/"><img src="https://a.example/car-donation-600x70.png"></a>'


@pytest.mark.parametrize("after, kept", [
    # after the end mark: a newsletter's sign-up heading, a banner alone or on its own line
    ('<h3><a href="http://zipsurvey.com/Survey.aspx?suid=1">每周为您献上旧金山最新消息</a></h3>', ""),
    (f"<p>{_BANNER}</p>", ""),
    (f"<p>{_BANNER}<br>本文刊载于旧金山6月18日地产版</p>", "<p>本文刊载于旧金山6月18日地产版</p>"),
    # text, a reference by its address, a picture with its caption, a sentence's link stay
    ("<p>本文刊载于旧金山6月18日地产版</p>", "<p>本文刊载于旧金山6月18日地产版</p>"),
    ('<p><a href="https://a.org/x">https://a.org/x</a></p>', '<p><a href="https://a.org/x">https://a.org/x</a></p>'),
    (f"<p>{_BANNER}图说明</p>", '<p><a href="https://www.give1car.com/"><img src="https://a.example/car-donation-600x70.png" '
                               'alt=""></a>图说明</p>'),
    ('<p>他说<a href="https://a.org/s">这里</a></p>', '<p>他说<a href="https://a.org/s">这里</a></p>'),
    ('<p><a href="https://a.org/s"><img src="https://a.org/p.png">更多</a><br>本文刊载于地产版</p>',
     '<p><a href="https://a.org/s"><img src="https://a.org/p.png" alt="">更多</a><br>本文刊载于地产版</p>'),
])
def test_after_the_articles_end_mark_a_link_or_a_banner_alone_is_furniture(after, kept):
    assert _repaired(f"<p>正文。</p><p>贷方正在提供贷款。◇</p>{after}") == f"<div><p>正文。</p><p>贷方正在提供贷款。◇</p>{kept}</div>"


@pytest.mark.parametrize("mark, left", [("◇", "◇"), ("＃", ""), ("#", ""), ("◇＃", "")])
def test_the_end_mark_may_be_any_of_the_sites(mark, left):
    """(The mark that then ends the body goes, as ``_drop_end_mark`` takes it: not a lone ◇.)"""
    heading = '<h2><a href="http://zipsurvey.com/Survey.aspx?suid=1">每周为您献上旧金山最新消息</a></h2>'
    assert _repaired(f"<p>正文。{mark}</p>{heading}") == f"<div><p>正文。{left}</p></div>"


def test_with_no_end_mark_before_it_a_linked_heading_stays():
    heading = '<h2><a href="http://zipsurvey.com/Survey.aspx?suid=1">每周为您献上旧金山最新消息</a></h2>'
    assert _repaired(f"<p>正文。</p>{heading}") == f"<div><p>正文。</p>{heading}</div>"
    assert _repaired(f"<p>正文。</p>{heading}<p>结尾。◇</p>") == f"<div><p>正文。</p>{heading}<p>结尾。◇</p></div>"


def _channel(label: str, address: str, shown: str | None = None) -> str:
    return f'<p>{label}：<a href="{address}">{shown or address} </a> </p>'


def _with_epoch_tags(fragment: str) -> str:
    """``fragment`` repaired with the Epoch Times mirror's tag links read."""
    tree, _ = repair_tree(fragment, (), profile_named("epoch-times-mirror").tag_links, (), ())
    return lxml.html.tostring(tree, encoding="unicode")


@pytest.mark.parametrize("fragment, dropped", [
    # a programme's channel ends its transcript: a channel's, a profile's or a playlist's page
    (_channel("石山角度", "https://www.youmaker.com/channel/80110d39-c1eb", "https://www.youmaker.com/c/石山角度"), True),
    (_channel("时事军事", "https://www.youtube.com/playlist?list=PL3V8J3zzkEX"), True),
    (_channel("Gan Jing World", "https://www.ganjingworld.com/zh-TW/channel/uAMlAuOM"), True),
    (_channel("某节目", "https://www.youtube.com/@someshow"), True),
    # or a short link under the programme's name, which the source links to its tag page
    (_channel(_tag_link("财商天下", "财商天下"), "http://bit.ly/3hvUfr7"), True),
    ('<p>' + _tag_link("方菲访谈", "方菲访谈") + '频道：<a href="https://bit.ly/fangfeitalk">https://bit.ly/fangfeitalk</a> '
     '<a href="https://bit.ly/fangfeitalk">https://bit.ly/fangfeitalk</a></p>', True),
    (_channel(_tag_link("财商天下", "财商天下"), "http://bit.ly/3hvUfr7")
     + _channel("时事军事", "https://www.youtube.com/playlist?list=PL3V8J3zzkEX"), True),
    # a short link under another label may be what the article asks for
    (_channel("联署信网址", "https://tinyurl.com/mvdwfpd8"), False),
    (_channel("财商天下", "http://bit.ly/3hvUfr7"), False),
    (_channel(_tag_link("联署", "联署") + "信网址", "https://tinyurl.com/mvdwfpd8"), False),
    # the article's references, the programme's video and a credit sharing the line stay
    (_channel("参考链接", "https://www.youtube.com/@someshow"), False),
    (_channel("观看视频", "https://www.youtube.com/playlist?list=PL3V8J3zzkEX"), False),
    (_channel("完整视频Youtube", "https://www.youtube.com/playlist?list=PL3V8J3zzkEX"), False),
    (_channel("YouTube", "https://www.youtube.com/watch?v=ikqrBQ3-Uus&list=PLaF6XA2KQtw"), False),
    (_channel("绘图：R1 " + _tag_link("财商天下", "财商天下"), "http://bit.ly/3hvUfr7"), False),
    (_channel("大纪元", "https://www.epochtimes.com/gb/21/7/20/n13102299.htm"), False),
    ('<p><a href="https://www.youtube.com/@someshow">https://www.youtube.com/@someshow</a></p>', False),
    ('<p>时事军事：<a href="https://www.youtube.com/playlist?list=PL3V8J3zzkEX">https://www.youtube.com/playlist?list=PL3V8J3zzkEX</a>'
     ' <a href="https://www.epochtimes.com/gb/21/7/20/n1.htm">https://www.epochtimes.com/gb/21/7/20/n1.htm</a></p>', False),
])
def test_a_programmes_channel_that_ends_the_body_goes(fragment, dropped):
    html = _with_epoch_tags(f"<div><p>正文。</p>{fragment}</div>")
    assert (html == "<div><div><p>正文。</p></div></div>") is dropped, html


def test_a_programmes_channel_that_the_text_follows_stays():
    fragment = _channel("时事军事", "https://www.youtube.com/playlist?list=PL3V8J3zzkEX")
    assert "playlist" in _repaired(f"<p>正文。</p>{fragment}<p>后文。</p>")
    assert "playlist" in _repaired(f"<div><p>正文。</p>{fragment}</div>后文")


@pytest.mark.parametrize("fragment, links", [
    ("<p>新闻来源： https://tnc.news/2022/05/26/x/</p>", ["https://tnc.news/2022/05/26/x/"]),
    # where Chinese punctuation or a sentence's full stop ends it
    ("<p>网址是http://muyangshow.com，还有一个http://youlucky.biz。</p>", ["http://muyangshow.com", "http://youlucky.biz"]),
    ("<p>见 https://a.org/x. 和 https://a.org:8080/x?q=1#f!</p>", ["https://a.org/x", "https://a.org:8080/x?q=1#f"]),
    # a bracket the address opened is its own
    ("<p>见（https://en.wikipedia.org/wiki/Foo_(bar)）和(https://a.org/x)。</p>",
     ["https://en.wikipedia.org/wiki/Foo_(bar)", "https://a.org/x"]),
    ("<p>(图片来自https://www.washingtonpost.com)</p>", ["https://www.washingtonpost.com"]),
    # a square bracket ends one (a Markdown link gone wrong), and so does a second address written on to it,
    # but not one in its query or path
    ("<p>见[https://a.org/x](https://a.org/x）后文</p>", ["https://a.org/x", "https://a.org/x"]),
    ("<p>来源：https://a.org/%E2%80%9Dhttps://gnews.org/1 完</p>", ["https://a.org/%E2%80%9D", "https://gnews.org/1"]),
    ("<p>见 https://a.org/get?u=https://b.org/1 和 https://a.org/https://c.org/ 完</p>",
     ["https://a.org/get?u=https://b.org/1", "https://a.org/https://c.org/"]),
    # in the tail of an inline element, and beside a link
    ('<p><b>粗体</b>见 https://a.org/1 与 <a href="https://b.org/2">https://b.org/2</a> https://c.org/3</p>',
     ["https://a.org/1", "https://b.org/2", "https://c.org/3"]),
    # no address: run on into a word, a bare name, inside a word, preformatted
    ("<p>百科https://zh.wikipedia.org/wiki/中共说</p>", []),
    ("<p>http://localhost 和 https://not_a_host/ 与 xhttps://a.org/ 及 https://1.2.3.999/</p>", []),
    ("<p>见https://a.org_x</p>", []),
    ("<pre>https://a.org/1</pre>", []),
    # run on into emphasis Markdown read in it; emphasis after a space is not the address's
    ("<p>链接 https://a.org/get?filename=(4)<em>x.pdf</em> 完</p>", []),
    ("<p>见 https://a.org/1 <em>强调</em></p>", ["https://a.org/1"]),
    ("<p>见 https://a.org/1<em>（图）</em></p>", ["https://a.org/1"]),
])
def test_an_address_written_in_the_text_becomes_a_link(fragment, links):
    tree, _ = repair_tree(f"<p>正文。</p>{fragment}", (), (), (), ())
    assert [(a.get("href"), a.text) for a in tree.iter("a")] == [(link, link) for link in links]
    assert " ".join(tree.text_content().split()) == " ".join(lxml.html.fromstring(f"<div><p>正文。</p>{fragment}</div>")
                                                             .text_content().split())


@pytest.mark.parametrize("fragment, kept", [
    # a heading so written titles a section; 推荐阅读 as a verb is a sentence
    ("<h4>延伸阅读：中国实际退休年龄只有54岁</h4><p>据统计，退休年龄……</p>",
     "<h2>延伸阅读：中国实际退休年龄只有54岁</h2><p>据统计，退休年龄……</p>"),  # (headings start at h2)
    ("<p>推荐阅读《九评共产党》，有助认清中共本质</p>", "<p>推荐阅读《九评共产党》，有助认清中共本质</p>"),
    # after a label in a paragraph, a heading or a quotation ends the headlines
    ('<p>正文。</p><p>延伸阅读：</p><p><a href="https://x.example/1">甲</a></p><h2>第二部分</h2><p>“这是真的吗？”</p>',
     "<p>正文。</p><h2>第二部分</h2><p>“这是真的吗？”</p>"),
    ("<p>延伸阅读：</p><p>“这是真的吗？”</p>", "<p>延伸阅读：</p><p>“这是真的吗？”</p>"),
    # under a heading, headings of its rank or below are the headlines
    ("<h2>推荐阅读：</h2><h3>．分析：中共太子党下台的背后因素</h3><h3>．上将被提前免职原因曝光</h3>", ""),
    # the label and a headline in one paragraph
    ("<p>【延伸阅读】英国少年失踪6年　幸获好心人救助（点图放大浏览）：</p><p>正文。</p>", "<p>正文。</p>"),
])
def test_further_reading_is_told_from_a_section_and_a_sentence(fragment, kept):
    assert _repaired(fragment) == f"<div>{kept}</div>"


@pytest.mark.parametrize("block, dropped", [
    # a GNews farm's accounts under its "follow us" line, and GNews's series pages
    ('<p>Discord：<a href="https://discord.com/channels/805765245758472202/851632878567948351">农场Discord群</a>；</p>',
     True),
    ('<p>推特：<a href="https://twitter.com/HJapanGalaxyII">日本银河系农场推特</a>；</p>', True),
    ('<p><a href="https://gtv.org/web/#/UserInfo/5ee680a45bd6f123dd104807">点击观看农场在G-TV的精彩视频</a></p>', True),
    ('<p>盖特：<a href="HTTPS://GETTR.COM/USER/farm">HTTPS://GETTR.COM/USER/farm</a></p>', True),
    ('<p><a href="https://gnews.org/zh-hans/tag/%e5%89%af%e4%bd%9c%e7%94%a8/">副作用集萃 – GNEWS</a></p>', True),
    ('<p>新闻大破解Facebook：<a href="https://www.facebook.com/NewsInsight2023/">主页</a></p>', True),
    # a message in a channel (a news source), a tweet, an embedded tweet's author, accounts a text mentions
    ('<p>【新闻来源】<a href="https://discord.com/channels/89527/94879/96923">https://discord.com/channels/89527/94879/96923</a></p>',
     False),
    ('<p>推特：<a href="https://twitter.com/farm/status/1512">日本银河系农场推特</a></p>', False),
    ('<p>— 警察局 (<a href="https://twitter.com/LAPDPacific?ref_src=twsrc%5Etfw">@LAPDPacific</a>)</p>', False),
    ('<p><a href="https://twitter.com/AaronSiriSG">@AaronSiriSG</a> <a href="https://twitter.com/ICANdecide">@ICANdecide</a></p>',
     False),
])
def test_a_gnews_farms_accounts_are_promotion(block, dropped):
    html = _after_a_paragraph("gnews-repost", block)
    assert (html.count("<p>") == 1) is dropped


_DISCORD = "https://discord.com/channels/805765245758472202/851632878567948351"


@pytest.mark.parametrize("block, dropped", [
    # a farm's invitations, however long the preamble, with the links to answer them
    (f'<p>广而告之：尊敬的战友，你的每一篇文字、每一段视频都是压垮骆驼的一根稻草，欢迎加入我们——<a href="{_DISCORD}">'
     '农场Discord群</a>，欢迎订阅我们的油管频道：<a href="https://www.youtube.com/channel/UCgvFZ/videos">直播精选</a>；'
     '欢迎关注盖特账号：<a href="https://gettr.com/user/MilesGuolive1">@MilesGuolive1</a></p>', True),
    (f'<p>日本<a href="{_DISCORD}">银河系农场Discord群</a>，欢迎加入银河系农场。欢迎各农场兄弟姐妹们坐客串门，'
     '欢迎订阅我们的G-TV官方频道<a href="https://gtv.org/user/60c0168b8ce6da73c416c24b#home">日本银河系农场</a></p>', True),
    ('<p>推出问题，敲出真相，爆料在路上！请关注和订阅我们的以下账号：盖特：<a href="https://gettr.com/user/nz">'
     'https://gettr.com/user/nz</a>推特账号：<a href="https://twitter.com/rose?s=21">https://twitter.com/rose?s=21</a></p>',
     True),
    # an invitation whose address follows, on a line of its own
    ('<p>洛杉矶盘古农场欢迎您加入:(或点击上方图片）</p>', True),
    # a statement that asks nothing, before or after the invitation; a source cited; the same words with no such link
    (f'<p>撤离的资金需要寻找新的方向。而最佳的选择就是喜币，<a href="{_DISCORD}">欢迎加入香草山农场</a></p>', False),
    ('<p>【大纪元2021年09月26日讯】大家好，欢迎大家关注《<a href="https://www.youtube.com/channel/UCx">新闻看点</a>》，'
     '我是李沐阳。今天是美东时间9月25日星期六。</p>', False),
    ('<p>本文引用视频来源：Firebrand，请关注这位众议员的盖特账号——<a href="https://gettr.com/user/rep">@rep</a></p>', False),
    ('<p>他说：欢迎加入我们的<a href="https://example.org/party">政党</a>，共同建设家园</p>', False),
    # to apply to join, to draw attention: no request to the reader
    ('<p>北约秘书长<a href="https://twitter.com/jensstoltenberg">@jensstoltenberg</a>表示，欢迎芬兰和瑞典申请加入北约</p>',
     False),
    ('<p>泽连斯基<a href="https://twitter.com/ZelenskyyUa">@ZelenskyyUa</a>再次提请关注马里乌波尔的人道危机</p>', False),
])
def test_an_invitation_to_join_or_follow_with_its_links_is_promotion(block, dropped):
    html = _after_a_paragraph("gnews-repost", block)
    assert (html.count("<p>") == 1) is dropped


def test_an_invitation_on_a_line_of_a_paragraph_goes_and_the_other_lines_stay():
    html = _after_a_paragraph("gnews-repost", '<p>川普总统今天宣布参选2024！美国将再次伟大！<br>'
                              '请关注我们的盖特账号：<a href="https://gettr.com/user/milesguo">@milesguo</a></p>')
    assert "美国将再次伟大！" in html and "请关注" not in html


def test_a_word_set_in_a_link_on_lines_of_its_own_is_no_line_to_drop():
    """``转发`` alone is a share button's label, but inside a sentence, in a
    link on lines of its own (the Epoch Times' layout), it is a word."""
    epoch = profile_named("epoch-times-mirror")
    body = '<p>\n  联合航空几天后\n  <ok href="https://a.example/">\n   转发\n  </ok>\n  了这段影片\n</p>\n<p>\n  转发\n</p>'
    assert drop_lines(body, epoch.drop_lines) == body.replace("<p>\n  转发\n</p>", "<p>\n</p>")


@pytest.mark.parametrize("fragment, tidied", [
    # what removed credit lines leave: breaks first in a block, and a run of them
    ("<p><br>\n<br>\n<br>财商天下：A<br>\n<br>\n<br>\n<br>B<br>\n</p>", "<p>财商天下：A<br>\n<br>B</p>"),
    # a break between two blocks, and in a figure
    ('<p>A</p><br>\n<figure><img src="https://a.example/x.jpg" alt=""><br><figcaption>C</figcaption></figure><br><p>B</p>',
     '<p>A</p><figure><img src="https://a.example/x.jpg" alt=""><figcaption>C</figcaption></figure><p>B</p>'),
    # a break that ends a link's or an emphasis's line is a line's end
    ("<p><strong>第一行标题<br></strong>第二行正文。</p>", "<p><strong>第一行标题<br></strong>第二行正文。</p>"),
    # one empty line between two lines of a poem stays
    ("<p>一<br>\n<br>\n二</p>", "<p>一<br>\n<br>\n二</p>"),
])
def test_line_breaks_that_break_no_line_go(fragment, tidied):
    assert re.sub(r"\s+", "", _repaired(fragment)) == "<div>" + re.sub(r"\s+", "", tidied) + "</div>"


def test_an_ipfs_picture_or_video_is_read_through_a_gateway():
    """GNews shows pictures by their IPFS address, which no browser opens;
    an address IPFS cannot name stays out."""
    from builder.clean import IPFS_GATEWAY
    repaired = _repaired('<p>图：<img src="ipfs://QmWiysBfKfVTosf9QFuVUj6mxuW7vrG5gM8pVSM2HrFCQy?.png"></p>'
                         '<p><a href="ipfs://QmXTyXb8ZNaPjVC7gsYazwciYfM5D8ffd4c4r3UXfDh3fP?.mp4">视频</a></p>'
                         '<p><img src="ipfs://Qm[[zh:747]]x?.png"></p>')
    assert f'src="{IPFS_GATEWAY}QmWiysBfKfVTosf9QFuVUj6mxuW7vrG5gM8pVSM2HrFCQy?.png"' in repaired
    assert f'<a href="{IPFS_GATEWAY}QmXTyXb8ZNaPjVC7gsYazwciYfM5D8ffd4c4r3UXfDh3fP?.mp4">视频</a>' in repaired
    assert repaired.count("<img") == 1
    # only where an address starts: an address in another's query is that one's
    assert 'href="https://a.example/go?to=ipfs://QmAbc/x.png"' in _repaired(
        '<p><a href="https://a.example/go?to=ipfs://QmAbc/x.png">x</a></p>')
    assert f'src="{IPFS_GATEWAY}QmAbc?.png"' in _repaired('<p><img src="ipfs://ipfs/QmAbc?.png"></p>')


@pytest.mark.parametrize("block", ["（听更多请至“听纪元”平台）", "（听更多请至“听纪元”）", "（听更多新闻请至“听纪元”）"])
def test_what_is_left_of_the_epoch_times_audio_player_goes(block):
    assert _after_a_paragraph("epoch-times-mirror", f"<p>{block}</p>") == "<div><p>正文。</p></div>"


@pytest.mark.parametrize("block, dropped", [
    # a host's list of where to follow and pay: its promotions, and its site and shop by their addresses
    ('<p>订阅传送门：<a href="https://ept.ms/3wsLpkk">https://ept.ms/3wsLpkk</a><br>沐阳会员网站：'
     '<a href="http://muyangshow.com/">http://muyangshow.com</a><br>支持沐阳：<a href="https://www.youlucky.biz/about">'
     'https://www.youlucky.biz/about</a></p>', True),
    # a source's address, a video's own page and a sentence beside a promotion stay
    ('<p><a href="https://www.reuters.com/world/1">https://www.reuters.com/world/1</a><br>'
     '更多关注：<a href="https://ept.ms/3wsLpkk">https://ept.ms/3wsLpkk</a></p>', False),
    ('<p>Youtube：<a href="https://www.youtube.com/watch?v=pe877oR9iGE">https://www.youtube.com/watch?v=pe877oR9iGE</a>'
     '<br>订阅：<a href="https://ept.ms/3wsLpkk">https://ept.ms/3wsLpkk</a></p>', False),
    ('<p>文章来源：<a href="https://www.reuters.com/a">https://www.reuters.com/a</a><br>'
     '订阅：<a href="https://ept.ms/3wsLpkk">https://ept.ms/3wsLpkk</a></p>', False),
    # a programme's sign-off asks for a subscription and a like; news of likes is news
    ("<p>如果喜欢我的节目，请别忘记订阅、点赞和转发。感谢大家收看，我们下次节目再见。</p>", True),
    ("<p>好了，这次的“时事金扫描”就聊到这儿。请支持我们，订阅，点赞，留言啊。下期再见。</p>", True),
    ("<p>【大纪元2023年07月14日讯】大家好，欢迎收看《时事金扫描》。请支持我们，点赞，留言，更别忘了订阅。</p>", False),
    ("<p>这段视频获得了10万点赞，该频道的订阅人数也大增。</p>", False),
    # a sign-off that shares its block with the story's sentences keeps them
    ("<p>两件事：俄国宣战入侵乌克兰，江苏调查报告突破底线。如果喜欢我的节目，请别忘记订阅、点赞和转发。</p>", False),
])
def test_an_epoch_times_programmes_promotions_go(block, dropped):
    html = _after_a_paragraph("epoch-times-mirror", block)
    assert (html == "<div><p>正文。</p></div>") is dropped, html


@pytest.mark.parametrize("profile", ["epoch-times-mirror", "generic"])
def test_a_line_that_asks_to_subscribe_or_follow_at_an_address_goes(profile):
    programme = ('<p>财商经济研究所<br>订阅《时事军事-夏洛山》YouTube频道：'
                 '<a href="https://bit.ly/3EqiiTG">https://bit.ly/3EqiiTG</a></p>')
    html = _after_a_paragraph(profile, programme)
    assert "财商经济研究所" in html and "bit.ly" not in html and "订阅" not in html, html
    html = _after_a_paragraph(profile, '<p>关注我们的推特：<a href="https://x.example/a">https://x.example/a</a></p>')
    assert html == "<div><p>正文。</p></div>"
    # the programme's own video, even at a short address, is its reference
    video = ('<p>观看视频：<a href="https://bit.ly/3lFnSsL">https://bit.ly/3lFnSsL</a><br>'
             '订阅YouTube：<a href="https://bit.ly/3jLx38F">https://bit.ly/3jLx38F</a></p>')
    html = _after_a_paragraph(profile, video)
    assert "3lFnSsL" in html and "3jLx38F" not in html, html
    # a request that is all one link goes, and a donation banner beside it: the edition's note stays
    edition = ('<p><a href="https://sf.epochtimes.com/donate/"><img src="https://a.example/d.jpg" alt=""></a><br>'
               '<b><a href="https://www.facebook.com/sfdjy/">关注我们facebook主页，及时获得更多资讯，请点这里。</a></b><br>'
               '本文刊载于旧金山6月25日地产版</p>')
    html = _after_a_paragraph(profile, edition)
    assert "本文刊载于旧金山6月25日地产版" in html and "facebook" not in html, html
    # a reference after "Follow-up", and (where the profile keeps related stories) a headline that opens with 关注
    kept = ['<p>Follow-up: <a href="https://www.reuters.com/world/x">https://www.reuters.com/world/x</a></p>']
    if profile == "generic":
        kept.append('<p><a href="https://a.example/gb/21/6/1/n1.htm">关注香港：林郑宣布撤回修例</a></p>')
    for fragment in kept:
        assert "<a " in _after_a_paragraph(profile, fragment), fragment
    # a sentence that opens so is no label
    news = '<p>订阅人数已超过十万，详见：<a href="https://a.example/news/1">https://a.example/news/1</a></p>'
    assert "订阅人数" in _after_a_paragraph(profile, news)


@pytest.mark.parametrize("block, dropped", [
    # a Markdown file's bare addresses are not linked: the request still goes
    ("欢迎订阅YouTube频道：https://www.youtube.com/channel/UCJ0WwxWijk8NemAqLtqj4Sw", True),
    ("订阅Telegram群组：https://t.me/bainianzhenxiang", True),
    ("订阅干净世界：www.ganjingworld.com/s/l9VpjYwBmw", True),
    # a sentence, a video's own page and a request with no address stay
    ("订阅人数已超过十万，详见：https://a.example/news/1", False),
    ("订阅节目请看视频：https://www.youtube.com/watch?v=pe877oR9iGE", False),
    ("订阅的用户在增加。", False),
])
def test_a_request_to_subscribe_at_a_written_address_goes(block, dropped):
    html = _after_a_paragraph("generic", f"<p>{block}</p>")
    assert (html == "<div><p>正文。</p></div>") is dropped, html


@pytest.mark.parametrize("block, dropped", [
    ("谢谢大家收看，欢迎在干净世界订阅“赵培微视频”。", True),
    ("谢谢大家收看，欢迎在“干净世界”上订阅“赵培微视频”。", True),
    ("请大家到YouTube订阅我们的频道", True),
    # requests in the news are no sign-off
    ("投票后，选民将被请求订阅 VPN 服务。", False),
    ("当局请各单位组织订阅党报。", False),
    ("各单位请在收到通知后，按规定订阅党报。", False),
    ("他请我在会后订阅，我拒绝了。可是他们第二天又来了，还带着一份合同。", False),
])
def test_a_request_to_subscribe_on_a_platform_is_a_sign_off(block, dropped):
    assert _dropped_as_a_block("generic", block) is dropped


@pytest.mark.parametrize("block, dropped", [
    ("【免费下载电子书】：https://www.youlucky.biz/ebook", True),
    ("【免費下載】 https://a.example/app", True),
    # an offer in a sentence, or a label over the text that follows, stays
    ("【免费下载】该应用在各大商店均可免费下载：https://a.example/app", False),
    ("该报告可在官网免费下载：https://a.example/report.pdf", False),
])
def test_a_free_download_offered_at_an_address_alone_goes(block, dropped):
    assert _dropped_as_a_block("generic", block) is dropped
    linked = re.sub(r"https?://\S+", lambda m: f'<a href="{m[0]}">{m[0]}\n</a>', block)
    html = _after_a_paragraph("epoch-times-mirror", f"<p>{linked}\n</p>")  # as a mirror's page has it
    assert (html == "<div><p>正文。</p></div>") is dropped, html


def test_a_word_a_link_follows_on_its_line_is_no_line_to_drop():
    """``订阅`` alone is a share bar's label; followed by a link on the line
    the reader sees (``订阅财商天下：…``), it begins that line."""
    epoch = profile_named("epoch-times-mirror")
    body = '<p>\n  订阅\n  <ok href="https://a.example/tag">\n   财商天下\n  </ok>\n  ：\n</p>\n<p>\n  订阅\n</p>'
    assert drop_lines(body, epoch.drop_lines) == body.replace("<p>\n  订阅\n</p>", "<p>\n</p>")


def test_a_list_items_text_after_many_spaces_is_prose():
    """``1.      text`` would make the item's text code, as four spaces of
    indent would a paragraph's; in Chinese prose it is layout."""
    html = render_markdown("1.      国务院是否有专人负责？\n2.      哪个部门负责？")
    assert "<li>国务院是否有专人负责？</li>" in html and "<li>哪个部门负责？</li>" in html
    assert "<pre><code> x = 1" in render_markdown("1.      x = 1")


@pytest.mark.parametrize("block, dropped", [
    ('<p><a href="https://sf.epochtimes.com/donate/"><img src="https://i.epochtimes.com/donate-SF.jpg"></a><br>'
     '<a href="https://sf.epochtimes.com/subscribe/"><img src="https://i.epochtimes.com/Subscribe-SF.jpg"></a></p>', True),
    ("<p><strong>▼ 相关影片</strong></p>", True),
    ('<p>读者可在<a href="https://example.org/subscribe">这里</a>订阅这份报告的全文，了解调查的方法与数据来源。</p>', False),
])
def test_an_epoch_times_pages_banners_and_player_labels_go(block, dropped):
    html = _after_a_paragraph("epoch-times-mirror", block)
    assert (html == "<div><p>正文。</p></div>") is dropped


def test_a_line_that_is_an_address_is_a_link_of_its_own():
    """Each its own paragraph (the blank line after it was swallowed once),
    its ``&amp;`` read as ``&``, and a picture's address with the caption run
    on after it is the picture and its caption."""
    html = render_markdown("https://a.example/x?a=1&amp;b=2\n\nhttps://zh.wikipedia.org/wiki/中国\n\n后文")
    assert html.count("<p>") == 3
    assert '<a href="https://a.example/x?a=1&amp;b=2">https://a.example/x?a=1&amp;b=2</a>' in html
    picture = render_markdown("https://express.adobe.com/p/a.png?asset_id=E0&amp;size=690*（图片来源：公告截图）*")
    assert '<img src="https://express.adobe.com/p/a.png?asset_id=E0&amp;size=690" alt="" />' in picture
    assert "<em>（图片来源：公告截图）</em>" in picture


@pytest.mark.parametrize("line, link, shown", [
    ("https://zh.example/item/%E9%A9%AC%E5%94%AF%E4%B8%AD/1",
     "https://zh.example/item/%E9%A9%AC%E5%94%AF%E4%B8%AD/1", "https://zh.example/item/马唯中/1"),
    ("<https://a.example/s?q=%e4%b8%ad%20x%2F%3Cb%3E>",  # ASCII stays as written
     "https://a.example/s?q=%e4%b8%ad%20x%2F%3Cb%3E", "https://a.example/s?q=中%20x%2F%3Cb%3E"),
    ("https://a.example/%E9%A9x%E2%80%8B",  # no UTF-8, and a character that is not shown
     "https://a.example/%E9%A9x%E2%80%8B", "https://a.example/%E9%A9x%E2%80%8B"),
])
def test_an_address_shown_as_a_link_is_shown_as_a_reader_reads_it(line, link, shown):
    """Its characters beyond ASCII decoded in its text, its link as it was."""
    assert render_markdown(line).strip() == f'<p><a href="{link}">{shown}</a></p>'


def test_a_link_to_a_host_in_letters_beyond_ascii_stays_a_link():
    """cmark-gfm percent-encodes the host; a name with a dot is a host, a
    sentence where an address belongs is none."""
    found = extract("# 标题\n\n见[慕尼黑](https://münchen.de/rathaus)，[秘翻](http://秘翻新闻)。\n\n"
                    "![图](https://bücher.example/a.jpg)\n\nhttps://例子.中国/路径\n")
    body = clean(found)
    links = [(a.get("href"), a.text_content()) for a in lxml.html.fragment_fromstring(
        body.html, create_parent="div").iter("a")]
    assert [(urllib.parse.unquote(href), text) for href, text in links] == [
        ("https://münchen.de/rathaus", "慕尼黑"), ("https://例子.中国/路径", "https://例子.中国/路径")]
    assert urllib.parse.unquote(body.image) == "https://bücher.example/a.jpg"
    assert "秘翻。" in body.text


def test_markdown_reads_html_as_commonmark_0_31_does():
    """A doctype in lower case is markup, not text; a player's ``<source>``
    line does not leave the markdown after it raw."""
    page = sanitise(render_markdown("前文\n\n<!doctype html>\n<p>正文</p>"))
    assert page == "<p>前文</p>\n<p>正文</p>"
    player = render_markdown('视频：<video controls>\n<source src="https://a.example/a.mp4">\n</video>\n'
                             "第一行**重点**\n第二行", line_breaks=True)
    assert "<strong>重点</strong>" in player and "**" not in player
    heading = render_markdown('# 视频\n<source src="https://a.example/a.mp4">')
    assert heading.startswith("<h1>视频</h1>")  # a heading is no paragraph to go on


@pytest.mark.parametrize("columns, table", [(_TABLE_COLUMNS - 1, True), (_TABLE_COLUMNS, False)])
@pytest.mark.parametrize("rule", ["-|", " --- |"])
def test_a_table_too_wide_to_be_one_is_text(columns, table, rule):
    """cmark-gfm fills each row of a table with empty cells: a few kilobytes
    of a scraped page's bars would make megabytes of HTML."""
    source = "|" + "a|" * columns + "\n|" + rule * columns + "\n" + "x\n" * 50
    rendered = render_markdown(source)
    assert ("<table>" in rendered) is table
    assert table or len(rendered) < 2 * len(source)


def test_markdown_with_a_lone_surrogate_is_rendered():
    assert render_markdown("文字\ud800文字").strip() == "<p>文字?文字</p>"


def test_markdown_strikes_through_double_tildes_only():
    """As the allow-list keeps it (``<s>``); a lone tilde is a tilde (``约~5%``)."""
    assert render_markdown("~~旧~~新，约~5%~").strip() == "<p><s>旧</s>新，约~5%~</p>"
    assert "<s>旧</s>" in sanitise(render_markdown("~~旧~~"))
