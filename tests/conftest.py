"""Shared fixtures: sites built from the seeds and from a real corpus sample.

Builds go to temporary folders; the repository's own site/ is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.build import build
from builder.config import load_settings
from builder.write import wait_for_removals

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BASE_URL = "https://example.org/archive/"


def make_settings(content: Path, out: Path, **overrides):
    """Settings for a test build of ``content`` into ``out`` with the project's
    templates and static files."""
    values = {"content_dir": str(content), "out_dir": str(out), "jobs": 1, "quiet": True,
              "cache_dir": str(Path(out).parent / ".archive-cache")}
    values.update(overrides)
    settings = load_settings(ROOT, values, environ={})
    return settings


def profile_named(name: str):
    """The source profile of that name (``builder/profiles``)."""
    from builder.profiles import load_profiles
    return next(p for p in load_profiles() if p.name == name)


def copy_seeds(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted((ROOT / "content").iterdir()):
        if path.is_file():
            shutil.copy2(path, target / path.name)
    return target


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: its POSIX path under it → its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def user_cache(tmp_path_factory) -> Path:
    """The tests' own user cache folder, never the real one: the builds of
    the whole run share the country matcher kept there, as a user's
    projects do."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder / "archive-builder"


@pytest.fixture(autouse=True)
def removals_end_with_the_test():
    """A build's remover process (``write.remove``) deletes its trash while
    the tests go on: each test waits for those it started, so that none is
    still at work in a folder being cleaned up."""
    yield
    wait_for_removals(timeout=60)


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The five seeds built with a base URL, as a user would publish them."""
    work = tmp_path_factory.mktemp("seed-site")
    out = work / "site"
    build(make_settings(ROOT / "content", out, base_url=BASE_URL))
    return out


@pytest.fixture(scope="session")
def corpus_site(tmp_path_factory) -> Path:
    """The real corpus sample in tests/fixtures/corpus built with a base URL."""
    work = tmp_path_factory.mktemp("corpus-site")
    out = work / "site"
    build(make_settings(FIXTURES / "corpus", out, base_url=BASE_URL, jobs=2))
    return out
