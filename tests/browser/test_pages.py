"""Every page type in the browser: accessibility (axe-core), visible keyboard
focus, a phone-sized viewport, article images blocked, and screenshots.

Pages are opened from disk (``file://``), as a reader who downloaded the site
does; the network rules of ``open_tab`` apply to each of them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.support import INSTALL_HINT, KINDS, PHONE, in_ci, languages_without_a_font, page_image_urls, unavailable
from tests.conftest import ROOT

SERIOUS = ("serious", "critical")
SCHEMES = ("light", "dark")
AXE_OPTIONS = {
    "light": {"resultTypes": ["violations"], "preload": False},
    # only the colours change in the dark scheme: run just the rules about them
    "dark": {"resultTypes": ["violations"], "preload": False,
             "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}},
}
"""``preload`` would fetch the stylesheets with XMLHttpRequest, which file:// forbids."""
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
README_ARTICLE = "articles/001-ace06215ba7acc5f.html"
"""The article shown in the README: the Epoch Times mirror page, with tags and countries."""

OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width && r.right > width + 0.5 && !e.closest('.skip')) {
      wide.push(`${e.tagName.toLowerCase()}.${e.className} right=${Math.round(r.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: wide.slice(0, 8)};
}"""

FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {tag: e.tagName, text: e.textContent.trim().slice(0, 40), outlineStyle: s.outlineStyle,
          outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow,
          inView: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
                  && r.right <= innerWidth && r.bottom <= innerHeight};
}"""

LINES = """(selector) => {
  const e = document.querySelector(selector);
  const s = getComputedStyle(e);
  return {lines: e.getBoundingClientRect().height / parseFloat(s.lineHeight),
          scrollWidth: e.scrollWidth, clientWidth: e.clientWidth,
          right: e.getBoundingClientRect().right, viewport: document.documentElement.clientWidth};
}"""


def _uri(site: Path, page: str) -> str:
    return (site / page).as_uri()


@pytest.mark.parametrize("kind", KINDS)
def test_no_serious_accessibility_violations_in_light_and_dark(open_tab, site, kinds, kind, axe):
    found = []
    for scheme in SCHEMES:
        tab = open_tab(color_scheme=scheme)
        tab.page.context.add_init_script(script=axe.axe_script)  # once, not per page
        for page in kinds[kind]:
            tab.goto(_uri(site, page))
            for violation in tab.page.evaluate("options => axe.run(document, options)",
                                               AXE_OPTIONS[scheme])["violations"]:
                if violation["impact"] in SERIOUS:
                    targets = [node["target"] for node in violation["nodes"]][:5]
                    found.append(f"{page} ({scheme}): {violation['id']} [{violation['impact']}] "
                                 f"{violation['help']} at {targets}")
        assert tab.problems() == []
    assert found == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("kind", ["home", "article"])
def test_keyboard_focus_is_visible(open_tab, site, kinds, kind, scheme):
    tab = open_tab(color_scheme=scheme)
    tab.goto(_uri(site, kinds[kind][0]))
    for _ in range(3):  # the skip link, the site title, the first navigation link
        tab.page.keyboard.press("Tab")
        focus = tab.page.evaluate(FOCUS_STYLE)
        assert focus["tag"] == "A", focus
        assert ((focus["outlineStyle"] != "none" and focus["outlineWidth"] >= 2)
                or focus["boxShadow"] != "none"), f"focus not visible: {focus}"
        assert focus["inView"], f"focused link is off screen: {focus}"


@pytest.mark.parametrize("kind", KINDS)
def test_phone_viewport_has_no_horizontal_scrolling(open_tab, site, kinds, kind):
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    for page in kinds[kind]:
        tab.goto(_uri(site, page))
        layout = tab.page.evaluate(OVERFLOWING)
        assert layout["scrollWidth"] <= layout["clientWidth"], f"{page}: {layout}"
    assert tab.problems() == []


LONG_UNBROKEN = {
    "te": "ప్రాంతీయబెదిరింపులకువ్యతిరేకంగాఉమ్మడివ్యాయామాలుమరియురక్షణపరిశ్రమలమార్పిడి",
    "zh-Hans": "日本新西兰加强防务合作以应对中俄前所未有的挑战北约提升与日本关系双方建立新伙伴计划" * 2,
}


def test_long_chinese_and_telugu_titles_wrap_on_a_phone(open_tab, site, kinds):
    missing = languages_without_a_font(("zh-cn", "te"))
    if missing:
        unavailable(f"no font for {', '.join(missing)}: {INSTALL_HINT}")
    tab = open_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    seen = set()
    for page in kinds["article"]:
        tab.goto(_uri(site, page))
        language = tab.page.evaluate("document.documentElement.lang")
        if not language.startswith(("zh", "te")):
            continue
        seen.add(language[:2])
        title = tab.page.evaluate(LINES, "h1")
        assert title["lines"] >= 1.9, f"{page}: the long {language} title does not wrap: {title}"
        assert title["right"] <= title["viewport"] and title["scrollWidth"] <= title["clientWidth"], title
        # a title with no space or punctuation at all must break too
        for lang, text in LONG_UNBROKEN.items():
            tab.page.evaluate("([lang, text]) => { const h = document.querySelector('h1');"
                              " h.lang = lang; h.textContent = text; }", [lang, text])
            title = tab.page.evaluate(LINES, "h1")
            layout = tab.page.evaluate(OVERFLOWING)
            assert title["scrollWidth"] <= title["clientWidth"], f"{lang}: {title}"
            assert layout["scrollWidth"] <= layout["clientWidth"], f"{lang}: {layout}"
    assert seen == {"zh", "te"}, "the seeds should hold a Chinese and a Telugu article"
    tab.goto(_uri(site, kinds["home"][0]))
    titles = tab.page.evaluate("[...document.querySelectorAll('.items h2')].map(h => "
                               "[h.getBoundingClientRect().right, h.scrollWidth, h.clientWidth])")
    assert titles and all(right <= PHONE["width"] and sw <= cw for right, sw, cw in titles), titles


def test_article_reads_well_with_its_images_blocked(open_tab, site, kinds, artifacts):
    with_images = [p for p in kinds["article"] if page_image_urls(site / p)]
    assert with_images, "no seed article has an image on another host"
    tab = open_tab()
    for page in with_images:
        tab.goto(_uri(site, page))
        tab.page.locator("[itemprop=articleBody] img").first.scroll_into_view_if_needed()
        tab.page.wait_for_load_state("networkidle")
        body = tab.page.locator("[itemprop=articleBody]")
        assert tab.page.locator("h1").is_visible() and body.is_visible()
        assert len(body.inner_text()) > 200
        box = body.bounding_box()
        assert 400 <= box["width"] <= 800, f"{page}: the text column is {box['width']}px wide"
        for image in tab.page.locator("[itemprop=articleBody] img").all():
            image_box = image.bounding_box()
            assert image_box is None or image_box["width"] <= box["width"] + 0.5, (page, image_box)
        font_size = tab.page.evaluate("parseFloat(getComputedStyle(document.querySelector('[itemprop=articleBody]'))"
                                      ".fontSize)")
        assert font_size >= 16
        layout = tab.page.evaluate(OVERFLOWING)
        assert layout["scrollWidth"] <= layout["clientWidth"], f"{page}: {layout}"
    assert tab.blocked_images, "the article images should have been requested, and blocked"
    tab.page.screenshot(path=artifacts / "article-images-blocked.png", full_page=True)
    assert tab.problems() == []


def _publish(screenshot: Path, name: str) -> None:
    """Copy a screenshot to docs/screenshots/ for the README, unless in CI
    (a throw-away clone) or unchanged."""
    if in_ci() or os.environ.get("KEEP_DOCS_SCREENSHOTS"):
        return
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = DOCS_SCREENSHOTS / name
    if not target.is_file() or target.read_bytes() != screenshot.read_bytes():
        shutil.copyfile(screenshot, target)


def test_screenshots_of_every_page_type(open_tab, site, kinds, artifacts):
    for scheme in SCHEMES:
        tab = open_tab(color_scheme=scheme)
        for kind in KINDS:
            page = README_ARTICLE if kind == "article" and README_ARTICLE in kinds["article"] else kinds[kind][0]
            tab.goto(_uri(site, page))
            suffix = "" if scheme == "light" else "-dark"
            tab.page.screenshot(path=artifacts / f"{kind}{suffix}.png", full_page=True)
            if scheme == "light" and kind in ("home", "article"):
                readme_shot = artifacts / f"readme-{kind}.png"
                tab.page.screenshot(path=readme_shot)  # the first screen, as a visitor sees it
                _publish(readme_shot, f"{kind}.png")
        assert tab.problems() == []
    phone = open_tab(viewport=PHONE, is_mobile=True, has_touch=True)
    for kind in ("home", "article"):
        phone.goto(_uri(site, kinds[kind][0]))
        phone.page.screenshot(path=artifacts / f"{kind}-phone.png", full_page=True)
    assert phone.problems() == []
    assert len(list(artifacts.glob("*.png"))) >= 2 * len(KINDS)
