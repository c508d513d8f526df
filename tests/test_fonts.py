"""CJK font lookup (jjjplan.fonts): found despite a stale matplotlib cache, in the folders
of each platform (Windows/macOS paths exercised by monkeypatching), and no font is a notice,
not an error."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jjjplan import fonts, subprocesses

font_manager = pytest.importorskip("matplotlib.font_manager")


def _is_cjk(entry) -> bool:
    return fonts._pick_family({entry.name}) is not None


@pytest.fixture
def stale_matplotlib(monkeypatch):
    """matplotlib's font list as a cache built before any CJK font was installed."""
    manager = font_manager.fontManager
    monkeypatch.setattr(manager, "ttflist", [f for f in manager.ttflist if not _is_cjk(f)])
    fonts.find_cjk_font.cache_clear()
    yield manager
    fonts.find_cjk_font.cache_clear()


@pytest.fixture
def a_cjk_font_file() -> Path:
    files = fonts.cjk_font_files()
    if not files:
        import os

        from conftest import REQUIRE_BINARIES_ENV

        if os.environ.get(REQUIRE_BINARIES_ENV) == "1":
            pytest.fail("no CJK font file found, but CI requires one", pytrace=False)
        pytest.skip("no CJK font installed (e.g. fonts-noto-cjk)")
    return files[0]


def test_a_stale_matplotlib_cache_does_not_hide_an_installed_font(
    stale_matplotlib, a_cjk_font_file
) -> None:
    assert fonts._pick_family({f.name for f in stale_matplotlib.ttflist}) is None
    family = fonts.find_cjk_font()
    assert family is not None
    assert family in {f.name for f in stale_matplotlib.ttflist}  # matplotlib can now use it
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert Path(found).suffix.lower() in {".ttf", ".ttc", ".otf"}


def test_no_cjk_font_anywhere_is_a_notice_and_english_labels(stale_matplotlib, monkeypatch) -> None:
    monkeypatch.delenv(fonts.FONT_FILE_ENV, raising=False)
    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [])
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    assert fonts.find_cjk_font() is None
    assert fonts.chart_lang("zh", None) == "en"
    notice = fonts.font_notice()
    assert notice.startswith("提示") and "notice: no CJK font found" in notice
    notice.encode("gbk")  # printable on a Chinese Windows console


def test_a_font_in_a_portable_folder_is_found(
    stale_matplotlib, a_cjk_font_file, tmp_path, monkeypatch
) -> None:
    shutil.copyfile(a_cjk_font_file, tmp_path / a_cjk_font_file.name)
    monkeypatch.setenv(fonts.FONT_DIRS_ENV, str(tmp_path))
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [tmp_path])
    assert fonts.cjk_font_files() == [tmp_path / a_cjk_font_file.name]
    assert fonts.find_cjk_font() is not None


def test_one_font_file_named_by_environment(stale_matplotlib, a_cjk_font_file, monkeypatch) -> None:
    monkeypatch.setenv(fonts.FONT_FILE_ENV, str(a_cjk_font_file))
    assert fonts.cjk_font_files()[0] == a_cjk_font_file


def test_windows_font_folders(monkeypatch, tmp_path) -> None:
    windir, local = tmp_path / "Windows", tmp_path / "Local"
    (windir / "Fonts").mkdir(parents=True)
    (local / "Microsoft" / "Windows" / "Fonts").mkdir(parents=True)
    for name in ("msyh.ttc", "simhei.ttf", "arial.ttf"):
        (windir / "Fonts" / name).write_bytes(b"")
    (local / "Microsoft" / "Windows" / "Fonts" / "NotoSansSC-Regular.otf").write_bytes(b"")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("WINDIR", str(windir))
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.delenv(fonts.FONT_DIRS_ENV, raising=False)
    monkeypatch.delenv(fonts.FONT_FILE_ENV, raising=False)
    monkeypatch.setattr(fonts, "_fontconfig_files", lambda: [])
    assert fonts.system_font_dirs() == [windir / "Fonts", local / "Microsoft/Windows/Fonts"]
    names = [p.name for p in fonts.cjk_font_files()]
    assert names == ["NotoSansSC-Regular.otf", "msyh.ttc", "simhei.ttf"]  # arial has no CJK


def test_macos_font_folders(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    (tmp_path / "Library" / "Fonts").mkdir(parents=True)
    assert tmp_path / "Library/Fonts" in fonts.system_font_dirs()


def test_fc_list_runs_without_a_console_window_on_windows(monkeypatch) -> None:
    seen = {}

    def fake_run(cmd, **kwargs):
        seen.update(kwargs)
        return subprocess.CompletedProcess(cmd, 0, stdout="", stderr="")

    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(shutil, "which", lambda _name: "fc-list.exe")
    monkeypatch.setattr(subprocess, "run", fake_run)
    assert fonts._fontconfig_files() == []
    assert seen["creationflags"] == 0x08000000  # CREATE_NO_WINDOW
    assert subprocesses.no_window()["creationflags"] == 0x08000000


def test_no_window_is_empty_elsewhere(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    assert subprocesses.no_window() == {}
