"""Read stage: find the raw articles under ``content/`` and decode them.

The walk is sorted, so every later stage sees files in the same order. Files
that are not articles (the settings file, sidecars, a topic vocabulary, a
provenance manifest, hidden files) are recognised here by name; every other
file is an article candidate, whatever its extension.

Decoding detects, never assumes: a BOM decides first; then strict UTF-8 (a
file that decodes as UTF-8 without error is, in practice, UTF-8); anything
else goes to charset-normalizer (GB18030/GBK, Big5, ...). Text is normalised to
NFC with ``\\n`` line ends, and the control characters XML 1.0 forbids are
dropped: they carry no meaning in an article and break feeds.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from builder.config import SETTINGS_FILE
from builder.errors import InputError
from builder.models import SourceFile

SIDECAR_SUFFIX = ".meta.toml"
VOCABULARY_FILE = "topics.toml"
MANIFEST_FILE = "MANIFEST.tsv"
_NOT_ARTICLES = {SETTINGS_FILE, VOCABULARY_FILE, MANIFEST_FILE}

SIDECAR_FIELDS = {
    "title": str, "date": str, "source_url": str, "publisher": str, "authors": list,
    "language": str, "tags": list, "countries": list, "slug": str, "listed": bool,
}

_FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def find_sources(content_dir: Path) -> Iterator[Path]:
    """Yield candidate article files under ``content_dir``, sorted by POSIX path."""
    for entry in walk_content(content_dir):
        if entry.kind == "article":
            yield Path(entry.path)


class ContentEntry(NamedTuple):
    """A file under ``content/`` as the walk saw it (a tuple: the walk makes
    one per file, 29,000 at archive scale, on every rebuild)."""

    rel: str
    path: str
    """The file's path as the walk found it (a ``str``: a ``Path`` per file is
    measurably slow at archive scale)."""
    mtime_ns: int
    size: int

    @property
    def kind(self) -> str:
        """``article`` or ``sidecar`` (settings, vocabulary and manifest are not listed)."""
        return "sidecar" if self.rel.endswith(SIDECAR_SUFFIX) else "article"


def walk_content(content_dir: Path) -> list[ContentEntry]:
    """Every article candidate and sidecar under ``content_dir``, sorted by POSIX
    path, with its size and mtime (one ``os.scandir`` walk, no extra stat)."""
    found: list[ContentEntry] = []
    stack = [(str(content_dir), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_dir():
                    stack.append((entry.path, prefix + name + "/"))
                elif entry.is_file() and (prefix or name not in _NOT_ARTICLES):
                    stat = entry.stat()
                    found.append(ContentEntry(prefix + name, entry.path, stat.st_mtime_ns, stat.st_size))
    found.sort()  # by ``rel``, unique
    return found


def sidecar_rel(rel: str, sidecars: set[str]) -> str | None:
    """The sidecar of the article at ``rel`` among the known ``sidecars``:
    ``NAME.meta.toml`` beside ``NAME.md``, or ``NAME.md.meta.toml``."""
    if not sidecars:
        return None
    dot = rel.rfind(".")
    slash = rel.rfind("/")
    stem = rel[:dot] if slash + 1 < dot < len(rel) - 1 else rel  # as PurePosixPath.stem
    for candidate in (stem + SIDECAR_SUFFIX, rel + SIDECAR_SUFFIX):
        if candidate in sidecars:
            return candidate
    return None


def read_source(content_dir: Path, path: Path, provenance: dict[str, str] | None = None) -> SourceFile:
    """Read one raw file and its sidecar. Raises ``InputError`` on a bad sidecar.
    ``provenance`` is the manifest's entry for the file, if any."""
    rel = path.relative_to(content_dir).as_posix()
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    sidecar = read_sidecar(content_dir, path)
    prov = provenance or {}
    if prov.get("sha256") and prov["sha256"] != sha:
        prov = {}  # the manifest describes another version of this file
    return SourceFile(rel_path=rel, raw=raw, sha256=sha,
                      sidecar=tuple(sorted(sidecar.items())),
                      provenance=tuple(sorted(prov.items())))


def sidecar_path(path: Path) -> Path | None:
    """``NAME.meta.toml`` beside ``NAME.ext`` (or ``NAME.ext.meta.toml``)."""
    for candidate in (path.with_name(path.stem + SIDECAR_SUFFIX), path.with_name(path.name + SIDECAR_SUFFIX)):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(content_dir: Path, path: Path) -> dict[str, object]:
    side = sidecar_path(path)
    if side is None:
        return {}
    rel = side.relative_to(content_dir).as_posix()
    article = path.relative_to(content_dir).as_posix()
    try:
        text = side.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise InputError(rel, "read", f"sidecar is not UTF-8 text; {article} skipped") from None
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        number = int(line.group(1)) if line else text.count("\n") + (not text.endswith("\n"))
        raise InputError(rel, "read", f"sidecar is not valid TOML ({exc}); expected key = value "
                         f"lines; {article} skipped", line=number) from None
    for key, value in data.items():
        expected = SIDECAR_FIELDS.get(key)
        if expected is None:
            raise InputError(rel, "read", f"unknown sidecar field {key!r}; expected one of "
                             f"{', '.join(sorted(SIDECAR_FIELDS))}")
        if key == "date" and not isinstance(value, str):
            value = str(value)
            data[key] = value
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            kind = {list: "a list of strings", bool: "true or false"}.get(expected, "a string")
            raise InputError(rel, "read", f"sidecar field {key!r} must be {kind}, not {value!r}")
        if key == "source_url":
            # (imported here: a no-op rebuild walks content/ with this module and extracts nothing)
            from builder.extract import web_url
            url = web_url(value)
            if url is None:
                raise InputError(rel, "read", f"sidecar field 'source_url' must be an http(s) address "
                                 f"with a valid host, not {value!r}; {article} skipped")
            data[key] = url
        if key == "slug" and value and not _page_path(value):
            raise InputError(rel, "read", f"sidecar field 'slug' must be a path of names under articles/ "
                             f"(no empty, '.' or '..' part, no backslash), not {value!r}; {article} skipped")
        if key == "language":
            tag = language_tag(value) if value.strip() else ""  # (blank: the language is detected)
            if tag is None:
                raise InputError(rel, "read", f"sidecar field 'language' must be a BCP 47 language tag such as "
                                 f"'en' or 'zh-Hans', not {value!r}; {article} skipped")
            data[key] = tag
    # control characters written as escapes (\u0001) would reach pages and feeds
    return {k: [_FORBIDDEN_CONTROLS.sub("", v) for v in value] if isinstance(value, list)
            else _FORBIDDEN_CONTROLS.sub("", value) if isinstance(value, str) else value
            for k, value in data.items()}


def _page_path(slug: str) -> bool:
    """Whether a sidecar's ``slug`` names one page under ``articles/``:
    ``x//y`` is ``x/y``'s page, and ``..`` leaves the folder."""
    return all(part.strip() and part not in (".", "..") and "\\" not in part for part in slug.split("/"))


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def language_tag(value: str) -> str | None:
    """``value`` as a BCP 47 language tag in the case RFC 5646 recommends
    (``EN`` → ``en``, ``zh-hans`` → ``zh-Hans``, ``pt_br`` → ``pt-BR``), or
    ``None`` when it is not one. Tags that differ in case only are one
    language, with one page (its address is the tag slugified)."""
    if not _LANGUAGE_TAG.fullmatch(value.strip()):
        return None
    parts = value.strip().replace("_", "-").lower().split("-")
    for i in range(1, len(parts)):
        part = parts[i]
        if len(part) == 1:  # an extension or private use: lower case from here on
            break
        if len(part) == 4 and part.isalpha():
            parts[i] = part.title()  # a script
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            parts[i] = part.upper()  # a region
    return "-".join(parts)


def read_manifest(content_dir: Path) -> dict[str, dict[str, str]]:
    """A provenance manifest (``repo<TAB>commit<TAB>path<TAB>sha256``) maps each
    raw file, by its path ``repo/path`` under ``content/``, to the mirror it was
    taken from."""
    path = content_dir / MANIFEST_FILE
    if not path.is_file():
        return {}
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter="\t")
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        repo, commit, rel, sha = (row.get(k) or "" for k in ("repo", "commit", "path", "sha256"))
        if not repo or not rel:
            continue
        found[f"{repo}/{rel}"] = {"repo": repo, "commit": commit, "path": rel, "sha256": sha.lower()}
    return found


def decode(source: SourceFile) -> str:
    """The text of a raw file. Raises ``InputError`` for empty or binary files."""
    raw = source.raw
    if not raw.strip():
        raise InputError(source.rel_path, "read", "empty file: expected an article's text")
    text = _decode_bytes(raw)
    if text is None:
        raise InputError(source.rel_path, "read",
                         "binary or undecodable file: expected text in UTF-8, UTF-16 (with BOM), "
                         "GB18030/GBK, Big5 or another detectable encoding")
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _FORBIDDEN_CONTROLS.sub("", text)
    if not text.strip():
        raise InputError(source.rel_path, "read", "file holds no text: expected an article")
    return text


def _decode_bytes(raw: bytes) -> str | None:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                          (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in raw:
        return None  # NUL bytes without a UTF-16 BOM: an image, an archive, a binary
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    import charset_normalizer  # here: few files need it, and importing it is a tenth of a no-op rebuild
    best = charset_normalizer.from_bytes(raw).best()
    if best is None or _looks_binary(str(best)):
        return None
    return str(best)


def _looks_binary(text: str) -> bool:
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
    return controls > max(2, len(text) // 100)
