"""Reading raw files: the walk, decoding, sidecars and the provenance manifest."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from builder.errors import InputError
from builder.models import SourceFile
from builder.read import decode, find_sources, read_manifest, read_sidecar, read_source, sidecar_rel

TEXT = "【大纪元2023年07月12日讯】北约与日本将再次提升双边关系。"


def _source(raw: bytes, name: str = "a.md") -> SourceFile:
    return SourceFile(name, raw, "0" * 64)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "gbk"])
def test_simplified_chinese_is_decoded_from_any_common_encoding(encoding):
    assert decode(_source(TEXT.encode(encoding))) == TEXT


def test_traditional_chinese_big5_is_detected():
    text = "北約提升與日本關係，雙方建立新夥伴計劃。日本首相岸田文雄表示歡迎。" * 3
    assert decode(_source(text.encode("big5"))) == text


def test_utf16_big_endian_with_bom():
    assert decode(_source(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"))) == TEXT


def test_text_is_normalised_to_nfc_with_unix_line_ends():
    assert decode(_source("Cafe\u0301\r\nline two\r".encode())) == "Caf\u00e9\nline two\n"


def test_control_characters_that_xml_forbids_are_dropped():
    assert decode(_source("a\x01b\x0bc\x1bd\te\n".encode())) == "abcd\te\n"


@pytest.mark.parametrize("raw", [b"", b"   \n\t\n"])
def test_empty_file_is_an_input_error_naming_the_file(raw):
    with pytest.raises(InputError) as error:
        decode(_source(raw, "news/empty.md"))
    assert error.value.path == "news/empty.md"
    assert "empty" in error.value.message


def test_binary_file_is_an_input_error():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    with pytest.raises(InputError) as error:
        decode(_source(png, "image.png"))
    assert "binary" in error.value.message and error.value.stage == "read"


def test_walk_is_sorted_and_skips_settings_sidecars_and_hidden_files(tmp_path):
    for name in ("b.md", "a.txt", "sub/c.html", "site.toml", "a.meta.toml", ".hidden.md",
                 ".git/x.md", "topics.toml", "MANIFEST.tsv"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in find_sources(tmp_path)]
    assert found == ["a.txt", "b.md", "sub/c.html"]


@pytest.mark.parametrize("rel, expected", [
    ("a.md", "a.meta.toml"), ("dir/b.c.md", "dir/b.c.meta.toml"), ("dir.x/c", "dir.x/c.meta.toml"),
    ("d.", "d..meta.toml"), ("e.md", "e.md.meta.toml"), ("f.md", None),
])
def test_sidecar_is_found_beside_its_article_by_stem_or_full_name(rel, expected):
    sidecars = {"a.meta.toml", "dir/b.c.meta.toml", "dir.x/c.meta.toml", "d..meta.toml", "e.md.meta.toml",
                "dir/f.meta.toml"}
    assert sidecar_rel(rel, sidecars) == expected


def test_sidecar_fields_are_read(tmp_path):
    (tmp_path / "a.md").write_text("# T\n\nbody", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text('title = "Better title"\ntags = ["NATO"]\ndate = 2023-07-12\n',
                                          encoding="utf-8")
    source = read_source(tmp_path, tmp_path / "a.md")
    assert source.sidecar_dict == {"title": "Better title", "tags": ["NATO"], "date": "2023-07-12"}


def test_malformed_sidecar_names_the_file_and_line(tmp_path):
    (tmp_path / "a.md").write_text("# T\n\nbody", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text('title = "ok"\ntags = [unquoted]\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_sidecar(tmp_path, tmp_path / "a.md")
    assert error.value.path == "a.meta.toml"
    assert error.value.line == 2
    assert "a.meta.toml:2" in str(error.value)


def test_sidecar_with_unknown_or_mistyped_field_is_rejected(tmp_path):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text('titel = "typo"\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown sidecar field 'titel'"):
        read_sidecar(tmp_path, tmp_path / "a.md")
    (tmp_path / "a.meta.toml").write_text('tags = "NATO"\n', encoding="utf-8")
    with pytest.raises(InputError, match="must be a list of strings"):
        read_sidecar(tmp_path, tmp_path / "a.md")
    (tmp_path / "a.meta.toml").write_text('listed = "yes"\n', encoding="utf-8")
    with pytest.raises(InputError, match="'listed' must be true or false, not 'yes'"):
        read_sidecar(tmp_path, tmp_path / "a.md")
    (tmp_path / "a.meta.toml").write_text('listed = true\n', encoding="utf-8")
    assert read_sidecar(tmp_path, tmp_path / "a.md") == {"listed": True}


def test_a_sidecar_source_url_must_be_a_web_address(tmp_path):
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text('source_url = "https:///example.org/story "\n', encoding="utf-8")
    assert read_sidecar(tmp_path, tmp_path / "a.md") == {"source_url": "https://example.org/story"}
    (tmp_path / "a.meta.toml").write_text('source_url = "example.org/story"\n', encoding="utf-8")
    with pytest.raises(InputError, match="'source_url' must be an http\\(s\\) address") as error:
        read_sidecar(tmp_path, tmp_path / "a.md")
    assert error.value.path == "a.meta.toml" and "a.md skipped" in str(error.value)


def _sidecar_of_a(tmp_path: Path, field: str, value: str) -> dict[str, object]:
    """``read_sidecar`` of an article ``a.md`` whose sidecar sets one string field."""
    (tmp_path / "a.md").write_text("x", encoding="utf-8")
    (tmp_path / "a.meta.toml").write_text(f'{field} = "{value}"\n', encoding="utf-8")
    return read_sidecar(tmp_path, tmp_path / "a.md")


@pytest.mark.parametrize("field, given, read", [
    ("language", "EN", "en"), ("language", "zh-hans", "zh-Hans"), ("language", "ZH-HANT-tw", "zh-Hant-TW"),
    ("language", "pt_br", "pt-BR"), ("language", "es-419", "es-419"), ("language", "de-CH-1996", "de-CH-1996"),
    ("language", "en-US-x-TWAIN", "en-US-x-twain"), ("language", " te ", "te"), ("language", "", ""), ("language", "   ", ""),
    ("slug", "a", "a"), ("slug", "x/y", "x/y"), ("slug", "新闻/标题", "新闻/标题"), ("slug", "a b", "a b"), ("slug", "", "")])
def test_a_sidecar_language_is_a_tag_in_its_usual_case_and_a_slug_as_given(tmp_path, field, given, read):
    assert _sidecar_of_a(tmp_path, field, given) == {field: read}


@pytest.mark.parametrize("field, given", [
    *(("language", tag) for tag in ["English", "e", "en--us", "zh Hans", "中文"]),
    *(("slug", slug) for slug in ["x//y", "../a", "./a", "a/", "/a", "a\\\\b", " "])])
def test_a_sidecar_language_that_is_no_tag_or_a_slug_that_names_no_page_of_its_own_is_rejected(tmp_path, field,
                                                                                                 given):
    expected = {"language": "a BCP 47 language tag", "slug": "a path of names under articles/"}[field]
    with pytest.raises(InputError, match=f"'{field}' must be {expected}") as error:
        _sidecar_of_a(tmp_path, field, given)
    assert error.value.path == "a.meta.toml" and "a.md skipped" in str(error.value)


def test_manifest_gives_provenance_by_path_and_checks_the_hash(tmp_path):
    (tmp_path / "owner" / "repo" / "pages").mkdir(parents=True)
    article = tmp_path / "owner" / "repo" / "pages" / "n1.md"
    article.write_text("# T\n\nbody\n", encoding="utf-8")
    import hashlib
    sha = hashlib.sha256(article.read_bytes()).hexdigest()
    (tmp_path / "MANIFEST.tsv").write_text(
        f"repo\tcommit\tpath\tsha256\nowner/repo\tabc123\tpages/n1.md\t{sha}\n", encoding="utf-8")
    manifest = read_manifest(tmp_path)
    entry = manifest["owner/repo/pages/n1.md"]
    assert read_source(tmp_path, article, entry).provenance_dict["commit"] == "abc123"
    article.write_text("# T\n\nedited\n", encoding="utf-8")
    assert read_source(tmp_path, article, entry).provenance_dict == {}
