"""The rule for missing tools: a failure in CI, a skip with a reason elsewhere."""

from __future__ import annotations

import pytest

from tests.browser.support import unavailable


@pytest.mark.parametrize("value", ["true", "1"])
def test_missing_tool_fails_in_ci(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="no Chromium.*CI=true"):
        unavailable("no Chromium")


def test_missing_tool_skips_on_a_laptop(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no Chromium"):
        unavailable("no Chromium")
