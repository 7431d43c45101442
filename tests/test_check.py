"""`build check`: clean on a fresh seed build; each kind of damage is listed
and makes the command exit non-zero."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from builder import check, cli
from builder.check import find_validator, run_check
from tests.browser.support import INSTALL_HINT, unavailable
from tests.conftest import BASE_URL, ROOT, make_settings


@pytest.fixture
def damaged(seed_site: Path, tmp_path: Path) -> Path:
    """A copy of the seed site to break (the session's seed site is shared)."""
    return Path(shutil.copytree(seed_site, tmp_path / "site"))


@pytest.fixture
def no_vnu(monkeypatch):
    """Audits without the (slow to start) HTML validator."""
    monkeypatch.setattr(check, "find_validator", lambda roots=(): None)


def _check(site: Path, capsys) -> tuple[int, str]:
    code = run_check(make_settings(ROOT / "content", site, base_url=BASE_URL))
    return code, capsys.readouterr().out


def _first_article(site: Path) -> Path:
    return sorted((site / "articles").glob("*.html"))[0]


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_fresh_seed_build_is_clean_including_html_validity(seed_site, capsys):
    if find_validator([ROOT]) is None:
        unavailable(f"the Nu HTML Checker needs java and vnu.jar: {INSTALL_HINT}")
    code, out = _check(seed_site, capsys)
    assert (code, out) == (0, "")


def test_clean_site_says_so_unless_quiet(seed_site, capsys, no_vnu):
    settings = make_settings(ROOT / "content", seed_site, base_url=BASE_URL, quiet=False)
    assert run_check(settings) == 0
    out = capsys.readouterr().out
    assert "no problems" in out and "HTML validation skipped" in out


def test_broken_link_is_listed(damaged, capsys, no_vnu):
    article = _first_article(damaged).name
    _edit(damaged / "index.html", f'href="articles/{article}"', 'href="articles/no-such-article.html"')
    code, out = _check(damaged, capsys)
    assert code == 1
    assert re.search(r"^  1\. index\.html: a\.href 'articles/no-such-article\.html': no such file", out, re.M), out


def test_deleted_page_is_listed_from_every_page_that_links_to_it(damaged, capsys, no_vnu):
    (damaged / "tags" / "index.html").unlink()
    code, out = _check(damaged, capsys)
    assert code == 1
    assert "index.html: a.href 'tags/index.html': no such file 'tags/index.html'" in out
    assert "articles/" in out  # every page's navigation links to it


def test_folder_and_root_absolute_links_are_listed(damaged, capsys, no_vnu):
    _edit(damaged / "index.html", 'href="tags/index.html"', 'href="tags/"')
    _edit(damaged / "index.html", 'href="countries/index.html"', 'href="/countries/index.html"')
    code, out = _check(damaged, capsys)
    assert code == 1
    assert "a.href 'tags/': links to a folder" in out
    assert "a.href '/countries/index.html': root-absolute link" in out


def test_missing_fragment_target_is_listed(damaged, capsys, no_vnu):
    _edit(damaged / "index.html", 'href="#main"', 'href="#nowhere"')
    code, out = _check(damaged, capsys)
    assert code == 1 and "no element with id 'nowhere'" in out


def test_corrupt_json_ld_is_listed(damaged, capsys, no_vnu):
    page = _first_article(damaged)
    _edit(page, '"@type": "NewsArticle",', '"@type": "NewsArticle",,')
    code, out = _check(damaged, capsys)
    assert code == 1
    assert f"articles/{page.name}: JSON-LD script 1 is not valid JSON" in out


def test_json_ld_without_required_fields_is_listed(damaged, capsys, no_vnu):
    page = _first_article(damaged)
    text = page.read_text(encoding="utf-8")
    match = re.search(r'(<script type="application/ld\+json">)(.*?)(</script>)', text, re.S)
    data = json.loads(match.group(2))
    for key in ("headline", "contentLocation"):
        del data[key]
    data["identifier"] = "not a hash"
    page.write_text(text.replace(match.group(2), json.dumps(data)), encoding="utf-8")
    code, out = _check(damaged, capsys)
    assert code == 1
    for problem in ("headline missing", "identifier should hold the raw file's SHA-256",
                    "contentLocation missing"):
        assert problem in out


def test_missing_article_body_is_listed(damaged, capsys, no_vnu):
    page = _first_article(damaged)
    _edit(page, 'itemprop="articleBody"', 'class="was-body"')
    code, out = _check(damaged, capsys)
    assert code == 1 and 'expected one element with itemprop="articleBody", found 0' in out


def test_broken_feed_and_relative_feed_link_are_listed(damaged, capsys, no_vnu):
    atom = damaged / "feeds" / "atom.xml"
    atom.write_bytes(atom.read_bytes()[:-20])
    rss = damaged / "feeds" / "rss.xml"
    _edit(rss, f"<link>{BASE_URL}articles/", "<link>articles/")
    code, out = _check(damaged, capsys)
    assert code == 1
    assert "feeds/atom.xml: not well-formed XML" in out
    assert "feeds/rss.xml: item 1: link 'articles/" in out


def test_invalid_html_is_listed_by_the_nu_checker(damaged, capsys):
    if find_validator([ROOT]) is None:
        unavailable(f"the Nu HTML Checker needs java and vnu.jar: {INSTALL_HINT}")
    _edit(damaged / "index.html", "<main id=\"main\">", "<main id=\"main\"><p><div>block in p</p>")
    code, out = _check(damaged, capsys)
    assert code == 1 and re.search(r"index\.html:\d+: HTML: ", out), out


def test_build_check_command_exit_code(damaged, monkeypatch, capsys, no_vnu):
    monkeypatch.chdir(ROOT)
    assert cli.main(["check", "--out", str(damaged), "--quiet"]) == 0
    (damaged / "sources" / "index.html").unlink()
    assert cli.main(["check", "--out", str(damaged), "--quiet"]) == 1
    assert "sources/index.html" in capsys.readouterr().out


def test_options_before_the_command_are_not_forgotten(damaged, monkeypatch, capsys, no_vnu):
    monkeypatch.chdir(ROOT)
    (damaged / "sources" / "index.html").unlink()
    assert cli.main(["--out", str(damaged), "--quiet", "check"]) == 1
    assert "sources/index.html" in capsys.readouterr().out


def test_missing_site_is_a_problem(tmp_path, capsys, no_vnu):
    code, out = _check(tmp_path / "nothing", capsys)
    assert code == 1 and "no built site here" in out


def test_check_lists_content_files_a_build_would_skip(tmp_path):
    from builder.check import check_content
    from tests.conftest import copy_seeds
    content = copy_seeds(tmp_path / "content")
    assert check_content(content) == []
    (content / "image.bin").write_bytes(b"\x00\x01\x02")
    (content / "000_9b25765c4741cd75.meta.toml").write_text("title = [\n", encoding="utf-8")
    problems = [str(p) for p in check_content(content)]
    assert any(p.startswith("content/image.bin: [read] binary") for p in problems), problems
    assert any(p.startswith("content/000_9b25765c4741cd75.meta.toml:1") for p in problems), problems
