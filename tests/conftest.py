"""Shared pytest helpers: optional external binaries and golden-file regeneration."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest

#: Friendly names used in skip reasons, e.g. "LibreOffice (soffice) not installed".
BINARY_LABELS = {"soffice": "LibreOffice (soffice)", "chromium": "Chromium (chromium)"}
REQUIRE_BINARIES_ENV = "JJJPLAN_REQUIRE_BINARIES"
UPDATE_GOLDEN_ENV = "JJJPLAN_UPDATE_GOLDEN"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help=f"rewrite tests/golden/*.json from the current output (or set {UPDATE_GOLDEN_ENV}=1)",
    )


def require_binary(name: str) -> str:
    """Path of the executable ``name``. Missing: skip the test, or fail it when
    ``JJJPLAN_REQUIRE_BINARIES=1`` (CI must not pass by skipping)."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{BINARY_LABELS.get(name, name)} not installed"
    if os.environ.get(REQUIRE_BINARIES_ENV) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_BINARIES_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


def require_cjk_font() -> str:
    """A CJK font family matplotlib can use (found by :mod:`jjjplan.fonts`). Missing: skip,
    or fail when ``JJJPLAN_REQUIRE_BINARIES=1`` (CI installs fonts-noto-cjk)."""
    from jjjplan.fonts import find_cjk_font

    family = find_cjk_font()
    if family:
        return family
    reason = "no CJK font installed (e.g. fonts-noto-cjk)"
    if os.environ.get(REQUIRE_BINARIES_ENV) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_BINARIES_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", name="require_binary")
def _require_binary_fixture() -> Callable[[str], str]:
    """``require_binary("soffice")`` inside a test or a fixture of any scope."""
    return require_binary


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when golden files should be rewritten instead of compared."""
    return bool(request.config.getoption("--update-golden")) or (
        os.environ.get(UPDATE_GOLDEN_ENV) == "1"
    )
