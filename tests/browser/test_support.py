"""The rule for missing tools: a failure in CI, a skip with a reason elsewhere."""

from __future__ import annotations

import shutil

import pytest

from tests.browser.support import languages_without_a_font, unavailable


@pytest.mark.parametrize("value", ["true", "1"])
def test_missing_tool_fails_in_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="no Chromium.*CI=true"):
        unavailable("no Chromium")


def test_missing_tool_skips_on_a_laptop(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        unavailable("no Chromium")


def test_a_language_no_font_covers_is_named():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed")
    assert languages_without_a_font(("xx-none",)) == ["xx-none"]


def test_without_fontconfig_no_language_is_called_missing(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert languages_without_a_font(("xx-none",)) == []
