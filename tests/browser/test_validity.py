"""Every page of the seed site is valid HTML for the Nu HTML Checker (vnu.jar)."""

from __future__ import annotations

from builder.check import site_pages, validate_html


def test_every_page_is_valid_html(site, kinds, validator):
    pages = site_pages(site)
    assert {p for paths in kinds.values() for p in paths} <= set(pages)
    errors = validate_html(validator, [site / p for p in pages])  # one java start for the seed site
    report = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}"
              f"  [{m.get('extract', '').strip()[:80]}]" for m in errors]
    assert not report, f"{len(report)} HTML error(s):\n" + "\n".join(report)


def test_numbered_list_pages_are_valid_html(tmp_path, validator):
    """The seeds at two a page: the home page, a page of dated articles and
    a page of undated ones, with their navigation."""
    from tests.conftest import copy_seeds, make_settings
    from builder.build import build

    content = copy_seeds(tmp_path / "content")
    (content / "site.toml").write_text("items_per_page = 2\n", encoding="utf-8")
    (content / "new.meta.toml").write_text('title = "New"\ndate = "2099-01-01"\n', encoding="utf-8")
    (content / "new.md").write_text("New\n\nA newer story.\n", encoding="utf-8")
    site = tmp_path / "site"
    build(make_settings(content, site))
    pages = [site / "index.html", site / "page" / "1.html", site / "page" / "undated-1.html"]
    assert all(page.is_file() for page in pages)
    errors = validate_html(validator, pages)
    assert not errors, [(m.get("url", "").rsplit("/", 1)[-1], m.get("message")) for m in errors]
