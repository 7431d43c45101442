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
