"""Clean stage: turn an article's raw body into safe, readable HTML.

Order matters and each step is one function:

1. drop boilerplate lines named by the source profile;
2. render to HTML by format — markdown through cmark-gfm, CommonMark's
   reference implementation in C with GitHub's tables and strikethrough
   (embedded HTML passes through to be cleaned below), plain text as
   paragraphs, HTML as is;
3. repair the tree with lxml: pseudo-links (``<ok href>``, ``<span href>``)
   become real links or, when they point at the source's tag pages, tags of the
   article; a video or audio player becomes a figure linking its files; a
   link or image whose address is no web address with a valid host
   (``extract.web_url``) loses it; profile selectors and tracking pixels go;
   image layout tables and caption divs become ``<figure>``/``<figcaption>``;
   empty blocks go;
4. sanitise with nh3 (html5ever) on an allow-list: no script, style, frame,
   form, object, event handler or non-http(s) URL survives; external links get
   ``rel="noopener noreferrer nofollow"``; images load lazily with no referrer.

Hand-written here, because no library does it: steps 1 and 3, which encode
what scraped news pages look like. Parsing, rendering and sanitising are the
libraries'.
"""

from __future__ import annotations

import functools
import html
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable

import lxml.html
import nh3
from lxml import etree
from lxml.cssselect import CSSSelector
from cmarkgfm import cmark

from builder.classify import same_han_word
from builder.extract import (INLINE_TAGS, PICTURE_EXTENSIONS, SHOWN_ATTRIBUTE, Extracted, web_url,
                             without_wiki_links)
from builder.models import CleanBody

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "ul", "ol", "li", "dl", "dt", "dd", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "small", "mark", "q", "cite", "abbr", "time", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
}
REMOVED_WITH_CONTENT = {"script", "style", "iframe", "frame", "frameset", "object", "embed",
                        "form", "noscript", "svg", "math", "template", "select", "textarea",
                        "button", "applet", "audio", "video", "canvas"}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "ol": {"start"},
    "blockquote": {"cite"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("p", "div", "li", *_HEADINGS, "blockquote", "figcaption", "td", "section")
_UNWRAP = {"center", "font", "span", "section", "article", "main", "u"}

# Raw HTML passes through (UNSAFE: nh3 sanitises it below); ~~text~~ only is
# struck through, as in GitHub's comments (a lone ~ is a tilde).
_CMARK_OPTIONS = cmark.Options.CMARK_OPT_UNSAFE | cmark.Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
_CMARK_EXTENSIONS = ("table", "strikethrough")


def _for_cmark(body: str) -> str:
    """``body`` read by cmark-gfm as by CommonMark 0.31, which scraped pages
    were rendered by before: cmark-gfm follows 0.29, where only
    ``<!DOCTYPE`` in capitals opens an HTML block (``<!doctype html>`` was
    shown as text), and where a ``<source>`` line breaks a paragraph off to
    open an HTML block (a player's markup then left the markdown after it
    raw, asterisks shown). A table wider than ``_TABLE_COLUMNS`` is no
    table: cmark-gfm fills each of its rows with empty cells, and twelve
    kilobytes of ``|a|a|…`` made five megabytes of HTML."""
    if "<!" in body:
        body = _LOWER_DOCTYPE.sub("<!DOCTYPE", body)
    if "<source" in body:
        body = _SOURCE_LINE.sub(r"\1 ", body)
    return body


_LOWER_DOCTYPE = re.compile(r"<!doctype(?=\s)", re.IGNORECASE)
_SOURCE_LINE = re.compile(  # a line of a paragraph (no heading, quote, table, list item or fence)
    r"^(?![ \t]*(?:[#>|]|[-*+][ \t]|\d{1,9}[.)][ \t]|```|~~~))([^\n]*\S)[ \t]*\n[ \t]{0,3}(?=<source\b)",
    re.M | re.I)
_TABLE_COLUMNS = 128
_WIDE_TABLE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|){%d}" % _TABLE_COLUMNS, re.M)


def _markdown(body: str, line_breaks: bool) -> str:
    """CommonMark with tables and strikethrough. cmark-gfm renders a GNews
    post in 0.06 ms where markdown-it-py took 1.45 ms (the 8,000 of the
    bench corpus). Both follow the spec: over those posts the text differs
    in 54, where emphasis is nested otherwise (cmark-gfm follows CommonMark
    0.29, markdown-it-py 0.31, which counts symbols such as ``＄`` and emoji
    as punctuation) or an address is shown (see ``_readable_address``)."""
    options = _CMARK_OPTIONS | cmark.Options.CMARK_OPT_HARDBREAKS if line_breaks else _CMARK_OPTIONS
    body = _for_cmark(body)
    extensions = _CMARK_EXTENSIONS if "|" not in body or not _WIDE_TABLE.search(body) else ("strikethrough",)
    try:
        rendered = cmark.markdown_to_html_with_extensions(body, options, extensions)
    except UnicodeEncodeError:  # a lone surrogate (no decoded file has one)
        body = body.encode("utf-8", "replace").decode("utf-8")
        rendered = cmark.markdown_to_html_with_extensions(body, options, extensions)
    # struck text as the allow-list keeps it (<s>; <del> would lose its line)
    return rendered.replace("<del>", "<s>").replace("</del>", "</s>") if "<del>" in rendered else rendered


def clean(extracted: Extracted) -> CleanBody:
    body = drop_lines(extracted.body, extracted.drop_lines)
    rendered = render_body(body, extracted.format, extracted.fenced_quotes, extracted.line_breaks)
    tree, tags = repair_tree(rendered, extracted.drop_selectors, extracted.tag_links,
                             extracted.drop_lines + extracted.drop_blocks, extracted.promo_links,
                             extracted.promo_lines, extracted.repeated_pictures_are_furniture)
    safe = sanitise(etree.tostring(tree, encoding="unicode", method="html"))
    safe = _strip_wrapper(safe)
    text, captions, linked = _text_and_captions(safe)
    return CleanBody(html=safe, text=text, source_tags=tags, image=_first_image(safe), captions=captions,
                     linked=linked)


def drop_lines(body: str, patterns: Iterable[re.Pattern[str]]) -> str:
    """The body without the lines that match one of ``patterns`` whole. A
    line that is the text of a link or an emphasis set on lines of its own
    (the Epoch Times: ``联合航空几天后\n<ok href=…>\n转发\n</ok>\n了这段``),
    or that a link follows on the line the reader sees (``订阅\n<ok href=…>``),
    is a word of a sentence, not a line: it stays."""
    matches = whole_match(tuple(patterns))
    lines = body.split("\n")
    kept = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped and matches(stripped) and not (i < len(lines) - 1 and (
                _STARTS_INLINE.match(lines[i + 1])
                or 0 < i and _OPENS_INLINE.search(lines[i - 1]) and _CLOSES_INLINE.match(lines[i + 1]))):
            continue
        kept.append(line)
    return "\n".join(kept)


_INLINE_TAG = "(?:" + "|".join(sorted(INLINE_TAGS)) + ")"
_OPENS_INLINE = re.compile(rf"<{_INLINE_TAG}\b[^<>]*>\s*$", re.I)
_CLOSES_INLINE = re.compile(rf"\s*</{_INLINE_TAG}\s*>", re.I)
_STARTS_INLINE = re.compile(rf"\s*<{_INLINE_TAG}\b", re.I)


_LEADING_FLAGS = re.compile(r"\(\?[aiLmsu]+\)")
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_SCOPED_FLAGS = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))


@functools.lru_cache(maxsize=64)
def whole_match(patterns: tuple[re.Pattern[str], ...]) -> Callable[[str], bool]:
    """A test for "one of ``patterns`` matches the whole text".

    Boilerplate is tested line by line and block by block against a profile's
    patterns; one compiled alternation does that in one call instead of one
    call per pattern. Each pattern keeps its own flags as a scoped group. A
    set the alternation cannot express exactly (verbose or locale patterns,
    backreferences, whose group numbers would shift) is tried pattern by
    pattern as before.
    """
    combined = _alternation(patterns)
    if combined is not None:
        return lambda text: combined.fullmatch(text) is not None
    return lambda text: any(p.fullmatch(text) for p in patterns)


def _alternation(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    base = patterns[0].flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL)
    parts = []
    for pattern in patterns:
        if (pattern.flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL) != base
                or pattern.flags & (re.VERBOSE | re.LOCALE) or _BACKREFERENCE.search(pattern.pattern)):
            return None
        body = pattern.pattern
        while match := _LEADING_FLAGS.match(body):
            body = body[match.end():]
        flags = "".join(letter for flag, letter in _SCOPED_FLAGS if pattern.flags & flag)
        parts.append(f"(?{flags}:{body})" if flags else f"(?:{body})")
    try:
        return re.compile("|".join(parts), base)
    except re.error:
        return None


# --- rendering -------------------------------------------------------------

_BARE_URL_LINE = re.compile(r"^([ \t]*)(https?://[^\s<>()\[\]]+)[ \t]*$", re.M)
_CJK = "\u3400-\u9fff\uff00-\uffef"
"""Han characters and full-width forms: what marks a line as Chinese prose."""
_PROSE_AFTER_ADDRESS = re.compile(rf"[*\u3000-\u303f{_CJK}]")


def _bare_url(match: re.Match[str]) -> str:
    """A line that is an address is a link to it (``&amp;`` in it is ``&``,
    as a browser reads it). A picture's address with its caption run on
    after it, where the copy lost the line between them
    (``https://…/a.png?size=690*（图片来源：公告截图）*``), is the picture, then
    the caption."""
    indent, url = match.groups()
    prose = _PROSE_AFTER_ADDRESS.search(url)
    if prose and url[:prose.start()].partition("?")[0].lower().endswith(PICTURE_EXTENSIONS):
        return f"{indent}![]({html.unescape(url[:prose.start()])}){url[prose.start():]}"
    return f"{indent}<{html.unescape(url)}>"
_FENCE = re.compile(r"^```[ \t]*\n(.*?)\n```[ \t]*$", re.M | re.S)
# Scraped prose is often indented (a first-line indent, copied layout); four
# spaces would make it a code block. Indented lines of CJK prose are prose.
_INDENTED_PROSE = re.compile(rf"^(?: {{4,}}|\t+)(?=[^\n]*[{_CJK}])", re.M)
# The same after a list's marker: five spaces would make the item's text code ("1.      text").
_SPACED_LIST_PROSE = re.compile(rf"^([ \t]{{0,3}}(?:\d{{1,9}}[.)]|[-*+]))[ \t]{{5,}}(?=[^\n]*[{_CJK}])", re.M)


# A bold line, in a heading, a quote or a list item or not, whose inside starts
# or ends with a space: the closing pair may stand on the next line.
_STRONG_LINE_SPACED = re.compile(
    r"^([ \t]*(?:#{1,6}[ \t]+|>[ \t]*|[-+*][ \t]+|\d{1,9}[.)][ \t]+)?)\*\*(?!\*)[ \t\u3000]*+"
    r"([^*\n]*?\S)[ \t\u3000]*(?:\n[ \t\u3000]*)?\*\*[ \t]*$", re.M)
_EMPTY_STRONG = re.compile(r"(?<=[^\s*])\*{4}(?!\*)|(?<![*\n])(?<!^)\*{4}(?=[^\s*])", re.M)
_LINE_WITH_EMPTY_STRONG = re.compile(r"^[^\n]*\*{4}[^\n]*$", re.M)


def _tidy_strong(body: str) -> str:
    """Bold that CommonMark cannot open or close, as the writer meant it: a
    bold line whose opening ``**`` is followed by a space (``** 一、税费问题**``)
    or whose closing one follows a space or stands on the next line
    (``**李嘉誠加速「跑路」 **``, ``## **泰國人不忍了 **``), and an empty pair ``****`` inside a line
    that has bold of its own (``**火币**…下降了 33%****，``), which goes. (A line
    of asterisks alone is a rule the writer drew; a ``****`` in a line with
    no other bold is a mask, and both stay.)"""
    body = _STRONG_LINE_SPACED.sub(r"\1**\2**", body)
    return _LINE_WITH_EMPTY_STRONG.sub(_without_empty_strong, body) if "****" in body else body


def _without_empty_strong(match: re.Match[str]) -> str:
    """The line without its empty pairs, when it has bold of its own: a
    ``****`` alone is a mask (``138****5678``, ``罚款****元``)."""
    line = match.group()
    return _EMPTY_STRONG.sub("", line) if "**" in _EMPTY_STRONG.sub("", line) else line


def render_body(body: str, fmt: str, fenced_quotes: bool = False, line_breaks: bool = False) -> str:
    if fmt == "html":
        return body
    if fmt == "text":
        return render_text(body)
    return render_markdown(body, fenced_quotes, line_breaks)


def render_markdown(body: str, fenced_quotes: bool = False, line_breaks: bool = False) -> str:
    """HTML of a markdown body. With ``line_breaks``, a line break inside a
    paragraph is one (``<br>``): mirrors that converted each of a page's
    paragraphs to one line write them so (GNews's posts)."""
    # wiki-link debris: [[zh:word]] and [[word|label]] keep their words
    body = without_wiki_links(body)
    body = _BARE_URL_LINE.sub(_bare_url, body)
    body = _INDENTED_PROSE.sub("", body)
    body = _SPACED_LIST_PROSE.sub(r"\1 ", body)
    if "**" in body:
        body = _tidy_strong(body)
    if fenced_quotes:
        body = _FENCE.sub(_fence_to_quote, body)
    rendered = _markdown(body, line_breaks)
    if "%" in rendered:
        rendered = _ENCODED_HOST.sub(_host_as_written, rendered)
        rendered = _ADDRESS_AS_TEXT.sub(_readable_address, rendered)
    return _strong_left_open(rendered) if "**" in rendered else rendered


# A link whose text is an address (an autolink: a bare address line, see
# _bare_url). Possessive: a long run with no "</a>" after it is given up at
# once, not tried again from each of its characters.
_ADDRESS_AS_TEXT = re.compile(r'(<a href="[^"]*+">)(https?://[^<"\s]*+)</a>')
_ENCODED_BEYOND_ASCII = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
# An address whose host cmark-gfm percent-encoded (it encodes every
# character beyond ASCII of a link, the host's too: ``https://m%C3%BCnchen.de``).
_ENCODED_HOST = re.compile(r'((?:href|src)="https?://)([^/"?#%]*+%[^/"?#]*+)')
_HOST_CHARACTERS = re.compile(r"[^\s\"'<>&\\/?#%@]+")


def _readable_address(match: re.Match[str]) -> str:
    """The text of a link that is an address, shown as a reader reads it, and
    as markdown-it-py showed an autolink's: ``/item/马唯中`` for
    ``/item/%E9%A9%AC%E5%94%AF%E4%B8%AD``. Only characters beyond ASCII are
    decoded: an encoded ASCII character (``%20``, ``%2F``, ``%3C``) and
    bytes that are no UTF-8 stay as written, and so does a character that
    is not shown (a zero-width or a no-break space). The link itself is
    unchanged."""
    opening, text = match.groups()
    return f"{opening}{_ENCODED_BEYOND_ASCII.sub(_decoded, text)}</a>"


def _host_as_written(match: re.Match[str]) -> str:
    """A host name in letters beyond ASCII as the writer wrote it
    (``münchen.de``), so that ``extract.web_url`` checks it like any other
    and the link stays (markdown-it-py wrote it in punycode; lxml writes it
    percent-encoded again, which browsers read as the name, as the WHATWG
    URL standard says). A host that decodes to no name with a dot in it
    (``秘翻新闻``, a sentence where an address belongs), or to a character a
    host cannot hold, stays encoded, and ``web_url`` refuses it."""
    start, host = match.groups()
    decoded = _shown(host)
    if decoded is None or "." not in decoded.strip(".") or not _HOST_CHARACTERS.fullmatch(decoded):
        return match.group()
    return start + decoded


def _decoded(match: re.Match[str]) -> str:
    return _shown(match.group()) or match.group()


def _shown(encoded: str) -> str | None:
    """``encoded`` with its ``%XX`` decoded, if they are UTF-8 and every
    character is one that is shown; else ``None``."""
    try:
        text = urllib.parse.unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


_PUNCTUATION = re.compile(r"[^\w\s]")
_LEFT_OPEN = re.compile(r"\*\*(?=[^\s*])([^*<>\n]{1,200}?)(?<=[^\s*])\*\*")
_CODE = re.compile(r"(<pre\b.*?</pre>|<code\b.*?</code>)", re.DOTALL)


def _strong_left_open(rendered: str) -> str:
    """Strong emphasis that CommonMark leaves as asterisks next to Chinese
    punctuation: a closing ``**`` after ``：`` or ``。`` and before a letter
    cannot close (``**评论：**美国的`` showed its asterisks on 314 GNews
    pages; CommonMark's issue #650: the spec keeps the rule, and its
    implementations follow it). A pair left in the text, within one line
    and not across a tag, is the emphasis the writer meant. Code keeps its
    asterisks."""
    parts = _CODE.split(rendered)
    return "".join(part if i % 2 else _TAG_OR_TEXT.sub(_strong_in_text, part) for i, part in enumerate(parts))


_TAG_OR_TEXT = re.compile(r"<[^>]*>|[^<]+")


def _strong_in_text(match: re.Match[str]) -> str:
    """Within text between tags (not in an attribute), a pair whose inside
    starts or ends with punctuation: the only pairs CommonMark leaves open.
    ``x**2 + y**2`` is no emphasis."""
    text = match.group()
    if text.startswith("<") or "**" not in text:
        return text
    return _LEFT_OPEN.sub(lambda m: f"<strong>{m.group(1)}</strong>"
                          if _PUNCTUATION.match(m.group(1)[0]) or _PUNCTUATION.match(m.group(1)[-1]) else m.group(), text)


def _fence_to_quote(match: re.Match[str]) -> str:
    inner = match.group(1)
    if re.search(r"[{};=]\s*$|^\s*(?:def|class|import|function|var|let|const)\b", inner, re.M):
        return match.group(0)  # real code stays code
    return "\n".join("> " + line.strip() if line.strip() else ">" for line in inner.split("\n"))


def render_text(body: str) -> str:
    """Plain text: one paragraph per line, or per blank-line block when the text
    is hard-wrapped (several short lines in a row)."""
    blocks = [b for b in re.split(r"\n\s*\n", body.strip()) if b.strip()]
    lines_per_block = sum(b.count("\n") + 1 for b in blocks) / max(1, len(blocks))
    if lines_per_block > 2 and all(len(line) < 100 for b in blocks for line in b.split("\n")):
        paragraphs = [" ".join(line.strip() for line in b.split("\n")) for b in blocks]
    else:
        paragraphs = [line.strip() for line in body.split("\n") if line.strip()]
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


# --- tree repair -----------------------------------------------------------

# lxml.html's parser asks a Python method for the class of every element it
# hands out (its form elements have classes of their own, which we never use):
# half a million calls for 2,000 articles. lxml's C lookup gives every element
# the same HtmlElement, and processing an article takes 3 % less time.
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))


def parse_fragment(fragment: str) -> lxml.html.HtmlElement:
    """``fragment`` parsed into a ``<div>``, as lxml.html's
    ``fragment_fromstring(fragment, create_parent="div")`` parses it."""
    elements = lxml.html.fragments_fromstring(fragment, parser=_PARSER)
    tree = _PARSER.makeelement("div")
    if elements and isinstance(elements[0], str):
        tree.text = elements.pop(0)
    tree.extend(elements)
    return tree


def repair_tree(fragment: str, selectors: Iterable[str], tag_links: Iterable[re.Pattern[str]],
                boilerplate: Iterable[re.Pattern[str]], promo_links: Iterable[re.Pattern[str]] = (),
                promo_lines: Iterable[re.Pattern[str]] | None = None,
                repeated_pictures_are_furniture: bool = False,
                ) -> tuple[lxml.html.HtmlElement, tuple[str, ...]]:
    tree = parse_fragment(fragment or "<p></p>")
    etree.strip_elements(tree, etree.Comment, with_tail=False)
    if "&amp;#" in fragment:
        _unescape_twice_escaped(tree)
    for selector in selectors:
        for element in _css(selector)(tree):
            _remove(element)
    tags = _resolve_pseudo_links(tree, tuple(tag_links))
    _media_to_links(tree)
    _drop_tracking_pixels(tree)
    _normalise_links_and_images(tree)
    _layout_tables_to_figures(tree)
    _caption_divs_to_figures(tree)
    if repeated_pictures_are_furniture:
        _drop_repeated_images(tree)
    _credited_pictures_to_figures(tree)
    _drop_credits_of_no_picture(tree)
    _wrap_loose_text(tree)
    # removing an innermost block leaves the others innermost: one list serves
    # the three passes, each skipping the blocks an earlier one removed
    blocks = _innermost_blocks(tree)
    _drop_boilerplate_blocks(blocks, tuple(boilerplate))
    # a paragraph's promotion lines first: what is left of it is then judged whole
    _drop_lines_within_blocks(blocks, tuple(boilerplate), tuple(promo_links if promo_lines is None else promo_lines))
    _drop_promo_blocks(blocks, tuple(promo_links))
    if _FURTHER_READING_WORD.search(fragment):
        _drop_further_reading(blocks)
    for element in list(tree.iter(*_UNWRAP)):
        if element is not tree:
            element.drop_tag()
    _drop_empty_blocks(tree)
    _drop_rules_under_the_lead_pictures(tree)
    if any(mark in fragment for mark in _END_MARKS) and _ENDED_HERE.search(fragment):
        _drop_furniture_after_the_end(tree)  # (the test of the characters first: the search alone costs 87 µs a body)
    _drop_end_mark(tree)
    _link_written_addresses(tree)
    _drop_trailing_channels(tree, tags)
    _drop_trailing_labels(tree)
    _fix_heading_levels(tree)
    _tidy_breaks(tree)
    _collapse_whitespace(tree)
    return tree, tags


@functools.lru_cache(maxsize=256)
def _css(selector: str) -> CSSSelector:
    """A profile's selector translated to XPath once, not once per article."""
    return CSSSelector(selector)


_WITH_HREF = etree.XPath("descendant-or-self::*[@href]")
"""Elements with an ``href``, in document order (an XPath walk in C instead of
asking every element of the body for its ``href`` in Python)."""


def _resolve_pseudo_links(tree, tag_links: tuple[re.Pattern[str], ...]) -> tuple[str, ...]:
    """``<ok href>``/``<span href>`` and real links to the source's tag pages.
    A tag is named as a link to it shows it (``_shown_tag``); a link left
    empty (its credit line went) takes the name another link to the same
    tag shows."""
    named: list[tuple[str, str]] = []  # (the tag in the address, as its link shows it)
    for element in _WITH_HREF(tree):
        href = element.get("href", "").strip()
        tag = _tag_of(href, tag_links)
        if tag:
            named.append((tag, _shown_tag(tag, element)))
            element.drop_tag()
        elif element.tag != "a":
            if href.startswith(("http://", "https://")):
                attrs = dict(element.attrib)
                element.attrib.clear()
                element.tag = "a"
                element.set("href", attrs["href"].strip())
            else:
                element.drop_tag()
    shown = {tag: name for tag, name in reversed(named) if name != tag}
    return tuple(dict.fromkeys(shown.get(tag, tag) for tag, _ in named))


def _shown_tag(tag: str, link) -> str:
    """The tag as its ``link`` shows it, when the link's text is the same
    tag: the Epoch Times' tag addresses are in lower case, some in
    traditional characters, and a hyphen stands for a space, where its
    simplified pages show G7峰会, 横河观点 and Jonathan Manthorpe. A text
    that is another word (百年透视 shown as 中共百年透视系列) leaves the
    address's tag."""
    text = link.text_content().strip() or link.get(SHOWN_ATTRIBUTE, "").strip()
    if text == tag or len(text) != len(tag):
        return tag
    same = all(a == b or a.casefold() == b.casefold() or a in "- " and b in "- " or same_han_word(a, b)
               for a, b in zip(text, tag))
    return text if same else tag


def _tag_of(href: str, tag_links: tuple[re.Pattern[str], ...]) -> str | None:
    for pattern in tag_links:
        match = pattern.fullmatch(href)
        if match:
            return urllib.parse.unquote(match.group("tag")).strip() or None
    return None


def _media_to_links(tree) -> None:
    """A video or audio player becomes a figure: its poster image, if any,
    and a link to each of its files, whose address is the link's text. A
    page of the archive embeds nothing from another site, and a player
    dropped whole took with it the only content of a video article. A player
    with no web address to link to goes. A figure cannot stand inside a
    paragraph or heading: the figure of a player in one follows it."""
    placed: dict = {}  # paragraph → the last figure placed after it
    for media in list(tree.iter("video", "audio")):
        addresses = [media.get("src", "")] + [source.get("src", "") for source in media.iter("source")]
        files = list(dict.fromkeys(url for url in map(web_url, addresses) if url))
        if not files:
            _remove(media)
            continue
        figure = etree.Element("figure")
        poster = web_url(media.get("poster", "")) if media.tag == "video" else None
        if poster:
            figure.append(etree.Element("img", src=poster, alt=""))
        caption = etree.SubElement(figure, "figcaption")
        for n, url in enumerate(files):
            link = etree.SubElement(caption, "a", href=url)
            link.text = url
            if n:
                link.getprevious().tail = " "
        block = next((a for a in media.iterancestors() if a.tag in _TEXT_BLOCKS), None)
        if block is None:
            figure.tail = media.tail
            media.getparent().replace(media, figure)
            continue
        _remove(media)
        after = placed.get(block, block)
        after.addnext(figure)
        figure.tail, after.tail = after.tail, None  # (lxml leaves the text that followed before the figure)
        placed[block] = figure


_TEXT_BLOCKS = {"p", *_HEADINGS}
"""Blocks of running text: a figure cannot sit inside one, and a label is one."""


def _drop_tracking_pixels(tree) -> None:
    for img in list(tree.iter("img")):
        sizes = [img.get("width", ""), img.get("height", "")]
        if any(re.fullmatch(r"\s*[01](?:px)?\s*", s) for s in sizes) or not img.get("src", "").strip():
            _remove(img)


def _normalise_links_and_images(tree) -> None:
    """Only web images stay (a relative or data: image points into the scraped
    site or carries a payload), each with an ``alt``; a link to anything but
    the web or a mail address keeps its text and loses the link. What is the
    web is ``web_url``'s to say, and its form of the address is kept."""
    for img in list(tree.iter("img")):
        src = _web_address(img.get("src", ""))
        if src is None:
            _remove(img)
            continue
        img.set("src", src)
        if img.get("alt") is None:
            img.set("alt", "")
    for link in list(tree.iter("a")):
        href = link.get("href", "")
        if href.strip().lower().startswith("mailto:"):
            continue
        url = _web_address(href)
        if url is None:
            link.drop_tag()
        elif url != href:
            link.set("href", url)


IPFS_GATEWAY = "https://ipfs.io/ipfs/"
"""Where an ``ipfs://`` address is opened: a public gateway. GNews posts
show pictures and videos by their IPFS address (``ipfs://Qm…?.png``, 427
in the 29k corpus), which no browser opens; the address names the file
itself, whichever gateway serves it."""
_IPFS = re.compile(r"\s*ipfs://(?:ipfs/)?(?=[A-Za-z0-9]+(?:[/?#]|$))", re.IGNORECASE)


def _web_address(address: str) -> str | None:
    """``web_url`` of the address, an IPFS one read through the gateway."""
    if "ipfs:" in address or "IPFS:" in address:
        ipfs = _IPFS.match(address)  # (only where the address starts: not an address in another's query)
        if ipfs:
            address = IPFS_GATEWAY + address[ipfs.end():]
    return web_url(address)


_TWICE_ESCAPED = re.compile(r"&#(?:\d{2,7}|[xX][0-9a-fA-F]{2,6});?")


def _unescape_twice_escaped(tree) -> None:
    """A character reference shown as text (``O&#039Brien``, an ``alt`` of
    ``&#039图1：…&#039``) was escaped twice by the mirror: no article writes
    one to be read. It becomes its character, and quotes wrapped around a
    whole ``alt`` by the same mistake go."""
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and "&#" in element.text:
            element.text = _TWICE_ESCAPED.sub(_character, element.text)
        if element.tail and "&#" in element.tail:
            element.tail = _TWICE_ESCAPED.sub(_character, element.tail)
        for name in ("alt", "title"):
            value = element.get(name)
            if value and "&#" in value:
                value = _TWICE_ESCAPED.sub(_character, value)
                element.set(name, value[1:-1] if len(value) > 1 and value[0] == value[-1] == "'" else value)


def _character(match: re.Match[str]) -> str:
    """The character a reference names; nothing for a control character,
    which no text holds (and lxml refuses)."""
    character = html.unescape(match.group() if match.group().endswith(";") else match.group() + ";")
    return "" if any(ord(c) < 32 and c not in "\t\n\r" or 0xD800 <= ord(c) <= 0xDFFF or ord(c) in (0xFFFE, 0xFFFF)
                     for c in character) else character


_INLINE = frozenset({"a", "b", "strong", "em", "i", "u", "s", "small", "sub", "sup", "code", "br", "img",
                     "abbr", "cite", "q", "mark", "del", "ins", "time", "span", "font"})


def _loose_content(container) -> bool:
    """Whether an element holds text of its own (its text, or a child's
    tail) or an inline child: most containers hold blocks only, with layout
    between them."""
    if container.text and not container.text.isspace():
        return True
    return any(child.tail and not child.tail.isspace() or child.tag in _INLINE for child in container)


def _wrap_loose_text(tree) -> None:
    """Text that sits between blocks, outside any paragraph, becomes a
    paragraph of its own, with the inline elements on it. Minghui's pages
    open with the dateline and first sentences loose in the article's
    ``div``, before its first ``<p>`` (874 pages of the 29k archive)."""
    for container in [tree, *tree.iter("div", "blockquote")]:
        if container is not tree and container.getparent() is None:
            continue
        if not _loose_content(container):
            continue
        children = list(container)
        if not any(isinstance(c.tag, str) and c.tag not in _INLINE for c in children):
            continue
        run: list = []
        for child in [*children, None]:
            if child is not None and (not isinstance(child.tag, str) or child.tag in _INLINE):
                run.append(child)
                continue
            _wrap_run(container, run, child)
            run = []


def _wrap_run(container, run: list, block) -> None:
    """Wraps ``run`` (the inline elements before ``block``, or before the end)
    and the text before them in a paragraph, when that text is not blank."""
    previous = run[0].getprevious() if run else (block.getprevious() if block is not None else
                                                 (container[-1] if len(container) else None))
    leading = (previous.tail if previous is not None else container.text) or ""
    text = leading + "".join(_text_with_tail(e) for e in run if isinstance(e.tag, str))
    if not text.strip():
        return
    paragraph = container.makeelement("p", {})
    paragraph.text = leading
    if previous is not None:
        previous.tail = None
        previous.addnext(paragraph)
    else:
        container.text = None
        container.insert(0, paragraph)
    for element in run:
        paragraph.append(element)  # moves it, with its tail
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "").rstrip() or None
    else:
        paragraph.text = paragraph.text.rstrip()


def _drop_rules_under_the_lead_pictures(tree) -> None:
    """A rule (``<hr>``) with only pictures above it is the mirror's line
    under its lead picture, between the picture and the article (15,614 Epoch
    Times pages), not a break in the article's text."""
    if _ALNUM.search(tree.text or ""):
        return
    for child in list(tree):
        if child.tag == "hr":
            _remove(child)
        elif child.tag not in ("figure", "img"):
            return
        if _ALNUM.search(child.tail or ""):
            return


_SENTENCE_ENDED = r"[\s。！？!?.”」』）)]"
"""What an end mark follows: a sentence's end, or a space."""
_HASH_MARK = r"[◇◆@]*[#＃]+\s*[◇◆]?"
"""An end mark of ``＃`` (``＃``, ``#◇``, ``◇#``, ``@#``)."""
_END_MARK = re.compile(rf"(?:(?<={_SENTENCE_ENDED})|^){_HASH_MARK}\s*$")


def _drop_end_mark(tree) -> None:
    """The end mark (``＃``, ``#◇``, ``◇#``, ``@#``) Chinese news sites put after an article's
    last sentence goes. Only a mark that ends the whole body and follows a
    sentence's end or a space: ``#hashtag`` and ``C#`` are words."""
    blocks = [b for b in tree.iter("p", "div") if b is not tree]
    if not blocks:
        return
    last = blocks[-1]
    holder, attribute = (last[-1], "tail") if len(last) and (last[-1].tail or "").strip() else (last, "text")
    if attribute == "text" and len(last):
        return
    value = getattr(holder, attribute) or ""
    stripped = _END_MARK.sub("", value.rstrip())
    if stripped != value.rstrip() and tree.text_content().rstrip().endswith(last.text_content().rstrip()):
        setattr(holder, attribute, stripped)
        if _holds_nothing(last):
            _remove(last)


_URL = r"https?://(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+(?:[:/?#][!-Z\\^-~]*)?"
"""An address with a dotted host: ASCII, up to a space, a square bracket (an
address that holds one encodes it; ``[URL](URL）`` is a link gone wrong) or
the first other character."""
_WRITTEN_URL = re.compile(rf"(?<![A-Za-z0-9/.@-]){_URL}", re.IGNORECASE)
_URL_AT = re.compile(_URL, re.IGNORECASE)
_GLUED_SCHEME = re.compile(r"(?<![=/?&#:(])https?://", re.IGNORECASE)
"""A second address written on to the first (``…%9Dhttps://…``): not one in
its query (``?u=https://…``) or path (``/https://…``)."""
_URL_TRAILING = re.compile(r"[.,;:!?'\"*]+$")
_URL_ENDS = re.compile(r"[\s!-/:-@\[-^`{-~\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65“”‘’…—–·]")
"""What may follow an address written in the text: a space or punctuation."""
_INLINE_FORMAT = frozenset(("em", "i", "strong", "b", "u", "s", "del", "ins", "span", "sub", "sup", "small", "mark"))


_WRITTEN_URL_TEXTS = etree.XPath(".//text()[contains(., '://')][not(ancestor::a or ancestor::pre or ancestor::code)]")


def _link_written_addresses(tree) -> None:
    """An address the text gives but does not link becomes a link to itself
    (``新闻来源：https://tnc.news/2022/05/26/…``, ``网址是http://muyangshow.com，``),
    as a reader of the source's page would follow it; 478 pages of the 29k
    corpus have one (``_written_addresses`` says which)."""
    for text in _WRITTEN_URL_TEXTS(tree):
        owner = text.getparent()
        if owner.tag in ("script", "style"):
            continue
        found = _written_addresses(text, _runs_on(text))
        if not found:
            continue
        links = []
        for _, end, address, url in found:
            link = etree.Element("a", href=url)
            link.text = address
            links.append(link)
        for link, (_, end, _, _), (following, *_) in zip(links, found, [*found[1:], (len(text),)]):
            link.tail = text[end:following]
        if text.is_text:
            owner.text = text[:found[0][0]]
            parent, position = owner, 0
        else:
            owner.tail = text[:found[0][0]]
            parent, position = owner.getparent(), owner.getparent().index(owner) + 1
        for index, link in enumerate(links):
            parent.insert(position + index, link)


def _written_addresses(text: str, runs_on_at_its_end: bool) -> list[tuple[int, int, str, str]]:
    """(start, end, address, its ``web_url``) of each address in ``text``
    that plainly ends: at a space, the text's end or punctuation (``.`` and
    ``)`` end it unless it opened the bracket), or where a second address is
    written on to it (``…%9Dhttps://…``). An address run on into a word
    (``…/wiki/中共`` may be an address with Chinese in it), or into emphasis
    at the text's end (``runs_on_at_its_end``: Markdown read the ``_`` of
    ``?filename=(4)_x.pdf`` as one), is left, and so is one that is no web
    address (``web_url``)."""
    found, position, glued = [], 0, None
    while True:
        match = _URL_AT.match(text, glued) if glued is not None else None
        match = match or _WRITTEN_URL.search(text, position)
        if match is None:
            return found
        address, cut = _address_as_written(match.group())
        start, end = match.start(), match.start() + len(address)
        glued, position = (start + cut if cut else None), match.end()
        if not cut and end == match.end() and (end < len(text) and not _URL_ENDS.match(text, end)
                                               or end == len(text) and runs_on_at_its_end):
            continue
        if (url := web_url(address)) is not None:
            found.append((start, end, address, url))


def _runs_on(text) -> bool:
    """Whether emphasis goes on from the end of ``text`` (an lxml text or
    tail) with what could be more of an address."""
    owner = text.getparent()
    following = (owner[0] if len(owner) else None) if text.is_text else owner.getnext()
    return (following is not None and following.tag in _INLINE_FORMAT and bool(following.text)
            and not _URL_ENDS.match(following.text))


def _address_as_written(run: str) -> tuple[str, int]:
    """The address at the start of a run of ASCII: up to a second address
    written on to it, and without the punctuation that ends a sentence after
    it, or a bracket it did not open; and where that second address starts
    (0: none)."""
    second = _GLUED_SCHEME.search(run, 8)
    cut = second.start() if second else 0
    if second:
        run = run[:cut]
    while True:
        address = _URL_TRAILING.sub("", run)
        if address.endswith(")") and address.count(")") > address.count("("):
            run = address[:-1]
            continue
        return address, cut


_CHANNEL_ADDRESS = re.compile(
    r"https?://[^/?#\s]+/(?:[^?#\s]*/)?(?:c|channel|user)/[^/?#\s]+/?$"
    r"|https?://[^/?#\s]+/@[^/?#\s]+/?$"
    r"|https?://[^?#\s]*[?&]list=(?!.*[?&]v=)", re.IGNORECASE)
"""Where a programme is followed, not an article read: a channel, a
profile or a playlist."""
_SHORT_LINK = re.compile(r"https?://(?:www\.)?(?:bit\.ly|tinyurl\.com|goo\.gl|reurl\.cc|is\.gd|ow\.ly|t\.ly|cutt\.ly)/",
                         re.IGNORECASE)
_CHANNEL_WORD = re.compile(r"\s*(?:频道|頻道|channel)$", re.IGNORECASE)


def _drop_trailing_channels(tree, tags: tuple[str, ...]) -> None:
    """A programme's channel that ends the body goes: a paragraph that is a
    name and the programme's addresses. It is the transcript's sign-off, not
    its text. The addresses must say so: each is a channel's, a profile's or
    a playlist's page (``时事军事：https://www.youtube.com/playlist?list=…``,
    ``石山角度：https://www.youmaker.com/c/ShiShan``), or a short link under a
    name the source links to its own tag page, which is the programme's
    (``财商天下：http://bit.ly/3hvUfr7``, ``方菲访谈频道：…``; ``tags``). A short
    link under another label may be what the article asks the reader to do
    (``联署信网址：https://tinyurl.com/…``, a petition's), and stays. A label of
    a source or of a video to watch stays too (``参考链接：``, ``观看视频：``, as
    ``_is_address_line`` reads them), and so does one with a colon of its
    own (``绘图：R1 财商天下：…``: a credit shares the line)."""
    while (last := _last_block(tree)) is not None and last.tag == "p":
        links = list(last.iter("a"))
        if not links:
            return
        text = _text(last)
        label = _ADDRESS_TEXT.sub("", text).strip().rstrip(":：").strip()
        if ":" in label or "：" in label or not _is_address_line(text, links):
            return
        programme = _CHANNEL_WORD.sub("", label) in tags
        if not all(_CHANNEL_ADDRESS.match(a.get("href", "")) or programme and _SHORT_LINK.match(a.get("href", ""))
                   for a in links):
            return
        _remove(last)


def _last_block(tree):
    """The block that ends the body: its last element, or, where that is a
    ``<div>`` wrapping the article, the wrapper's last; ``None`` where text
    follows it."""
    container = tree
    while len(container) and not (container[-1].tail or "").strip():
        last = container[-1]
        if last.tag != "div" or not len(last):
            return last
        container = last
    return None


_END_MARKS = ("◇", "◆", "＃", "。#")
"""What an article's end mark holds (an ASCII ``#`` only right after a full stop)."""
_ENDED_HERE = re.compile(rf"{_SENTENCE_ENDED}(?:{_HASH_MARK}|[◇◆])\s*(?:$|<)", re.MULTILINE)
"""The article's end mark after its last sentence, in the fragment
(``◇``, ``＃``, ``。#``, ``◇＃``)."""
_ARTICLE_END = re.compile(rf"(?:(?<={_SENTENCE_ENDED})|^)(?:{_HASH_MARK}|[◇◆])$")
"""The same at the end of a block's text."""


def _drop_furniture_after_the_end(tree) -> None:
    """After the article's end mark (``…提供贷款。◇``), what is only a link,
    or linked pictures, is the edition's furniture, not the article's: a
    newsletter's sign-up heading (``每周为您献上旧金山最新消息``), a donation
    banner on its own line. Text stays (``本文刊载于旧金山6月18日地产版``), and
    so does a link whose text is its address (a reference)."""
    end = next((block for block in tree.iter("p", *_HEADINGS) if _ARTICLE_END.search(_text(block))), None)
    if end is None:
        return
    for block in list(end.itersiblings()):
        if block.tag not in _TEXT_BLOCKS:
            continue
        links = list(block.iter("a"))
        text = _text(block)
        if len(links) == 1 and text and _text(links[0]) == text and not _ADDRESS_TEXT.fullmatch(text):
            _remove(block)
            continue
        for start, elements in reversed(_lines_of(block)):
            line_links = [e for e in elements if e.tag == "a"]
            if (line_links and len(line_links) == len(elements) and all(next(a.iter("img"), None) is not None
                                                                        and not _text(a) for a in line_links)
                    and not (((start.tail if start is not None else block.text) or "").strip())
                    and not any((a.tail or "").strip() for a in line_links)):
                _remove_line(block, start, elements)
        if _holds_nothing(block):
            _remove(block)


MAX_LABEL = 20
"""The longest text taken for a label (``原文：``, ``音频链接：``)."""


def _drop_trailing_labels(tree) -> None:
    """A label that ends the body with nothing after it (what it introduced,
    a link or a player, was removed or never mirrored) goes: a paragraph or
    heading of a few words ending with a colon, holding no link or image."""
    while (last := _last_block(tree)) is not None and last.tag in _TEXT_BLOCKS:
        text = _text(last)
        if (not text.endswith((":", "：")) or len(text) > MAX_LABEL
                or next(last.iter("a", "img"), None) is not None):
            return
        _remove(last)


def _layout_tables_to_figures(tree) -> None:
    """A table used to lay out images with captions becomes figures."""
    for table in list(tree.iter("table")):
        if not list(table.iter("img")):
            continue
        figures = []
        for cell in table.iter("td", "th"):
            images = list(cell.iter("img"))
            caption = _text(cell, wide=True)
            if images:
                figures.append(_figure(images, caption))
            elif caption and figures and not figures[-1].find("figcaption"):
                figures[-1].append(_element("figcaption", caption))
            else:
                continue
            if caption:
                _link_caption(figures[-1].find("figcaption"), cell)
        parent = table.getparent()
        if parent is None:
            continue
        tail = table.tail
        if _caption_after(table, figures):
            figures, tail = [_one_figure(figures, tail.strip())], None
            following = table.getnext()
            if following is not None and following.tag == "br":  # the caption's line ends with it
                tail = following.tail
                parent.remove(following)
        index = parent.index(table)
        parent.remove(table)
        for offset, figure in enumerate(figures):
            parent.insert(index + offset, figure)
        if tail:
            _append_text(parent, index + len(figures), tail)


def _link_caption(figcaption, cell) -> None:
    """The cell's links keep linking in the caption made of its text (Minghui
    links each senator's letter, a PDF, from under its picture, and glossary
    words). Each link's text is found in the caption in turn; a link whose
    text is not there, as it was written, stays text."""
    links = [(a.get("href"), _text(a, wide=True)) for a in cell.iter("a")
             if a.get("href") and next(a.iter("img"), None) is None]
    caption, start, last = figcaption.text, 0, None
    for href, text in links:
        at = caption.find(text, start) if text else -1
        if at < 0:
            continue
        if last is None:
            figcaption.text = caption[:at]
        else:
            last.tail = caption[start:at]
        last = etree.SubElement(figcaption, "a", href=href)
        last.text, start = text, at + len(text)
    if last is not None:
        last.tail = caption[start:]


TABLE_CAPTION_CHARS = 120
"""A caption under a table of pictures is short; longer text after it is the article's."""


def _caption_after(table, figures: list) -> bool:
    """Whether the text right after a table of uncaptioned pictures is their
    shared caption: short, and ending where its line ends (Minghui puts
    "一位白俄罗斯军人把军服扔到了垃圾桶（网络截图）" under a two-picture table)."""
    text = (table.tail or "").strip()
    following = table.getnext()
    return bool(figures and text and len(text) <= TABLE_CAPTION_CHARS
                and all(f.find("figcaption") is None for f in figures)
                and (following is None or following.tag == "br" or following.tag in _BLOCKS
                     or following.tag in ("table", "figure", "hr")))


def _one_figure(figures: list, caption: str):
    figure = etree.Element("figure")
    for part in figures:
        figure.extend(list(part))
    figure.append(_element("figcaption", caption))
    return figure


_CAPTION_CLASS = re.compile(r"\b(?:wp-)?caption(?:-text)?\b")


def _drop_repeated_images(tree) -> None:
    """A picture shown twice in one article is the page's furniture, in a
    profile that says so: the GNews farms' logo or banner above and below
    the text (353 posts). (The Epoch Times shows its lead photo twice.)
    Every copy goes, a figure of it alone with its caption, and a line
    break it leaves first in its block with it."""
    counts = Counter(img.get("src") for img in tree.iter("img"))
    repeated = {src for src, n in counts.items() if n > 1}
    if not repeated:
        return
    for img in [img for img in tree.iter("img") if img.get("src") in repeated]:
        parent = img.getparent()
        if parent is not None and parent.tag == "figure" and len(parent.findall("img")) == 1:
            _remove(parent)  # with its caption, which captions the logo
            continue
        _remove(img)
        if (parent is not None and not (parent.text or "").strip() and len(parent)
                and parent[0].tag == "br"):
            _remove(parent[0])


_PICTURE_CREDIT = re.compile(r"(?:图片来源|圖片來源|图源|圖源|图片|圖片|图|圖|照片来源|照片|来源|來源)\s*[:：]"
                             r"|(?:图片来[自源]|圖片來[自源]|[图圖]\s*[／/])")
PICTURE_CREDIT_CHARS = 80
"""A picture's credit is short; a longer text after a picture is the article's."""
_CREDIT_AT_THE_END = re.compile(
    r".*[（(][^（）()\n]{0,40}(?:[图圖摄攝照]|截图|截圖|提供|Getty|AFP|Reuters|Photo|photo|Images)[^（）()\n]{0,40}[）)]\s*")
"""A caption that ends with its picture's credit in brackets: ``…签约。（网页截图）``, ``（资料照）``,
``…（圖／翻攝自「Dr K Boogie Woogie」IG）``, ``…(Greg Baker/AFP via Getty Images)``."""
CAPTION_CHARS = 150
"""A caption with its credit at the end is longer than a credit alone, and one line."""


def _is_picture_caption(text: str) -> bool:
    """A credit (``图片来源：路透社``), or one line (``.*`` holds no line
    break) that ends with its credit."""
    return (_PICTURE_CREDIT.match(text) is not None and len(text) <= PICTURE_CREDIT_CHARS
            or len(text) <= CAPTION_CHARS and _CREDIT_AT_THE_END.fullmatch(text) is not None)


def _credited_pictures_to_figures(tree) -> None:
    """A picture that opens a paragraph, with its credit next to it
    (``![](…)图片来源：路透社``), on the next line, or as the next paragraph,
    is a figure with that caption; the paragraph's other lines stay a
    paragraph after it."""
    for img in list(tree.iter("img")):
        first = img.getparent()  # the picture, or a link of nothing else around it
        if not (first is not None and first.tag == "a" and len(first) == 1 and not (first.text or "").strip()
                and not (img.tail or "").strip()):
            first = img
        block = first.getparent()
        if block is None or block.tag != "p" or block[0] is not first or (block.text or "").strip():
            continue
        following = block.getnext()
        if (first.tail or "").strip():  # the credit beside the picture, then the line's end
            credit, consumed = first.tail.strip(), 1
        elif len(block) > 1 and block[1].tag == "br":  # the credit on the next line
            credit, consumed = (block[1].tail or "").strip(), 2
        elif len(block) == 1 and following is not None and following.tag == "p" and not len(following):
            credit, consumed = (following.text or "").strip(), 0  # the credit as the next paragraph
        else:
            continue
        line_end = block[consumed] if consumed and len(block) > consumed else None
        if not _is_picture_caption(credit) or line_end is not None and line_end.tag != "br":
            continue
        block.addprevious(_figure([img], credit))
        rest = line_end.tail if line_end is not None else None
        for node in list(block)[:consumed + (line_end is not None)] if consumed else [first]:
            block.remove(node)  # with its tail: the credit, or the text moved below
        block.text = rest
        if consumed == 0:
            _remove(following)  # its tail, text after the paragraph, stays
        if not len(block) and not (block.text or "").strip():
            _remove(block)


_CREDIT_OF_A_PICTURE_WORD = re.compile(r"图片来源|圖片來源|图片来自|圖片來自|图源|圖源|照片来源|照片來源")
_CREDIT_OF_A_PICTURE = re.compile(rf"(?:{_CREDIT_OF_A_PICTURE_WORD.pattern})\s*(?:[:：]|于|於)?\s*[^。！？!?:：\n]{{1,40}}")
"""A picture's credit and nothing else: ``图片来源：info.51.ca``, ``图片来源于网络``."""


def _drop_credits_of_no_picture(tree) -> None:
    """In a body without a picture, a paragraph that is only a picture's
    credit goes: the mirror lost the picture (a GNews post opening with
    ``图片来源：info.51.ca`` and no picture in the file). Where the body
    has pictures, a credit apart from them may still be theirs."""
    if next(tree.iter("img"), None) is not None or not _CREDIT_OF_A_PICTURE_WORD.search(tree.text_content()):
        return  # (the body's text once: half the cost of each paragraph's)
    for paragraph in list(tree.iter("p")):
        if _CREDIT_OF_A_PICTURE.fullmatch(_text(paragraph)):
            _remove(paragraph)


def _caption_divs_to_figures(tree) -> None:
    """``<div><img/><div class="caption">…</div></div>`` and WordPress figures."""
    for caption in list(tree.iter("div", "p", "span")):
        if not _CAPTION_CLASS.search(caption.get("class", "")):
            continue
        holder = caption.getparent()
        if holder is None or not list(holder.iter("img")):
            continue
        caption.tag = "figcaption"
        caption.attrib.clear()
        if holder.tag != "figure":
            holder.tag = "figure"
            holder.attrib.clear()


def _innermost_blocks(tree) -> list:
    """Block elements that hold no other block element (a paragraph, a heading),
    in document order.

    One pass: each block marks its ancestors as holders of a block, stopping at
    one already marked, instead of searching every block's subtree. (Removing
    an innermost block later changes only its ancestors, which come before it.)
    """
    blocks = [element for element in tree.iter(*_BLOCKS) if element is not tree]
    holders = set()
    for element in blocks:
        parent = element.getparent()
        while parent is not None and parent not in holders:
            holders.add(parent)
            parent = parent.getparent()
    return [element for element in blocks if element not in holders]


def _drop_boilerplate_blocks(blocks: list, patterns: tuple[re.Pattern[str], ...]) -> None:
    """A block that one of the ``patterns`` matches whole goes, and so does
    a request to subscribe or follow at addresses written as text, with no
    link (``_is_follow_line``; one with links is ``_drop_promo_blocks``')."""
    matches = whole_match(patterns) if patterns else None
    for element in blocks:
        text = _text(element)
        if text and ((matches and matches(text))
                     or (_FOLLOW_LABEL.match(text) and next(element.iter("a"), None) is None
                         and _is_follow_line(text, []))):
            _remove(element)


PROMO_SHORT_BLOCK = 30
"""A block of at most this many letters that links to the source's promotion is a promo line."""


def _drop_promo_blocks(blocks: list, patterns: tuple[re.Pattern[str], ...]) -> None:
    for element in blocks:
        if element.getparent() is None:
            continue
        links = list(element.iter("a"))
        if links and ((patterns and _is_promo(lambda: _text(element), links, patterns))
                      or _is_follow_line(_text(element), links)):
            _remove(element)


def _is_promo(text_of_it: Callable[[], str], links: list, patterns: tuple[re.Pattern[str], ...],
              short: int = PROMO_SHORT_BLOCK) -> bool:
    """Whether text with these links is a promotion: it links to the source's
    promotion and is short (at most ``short`` letters, and no sentence), is
    mostly that link's text, or is an invitation to answer there
    (``_is_invitation``). The text is asked for only when such a link is
    there. A link written as a handle (``@ICANdecide``) names an account the
    text mentions: it promotes nothing, unless the text asks to follow it."""
    links = [a for a in links if _links_to(a, patterns)]
    if not links:
        return False
    text = text_of_it()
    if _is_invitation(text):
        return True
    links = [a for a in links if not (a.text or "").lstrip().startswith("@")]
    if not links:
        return False
    letters, linked = _letters_linked(text, links)
    return letters <= short and not _SENTENCE_END.search(text) or linked >= 0.6 * letters


MAX_INVITATION = 400
"""The longest paragraph taken for an invitation (see ``_is_invitation``)."""
_INVITATION = re.compile(r"(?:欢迎|歡迎|(?<![申邀提])(?:请|請))(?:您|你|大家|各位)?(?:加入|订阅|訂閱|关注|關注)")
"""A request to join, subscribe or follow (``申请加入``, to apply, ``提请关注``, to draw attention, are none)."""


def _is_invitation(text: str) -> bool:
    """Whether text that links to the source's promotion asks the reader to
    join, subscribe or follow there (``欢迎加入``, ``欢迎订阅``, ``请关注``),
    however long its preamble (``广而告之：尊敬的战友，你的每一篇文字…欢迎加入我们——
    […Discord群]，欢迎订阅我们的油管频道：[…]``). Each line of a paragraph
    written with ``<br>`` is judged on its own (``_drop_lines_within_blocks``).
    Text that is not only that is no invitation: longer than
    ``MAX_INVITATION`` characters, with a statement that asks nothing
    (``…最佳的选择就是喜币。欢迎加入香草山农场``; a programme's greeting,
    ``大家好，欢迎大家关注《新闻看点》，我是李沐阳。今天是…``), or citing a
    source (``本文引用视频来源：…请关注这位众议员的盖特账号``)."""
    if len(text) > MAX_INVITATION or _SOURCE_LABEL.search(text):
        return False
    statements = [s for s in _SENTENCE_END.split(_ADDRESS_TEXT.sub("", text)) if s.strip()]
    return bool(statements) and all(_INVITATION.search(s) for s in statements)


def _letters_linked(text: str, links: Iterable) -> tuple[int, int]:
    """How many letters and digits ``text`` holds, and how many of them are
    the ``links``' text."""
    return sum(ch.isalnum() for ch in text), sum(ch.isalnum() for a in links for ch in _text(a))


_SENTENCE_END = re.compile(r"[。？?]|\.(?:\s|$)")
"""A statement's end (an exclamation mark ends promotions as often as sentences)."""


_FURTHER_READING_WORD = re.compile("延伸阅读|延伸閱讀|推荐阅读|推薦閱讀|相关阅读|相關閱讀")
"""(Not "相关新闻": a translation's post puts its source under it.)"""
_FURTHER_READING = re.compile(rf"[*\s]*[【\[]?(?:{_FURTHER_READING_WORD.pattern})[】\]]?\s*[:：]?[*\s]*")
"""A "further reading" label alone ("延伸阅读：", "【延伸閱讀】")."""
_WORDS = _FURTHER_READING_WORD.pattern
_FURTHER_READING_LINE = re.compile(rf"[*\s]*(?:[【\[](?:{_WORDS})[】\]]\s*[:：]?|(?:{_WORDS})\s*[:：])\s*\S.{{1,120}}")
"""Such a label and another article's headline in one paragraph: "延伸阅读：…",
"【延伸阅读】…（点图放大浏览）：" (a heading so written titles a section)."""

MAX_HEADLINE = 80
"""The longest line of text that is taken for another article's headline."""


def _drop_further_reading(blocks: list) -> None:
    """A "further reading" label alone, with the headlines of other articles
    under it: the blocks right after it that are links, or short lines of
    text that end no sentence (。) and hold no address, or a list of them.
    A label with no headline after it stays; after a paragraph, a heading
    ends the headlines (under a heading, headings of its rank or below are
    them).
    A paragraph or item of the label and one headline goes too."""
    for index, label in enumerate(blocks):
        if label.getparent() is None:
            continue
        text = _text(label)
        if not _FURTHER_READING.fullmatch(text):
            if label.tag not in _HEADINGS and _FURTHER_READING_LINE.fullmatch(text):
                _remove(label)
            continue
        following = label.getnext()
        if following is not None and following.tag in ("ul", "ol"):
            items = [item for item in following if item.tag == "li"]
            headlines = [following] if items and all(_is_headline(item) for item in items) else []
        else:
            headlines = []
            for block in blocks[index + 1:]:
                if (block is not following or not _is_headline(block)
                        or block.tag in _HEADINGS and not (label.tag in _HEADINGS and block.tag >= label.tag)):
                    break
                headlines.append(block)
                following = block.getnext()
        if headlines:
            for element in [label, *headlines]:
                _remove(element)


def _is_headline(block) -> bool:
    text = _text(block)
    if not text or text[0] in "“\"":  # a quotation is no headline
        return False
    letters, linked = _letters_linked(text, block.iter("a"))
    if letters and linked >= 0.8 * letters:
        return True
    return len(text) <= MAX_HEADLINE and "。" not in text and "://" not in text


def _drop_lines_within_blocks(blocks: list, patterns: tuple[re.Pattern[str], ...],
                              promo_links: tuple[re.Pattern[str], ...]) -> None:
    """The lines of a paragraph written with ``<br>`` are tested as blocks
    are: a line that is boilerplate, or that is mostly a link to a promotion,
    goes, and its neighbours stay (a short line with such a link may be a
    sentence: a paragraph's line is not a block of its own).
    Epoch Times pages put "欢迎订阅YouTube频道：…<br>支持沐阳：https://donorbox…"
    in one paragraph, which as a whole is neither. When the other lines are
    all a label and an address (``沐阳会员网站：http://muyangshow.com``), the
    paragraph is the host's list of where to follow and pay: it goes whole."""
    with_breaks = {br.getparent() for br in blocks[0].getroottree().iter("br")} if blocks else set()
    if not with_breaks:
        return
    matches = whole_match(patterns) if patterns else None
    for block in blocks:
        if block not in with_breaks or block.getparent() is None:
            continue
        lines, banners = [], []  # the lines with text; those without, all promotions' links (banners)
        for n, (start, elements) in enumerate(_lines_of(block)):
            links = [a for e in elements for a in e.iter("a")]
            if text := _line_text(block, start, elements):
                lines.append((n, start, elements, text, links))
            elif promo_links and links and all(_links_to(a, promo_links) for a in links):
                banners.append((n, start, elements))
        promotions, addresses = [], 0
        for n, start, elements, text, links in lines:
            if ((matches and matches(text)) or (promo_links and _is_promo(lambda: text, links, promo_links, short=0))
                    or _is_follow_line(text, links)):
                promotions.append((n, start, elements))
            elif _is_address_line(text, links):
                addresses += 1
        if promotions and addresses and len(promotions) + addresses == len(lines):
            _remove(block)  # the promotions' neighbours are the host's other addresses: its site, its shop
            continue
        # the banners go with the promotions: what is left (``本文刊载于…地产版``)
        # is then judged without their links; the last line first, so that
        # removing one leaves the others where they were
        gone = promotions + banners if promotions else []
        for _, start, elements in sorted(gone, key=lambda line: line[0], reverse=True):
            _remove_line(block, start, elements)


def _links_to(link, patterns: tuple[re.Pattern[str], ...]) -> bool:
    return any(p.search(link.get("href", "")) for p in patterns)


def _line_text(block, start, elements: list) -> str:
    head = (start.tail if start is not None else block.text) or ""
    return " ".join(" ".join([head, *map(_text_with_tail, elements)]).split())


_ADDRESS_TEXT = re.compile(r"(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}(?:[/?#]\S*)?", re.IGNORECASE)
MAX_ADDRESS_LABEL = 20
"""The longest label before an address on a line of addresses (``支持沐阳：``)."""


_VIDEO_PAGE = re.compile(r"youtube\.com/watch|youtu\.be/|/(?:v|video|videos|watch)/", re.IGNORECASE)
"""A video's own page (a transcript's programme), not a channel's."""
_WATCH_LABEL = re.compile(r"观看|觀看|收看|完整(?:版|视频|視頻)|watch", re.IGNORECASE)
"""A label to watch a video, or its full version (``完整视频Youtube：``)."""
_SOURCE_LABEL = re.compile(r"来源|來源|链接|鏈接|连结|連結|参考|參考|原文|出处|出處|资料|資料|source|reference|via",
                           re.IGNORECASE)


_WRITTEN_ADDRESS = re.compile(r"(?:https?://|www\.)[^\s，。；！？、）」』”]+", re.IGNORECASE)
"""An address written as text, not linked."""


def _is_address_line(text: str, links: list, max_label: int = MAX_ADDRESS_LABEL, written: bool = False) -> bool:
    """A label and an address: ``沐阳会员网站：http://muyangshow.com``. An
    address with no label, under a source's label (``新闻参考链接：``,
    ``文章来源:``), of one video or under a label to watch it (``观看视频：``,
    a short link) is the article's reference. With ``written``, a line with
    no link may give its addresses as text (a Markdown file's bare address is
    not linked)."""
    if written and not links:
        addresses = _WRITTEN_ADDRESS.findall(text)
        if not addresses or any(_VIDEO_PAGE.search(address) for address in addresses):
            return False
    else:
        addresses = [_text(a) for a in links]
        if not links or not all(_ADDRESS_TEXT.fullmatch(address) and not _VIDEO_PAGE.search(a.get("href", ""))
                                for a, address in zip(links, addresses)):
            return False
    label = text
    for address in addresses:
        label = label.replace(address, "", 1)
    label = label.strip(" :：,，、;；|")
    return 0 < len(label) <= max_label and not _SOURCE_LABEL.search(label) and not _WATCH_LABEL.search(label)


_CLAUSE_MARK = re.compile(r"[，。；！？,;!?]")
"""A sentence's marks: a label has none (``订阅人数已超过十万，详见：…`` is a sentence)."""
MAX_FOLLOW_LABEL = 40
"""The longest label of a line that asks to subscribe or follow."""
_FOLLOW_LABEL = re.compile(r"(?:欢迎|歡迎|请|請)?(?:订阅|訂閱|关注|關注|subscribe(?![-\w])|follow(?![-\w]))", re.IGNORECASE)
_CHANNEL = re.compile(r"facebook|twitter|youtube|telegram|instagram|gettr|主页|主頁|频道|頻道|账号|帳號|公众号|公眾號|"
                      r"推特|脸书|臉書|油管|电报|電報", re.IGNORECASE)
"""What a request to follow that is all one link names: a channel, not a story (``关注香港：…``)."""


def _is_follow_line(text: str, links: list) -> bool:
    """A label that asks to subscribe or follow, and the addresses to do it
    at (``订阅财商天下：http://bit.ly/3hvUfr7``, ``关注YouTube：…``), or
    such a request that is all one link and names a channel (``关注我们facebook
    主页，及时获得更多资讯，请点这里。``): a promotion, wherever it stands. The
    label may name the channel in full (``订阅《时事军事-夏洛山》YouTube频道：``),
    and the addresses may be written unlinked (``欢迎订阅YouTube频道：https://…``).
    "Follow-up:" is no request."""
    if not _FOLLOW_LABEL.match(text):
        return False
    if len(links) == 1 and len(text) <= MAX_FOLLOW_LABEL and _text(links[0]).strip() == text:
        return bool(_CHANNEL.search(text))
    return (not _CLAUSE_MARK.search(_ADDRESS_TEXT.sub("", text))
            and _is_address_line(text, links, MAX_FOLLOW_LABEL, written=True))


def _lines_of(block) -> list[tuple[object, list]]:
    """The block's lines: each the ``<br>`` that starts it (``None`` for the
    first) and the elements on it."""
    lines: list[tuple[object, list]] = [(None, [])]
    for child in block:
        if child.tag == "br":
            lines.append((child, []))
        else:
            lines[-1][1].append(child)
    return lines


def _text_with_tail(element) -> str:
    return "".join(element.itertext()) + (element.tail or "")


def _remove_line(block, start, elements: list) -> None:
    for element in elements:
        block.remove(element)  # with its tail, which is on the same line
    if start is not None:
        block.remove(start)
        return
    block.text = None
    first_break = next((child for child in block if child.tag == "br"), None)
    if first_break is not None:
        block.text = first_break.tail
        block.remove(first_break)


_MAYBE_EMPTY = ("p", "div", "figure", "figcaption", "blockquote", "li", "ul", "ol",
                "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "a")
_INLINE_WRAPPERS = frozenset({"strong", "b", "em", "i", "a"})


def _drop_empty_blocks(tree) -> None:
    """Blocks with no letter or digit and no image, rule or table go. An
    inline wrapper of that kind goes but leaves its text: the source's
    ``<strong>。</strong>`` or ``加里<em>‧</em>詹斯勒`` is punctuation of the
    sentence around it, and ``a<b> </b>b`` a space between two words.

    One pass is enough: removing an empty element takes away only text without
    letters and no image, and keeps its tail in its parent, so it cannot make
    another element empty.
    """
    for element in list(tree.iter(*_MAYBE_EMPTY)):
        if element is not tree and _holds_nothing(element):
            if element.tag in _INLINE_WRAPPERS:
                element.drop_tag()
            else:
                _remove(element)


def _holds_nothing(element) -> bool:
    """No letter or digit, and no image, rule or table."""
    return not _meaningful(element) and next(element.iter("img", "hr", "table"), None) is None


# Characters written without spaces between words: a line break between two of
# them in the source is layout, not a space. The middle dots (· ‧) join the
# parts of a transliterated name: 加文·纽森.
_WIDE = r"\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f\u2018-\u201f\u2026\u00b7\u2027"
_WIDE_CHAR = re.compile(rf"[{_WIDE}]")
_BREAK_BETWEEN_WIDE = re.compile(rf"(?<=[{_WIDE}])[ \t]*\n\s*(?=[{_WIDE}])")
_EDGE_AFTER_WIDE = re.compile(rf"(?<=[{_WIDE}])[ \t]*\n\s*$")
_EDGE_BEFORE_WIDE = re.compile(rf"^[ \t]*\n\s*(?=[{_WIDE}])")
# Chinese and Japanese text, and its own punctuation and full-width forms
# (not Hangul: Korean spaces its words; not the quotes, dots and ellipsis
# that English writes too). Beside one of them, a line break of a
# pretty-printed page is no space even when the other side is a digit or a
# Latin letter: ``今年1、\n2月``, ``中国的AI\n芯片``. Within the lines of the
# Epoch Times mirror, Han beside a Latin letter or digit is written without
# a space a million times, with one five thousand times.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_BREAK_BESIDE_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n\s*|[ \t]*\n\s*+(?=[{_CJK}])")


def _collapse_whitespace(tree) -> None:
    """Pretty-printed source HTML puts line breaks and indentation inside
    sentences; in Chinese text a browser would render each as a space.
    Text inside ``<pre>`` keeps its layout (most bodies have no ``<pre>``, and
    then no element needs its ancestors looked at)."""
    has_pre = next(tree.iter("pre"), None) is not None
    edges = False  # layout left at a text's edge, which may have Chinese on the tag's other side
    for element in tree.iter():
        if not isinstance(element.tag, str) or has_pre and (element.tag == "pre" or any(
                a.tag == "pre" for a in element.iterancestors())):
            continue
        text = element.text
        if text and "\n" in text:
            element.text = text = _collapse(text)
            edges = edges or _layout_at_edge(text, element.tag)
        tail = element.tail
        if tail and "\n" in tail:
            element.tail = tail = _collapse(tail)
            edges = edges or _layout_at_edge(tail, element.tag)
    if edges:
        _join_at_inline_edges(tree)


def _layout_at_edge(collapsed: str, tag: str) -> bool:
    """Whether ``_join_at_inline_edges`` may find layout to remove in this
    collapsed text or tail of a ``tag``: a line break left at its edge, or
    all of it, an inline element's. (Most of the line breaks of a
    pretty-printed body are between blocks.)"""
    if collapsed == "\n":
        return tag in _TEXT_INLINE
    return collapsed[:1] == "\n" or collapsed[-1:] == "\n"


_TEXT_INLINE = frozenset(_INLINE - {"br", "img"})


def _join_at_inline_edges(tree) -> None:
    """The layout left at the edges of inline elements' texts, where
    ``_collapse`` saw only one side of it: ``网友<a>⏎SkylandRunner⏎</a>说``
    and ``大纪元新闻网：<a>⏎https://…</a>`` have Chinese on the other side
    of a tag. Between two characters of a block's running text (no image,
    break, block or ``<pre>`` between them), layout that holds a line break
    goes as ``_collapse`` removes it from one text."""
    last: tuple | None = None  # (element, "text" or "tail") ending in the last visible character
    between: list[tuple] = []  # the parts of nothing but whitespace since then
    in_pre = 0
    for event, element in etree.iterwalk(tree, events=("start", "end")):
        if element.tag == "pre":
            in_pre += 1 if event == "start" else -1
        if element is not tree and element.tag not in _TEXT_INLINE:
            last, between = None, []  # the text does not run on across it
        if in_pre:
            continue
        part = (element, "text" if event == "start" else "tail")
        if event == "end" and element is tree:
            break
        text = getattr(*part) or ""
        if not text.strip(" \t\n"):
            between.append(part)
            continue
        if last is not None:
            _join(last, between, part)
        last, between = part, []


def _join(left: tuple, between: list[tuple], right: tuple) -> None:
    """Remove the layout between the end of one text and the start of another
    (each an element and ``"text"`` or ``"tail"``), with the ``between``
    parts of only whitespace, when it holds a line break and the characters
    on its two sides are what ``_collapse`` joins."""
    before, after = getattr(*left), getattr(*right)
    kept_before, kept_after = before.rstrip(" \t\n"), after.lstrip(" \t\n")
    layout = (before[len(kept_before):] + "".join(getattr(*p) or "" for p in between)
              + after[:len(after) - len(kept_after)])
    if "\n" not in layout:
        return
    a, b = kept_before[-1], kept_after[0]
    if _WIDE_CHAR.match(a) and _WIDE_CHAR.match(b) or _CJK_CHAR.match(a) or _CJK_CHAR.match(b):
        setattr(*left, kept_before)
        setattr(*right, kept_after)
        for part in between:
            if getattr(*part):
                setattr(*part, "")


_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


def _collapse(text: str) -> str:
    """Every rule here removes or shortens a line break: text without one is left as is.
    Text of nothing but spaces, tabs and line breaks (the layout between
    tags) comes out as the single line break the last rule leaves of it.

    The five rules in turn, or, when no wide character is also whitespace
    (the ideographic space), what they leave of each run of layout in one
    pass (``_joined``): 2.3 us a text instead of 3.8 (38 texts an article)."""
    if "\n" not in text:
        return text
    if not text.strip(" \t\n"):
        return "\n"
    if "\u3000" not in text:
        return _LINE_BREAK.sub(_joined, text)
    text = _BREAK_BETWEEN_WIDE.sub("", text)
    text = _drop_edge_after_wide(text)
    text = _EDGE_BEFORE_WIDE.sub("", text)
    text = _BREAK_BESIDE_CJK.sub("", text)
    return _LINE_BREAK.sub("\n", text)


def _joined(run: re.Match[str]) -> str:
    """What ``_collapse``'s rules leave of a run of layout: nothing between
    two wide characters, between one and the text's edge, or beside Chinese
    or Japanese (``_CJK``), else a line break. (A run holds no wide
    character when the text has no ideographic space: each rule's match is
    then a whole run.)"""
    text, (start, end) = run.string, run.span()
    before = start > 0 and _WIDE_CHAR.match(text, start - 1)
    after = end < len(text) and _WIDE_CHAR.match(text, end)
    if before and (after or end == len(text)) or after and start == 0:
        return ""
    beside = start > 0 and _CJK_CHAR.match(text, start - 1) or end < len(text) and _CJK_CHAR.match(text, end)
    return "" if beside else "\n"


def _drop_edge_after_wide(text: str) -> str:
    """``_EDGE_AFTER_WIDE.sub("", text)``, searched only where it can match.
    A match runs to the end through whitespace alone, so it starts inside the
    text's trailing whitespace; its lookbehind reads one character before.
    (``rstrip`` and ``\\s`` agree on what whitespace is.) Searching the whole
    text was the slowest of ``_collapse``'s four substitutions."""
    start = max(len(text.rstrip()) - 1, 0)
    return text[:start] + _EDGE_AFTER_WIDE.sub("", text[start:])


def _fix_heading_levels(tree) -> None:
    """The page's title is the only h1: body headings start at h2 and never
    skip a level (scraped pages use h3/h4 for their first subheading). Each
    heading's level is its depth among the open headings above it."""
    open_levels: list[int] = []
    for heading in tree.iter(*_HEADINGS):
        level = int(heading.tag[1])
        while open_levels and open_levels[-1] >= level:
            open_levels.pop()
        open_levels.append(level)
        heading.tag = f"h{min(6, 1 + len(open_levels))}"


def _tidy_breaks(tree) -> None:
    """Line breaks that break no line go: in a figure, first or last in a
    block (not in a link or an emphasis: there they may end its line),
    between two blocks; and a run of them is at most one empty line.
    They are what is left of removed lines (credits, promotions) and of the
    source's layout."""
    breaks = list(tree.iter("br"))
    for br in breaks:  # in order: each leading one in turn, and runs
        parent = br.getparent()
        previous = br.getprevious()
        if (parent.tag == "figure"
                or (previous is None and parent.tag in _AROUND_BREAKS and not (parent.text or "").strip())
                or (previous is not None and not (previous.tail or "").strip()
                    and (previous.tag in _AROUND_BREAKS or previous.tag == "br" and _break_follows(previous)))):
            _remove(br)
    for br in reversed(breaks):  # backwards: each trailing one in turn
        following = br.getnext()
        parent = br.getparent()
        if parent is not None and not (br.tail or "").strip() and (
                following is None and parent.tag in _AROUND_BREAKS or following is not None
                and following.tag in _AROUND_BREAKS):
            _remove(br)


_AROUND_BREAKS = frozenset((*_BLOCKS, "figure", "ul", "ol", "table", "hr", "pre"))


def _break_follows(br) -> bool:
    """Whether ``br`` comes right after another line break: with it, one empty line."""
    previous = br.getprevious()
    return previous is not None and previous.tag == "br" and not (previous.tail or "").strip()


_PICTURE_FILE = re.compile(rf"(?:{'|'.join(map(re.escape, PICTURE_EXTENSIONS))})(?:[?#].*)?$", re.IGNORECASE)


def _figure(images, caption: str):
    """A figure of the images, each still linking to its full size when the
    source linked it to a picture file (Minghui shows a thumbnail that
    opens the large picture). The link is named by the caption, or the
    picture's alt text, or the file's name, for a reader that cannot see
    the picture."""
    figure = etree.Element("figure")
    for img in images:
        link = img.getparent()
        href = link.get("href", "") if link is not None and link.tag == "a" else ""
        if href and _PICTURE_FILE.search(href) and href != img.get("src"):
            name = caption or (img.get("alt") or "").strip() or urllib.parse.unquote(href.rsplit("/", 1)[-1])
            etree.SubElement(figure, "a", href=href, title=name).append(_clone_img(img))
        else:
            figure.append(_clone_img(img))
    if caption:
        figure.append(_element("figcaption", caption))
    return figure


def _clone_img(img):
    clone = etree.Element("img")
    for key in ("src", "width", "height", "title"):
        if img.get(key):
            clone.set(key, img.get(key))
    clone.set("alt", img.get("alt") or "")
    return clone


def _element(tag: str, text: str):
    element = etree.Element(tag)
    element.text = text
    return element


def _append_text(parent, index: int, text: str) -> None:
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + text


def _remove(element) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


_ALNUM = re.compile(r"[^\W_]")
"""A letter or digit: exactly the characters for which ``str.isalnum()`` is true."""


def _meaningful(element) -> bool:
    """Whether the element's text has a letter or digit."""
    return any(_ALNUM.search(text) for text in element.itertext())


def _text(element, wide: bool = False) -> str:
    """The element's text with each run of whitespace as one space, trimmed.
    (``str.split()`` splits on exactly the characters ``\\s`` matches.) With
    ``wide``, a line break between two Chinese characters is no space, as
    in the body (a caption made of a cell's pretty-printed lines)."""
    if not wide:
        return " ".join("".join(element.itertext()).split())
    text = _BREAK_BESIDE_CJK.sub("", _BREAK_BETWEEN_WIDE.sub("", _text_with_breaks(element)))
    return " ".join(text.replace(_BR, " ").split())


_BR = "\x00"
"""Where a ``<br>`` breaks a text (``_text_with_breaks``): a line break
that is no layout, which the rules that join Chinese text keep."""


def _text_with_breaks(element) -> str:
    """``element``'s text, with ``_BR`` for each ``<br>`` in it."""
    out = []
    for event, node in etree.iterwalk(element, events=("start", "end")):
        if event == "start":
            if node.tag == "br":
                out.append(_BR)
            if isinstance(node.tag, str):
                out.append(node.text or "")
        elif node is not element:
            out.append(node.tail or "")
    return "".join(out)


# --- sanitising ------------------------------------------------------------

def sanitise(fragment: str) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=REMOVED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"img": {"loading": "lazy", "referrerpolicy": "no-referrer",
                                          "decoding": "async"}},
        strip_comments=True,
    )
    return _tidy_whitespace(_sort_attributes(cleaned))


_START_TAG = re.compile(r"<([a-z][a-z0-9]*)((?:\s+[^\s=>/]+=\"[^\"]*\")+)\s*(/?)>")
_ATTRIBUTE = re.compile(r'([^\s=>/]+)="([^"]*)"')


def _sort_attributes(fragment: str) -> str:
    """nh3 emits attributes in hash order, which differs between processes;
    sorted attributes make the output byte-identical across builds. (nh3's
    serialiser always writes ``name="value"``, so a regular expression can
    read its start tags.)"""
    def sort(match: re.Match[str]) -> str:
        attrs = sorted(_ATTRIBUTE.findall(match.group(2)))
        return "<" + match.group(1) + "".join(f' {k}="{v}"' for k, v in attrs) + match.group(3) + ">"
    return _START_TAG.sub(sort, fragment)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src"):
        value = value.strip()
        if tag == "img" and not value.startswith(("http://", "https://")):
            return None  # a relative image path points into the scraped site, not ours
        if tag == "a" and not value.startswith(("http://", "https://", "mailto:", "#")):
            return None
        return value
    if attribute in ("width", "height"):
        return value if re.fullmatch(r"\d{1,4}", value.strip()) else None
    return value


def _tidy_whitespace(fragment: str) -> str:
    fragment = re.sub(r"\n\s*\n+", "\n", fragment)
    fragment = re.sub(r">\s+<", lambda m: ">\n<" if "\n" in m.group(0) else m.group(0), fragment)
    return fragment.strip()


def _strip_wrapper(fragment: str) -> str:
    if fragment.startswith("<div>") and fragment.endswith("</div>"):
        return fragment[5:-6].strip()
    return fragment


_SPACES = re.compile(r"[ \t\u3000]+")


def text_of(fragment: str) -> str:
    """Plain text of cleaned HTML, one line per block. A link in a caption
    that shows its own address (``_media_to_links`` makes those) is no prose:
    it stays out of the text, and so out of summaries and word counts."""
    return _text_and_captions(fragment)[0]


def _text_and_captions(fragment: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """``text_of(fragment)``, the lines of that text that are figure
    captions (a summary leaves them out), and the texts of its links
    (another page's headline is not in the article's language)."""
    if not fragment.strip():
        return "", frozenset(), frozenset()
    tree = parse_fragment(fragment)
    for block in tree.iter(*_BLOCKS, "br", "figure", "tr"):
        block.tail = "\n" + (block.tail or "")
    captions = []
    for caption in tree.iter("figcaption"):
        for link in caption.iter("a"):
            href = link.get("href", "")
            if link.text and not len(link) and link.text in (href, urllib.parse.unquote(href)):
                link.text = ""
        captions.append(caption.text_content())
    # one pass over the whole text: the runs of spaces replaced never cross a line break
    lines = (line.strip() for line in _SPACES.sub(" ", tree.text_content()).split("\n"))
    caption_lines = (line.strip() for line in _SPACES.sub(" ", "\n".join(captions)).split("\n"))
    linked = frozenset(" ".join(text.split()) for a in tree.iter("a") if (text := a.text_content()).strip())
    return ("\n".join(line for line in lines if line), frozenset(line for line in caption_lines if line),
            linked)


def _first_image(fragment: str) -> str | None:
    match = re.search(r'<img[^>]*\bsrc="(https?://[^"]+)"', fragment)
    return html.unescape(match.group(1)) if match else None
