"""Settings: defaults, the settings file, flags and the GitHub Pages base URL."""


import pytest

from builder.config import load_settings
from builder.errors import ConfigError


def test_every_setting_has_a_default(tmp_path):
    settings = load_settings(tmp_path, {"content_dir": str(tmp_path)}, environ={})
    assert settings.title and settings.items_per_page > 0 and settings.feed_items > 0
    assert settings.base_url == ""


def test_settings_file_then_flags(tmp_path):
    (tmp_path / "site.toml").write_text('title = "Mirror"\nitems_per_page = 7\n', encoding="utf-8")
    settings = load_settings(tmp_path, {"content_dir": str(tmp_path), "base_url": "https://x.org/a"}, environ={})
    assert settings.title == "Mirror" and settings.items_per_page == 7
    assert settings.base_url == "https://x.org/a/"


def test_base_url_from_github_actions(tmp_path):
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "Owner/news-archive"}
    settings = load_settings(tmp_path, {"content_dir": str(tmp_path)}, environ=env)
    assert settings.base_url == "https://owner.github.io/news-archive/"
    user_site = load_settings(tmp_path, {"content_dir": str(tmp_path)},
                              environ={"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "owner/owner.github.io"})
    assert user_site.base_url == "https://owner.github.io/"


def test_flag_wins_over_github(tmp_path):
    env = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r"}
    settings = load_settings(tmp_path, {"content_dir": str(tmp_path), "base_url": "https://news.example/"}, environ=env)
    assert settings.base_url == "https://news.example/"


@pytest.mark.parametrize("text, message", [
    ("items_per_page = 0\n", "items_per_page"),
    ("titel = 'x'\n", "unknown setting"),
    ("title = [\n", "not valid TOML"),
    ("base_url = 'ftp://x'\n", "http"),
])
def test_bad_settings_name_the_file_and_what_was_expected(tmp_path, text, message):
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, {"content_dir": str(tmp_path)}, environ={})
