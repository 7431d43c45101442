"""Site settings: defaults, the settings file in ``content/``, and flags.

Precedence, lowest first: the defaults below, ``content/site.toml``, the
environment (``GITHUB_REPOSITORY`` in GitHub Actions gives a base URL when none
is set), then command-line flags.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from builder.errors import ConfigError

SETTINGS_FILE = "site.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a build needs to know besides the content itself."""

    title: str = "News Archive"
    description: str = "Archived news articles, cleaned and attributed."
    base_url: str = ""
    """Absolute URL the site is published at, ending in ``/``; empty when unknown.
    Pages never need it (all their links are relative); feeds and the sitemap do."""
    language: str = "en"
    """Interface language (BCP 47) for labels and country names."""
    items_per_page: int = 30
    feed_items: int = 50
    """How many newest articles each feed holds."""
    root: Path = Path(".")
    """The project folder; the paths below are relative to it unless absolute."""
    content_dir: Path = Path("content")
    templates_dir: Path = Path("templates")
    static_dir: Path = Path("static")
    out_dir: Path = Path("site")
    cache_dir: Path = Path(".archive-cache")
    jobs: int = 0
    """Worker processes for per-article work; 0 means one per core."""
    strict: bool = False
    quiet: bool = False

    def path(self, name: str) -> Path:
        value: Path = getattr(self, name)
        return value if value.is_absolute() else (self.root / value)

    def shaping(self) -> tuple:
        """The settings that shape the site's files (not where the folders
        are, nor how the build runs)."""
        return tuple(getattr(self, key) for key in sorted(_FILE_KEYS))

    @property
    def workers(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)


_FILE_KEYS = {"title", "description", "base_url", "language", "items_per_page", "feed_items"}


def load_settings(root: Path, overrides: dict[str, object] | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Read the settings file of the content folder and apply ``overrides``.

    ``overrides`` holds flag values (``None`` means "not given").
    Raises ``ConfigError`` naming the file and key when a value is wrong.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    environ = os.environ if environ is None else environ
    settings = Settings(root=root)
    if "content_dir" in overrides:
        settings = replace(settings, content_dir=Path(overrides["content_dir"]))
    settings_path = settings.path("content_dir") / SETTINGS_FILE
    if settings_path.is_file():
        settings = replace(settings, **_read_settings_file(settings_path))
    types = {f.name: f.type for f in fields(Settings)}
    for key, value in overrides.items():
        if key not in types:
            raise ConfigError(f"unknown setting {key!r}")
        if types[key] == "Path":
            value = Path(value)
        settings = replace(settings, **{key: value})
    if not settings.base_url:
        settings = replace(settings, base_url=_base_url_from_github(environ))
    return replace(settings, base_url=_normalise_base_url(settings.base_url))


def _read_settings_file(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _FILE_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                          f"expected some of {', '.join(sorted(_FILE_KEYS))}")
    for key in ("items_per_page", "feed_items"):
        if key in data and (not isinstance(data[key], int) or isinstance(data[key], bool) or data[key] < 1):
            raise ConfigError(f"{path}: {key} must be a whole number of at least 1, not {data[key]!r}")
    for key in ("title", "description", "base_url", "language"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{path}: {key} must be a string, not {data[key]!r}")
    return data


def _base_url_from_github(environ: dict[str, str]) -> str:
    """``https://OWNER.github.io/REPO/`` when building in GitHub Actions."""
    repo = environ.get("GITHUB_REPOSITORY", "")
    if environ.get("GITHUB_ACTIONS") != "true" or "/" not in repo:
        return ""
    owner, name = repo.split("/", 1)
    if name.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{name}/"


def _normalise_base_url(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"base URL must start with http:// or https://, not {url!r}")
    return url if url.endswith("/") else url + "/"
