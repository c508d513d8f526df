"""End to end: the Voilà app in headless Debian Chromium, driven by Playwright.

Serves the packaged dashboard notebook on a free 127.0.0.1 port, moves the origin-share
slider the way a planner would (typing into its readout), and checks that the key-figure
table and the displayed ledger chart change. Saves ``docs/dashboard.png``. Never downloads a
browser: Playwright launches /usr/bin/chromium with the machine's offline flags.
"""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from jjjplan.dashboard.serve import notebook_path, voila_command, voila_env

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "dashboard.png"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
KEY_CELL = ".jjj-key-figures td[data-key='bj_shares_received:2035']"
STARTUP_S = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Voilà exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"Voilà did not answer within {STARTUP_S}s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def chromium(require_binary) -> str:
    return require_binary("chromium")


@pytest.fixture(scope="module")
def voila_url(chromium, tmp_path_factory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("voila")
    port = _free_port()
    log = workdir / "voila.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            voila_command(port, notebook=notebook_path()),
            env=voila_env(None, workdir=workdir),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _type_into_readout(page, css: str, value: str) -> None:
    """Set a slider the way a planner can: edit its readout and press Enter."""
    readout = page.locator(f"{css} .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def _number(text: str) -> float:
    return float(re.match(r"\s*([-+]?[\d,.]+)", text).group(1).replace(",", ""))


def test_slider_move_updates_the_figures(voila_url, chromium, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a new, empty profile
            executable_path=chromium,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1440, "height": 1350},
        )
        try:
            page = context.new_page()
            page.goto(voila_url, timeout=STARTUP_S * 1000)
            page.wait_for_selector(KEY_CELL, timeout=STARTUP_S * 1000)
            assert page.locator(".jjj-chart-gaps").get_attribute("src")
            before = page.inner_text(KEY_CELL)

            page.locator(".lm-TabBar-tab").nth(3).click()  # 财政账户 Fiscal ledger
            ledger = page.locator(".jjj-chart-ledger")
            page.wait_for_function(
                "el => !!el.getAttribute('src')", arg=ledger.element_handle(), timeout=20000
            )
            ledger_src = ledger.get_attribute("src")

            _type_into_readout(page, ".jjj-reform-origin-share", "20")
            page.wait_for_function(
                "([css, old]) => document.querySelector(css).innerText !== old",
                arg=[KEY_CELL, before],
                timeout=20000,
            )
            page.wait_for_function(
                "([el, old]) => el.getAttribute('src') !== old",
                arg=[ledger.element_handle(), ledger_src],
                timeout=20000,
            )
            after = page.inner_text(KEY_CELL)
            assert _number(after) < _number(before)  # Beijing keeps less of the shared tax

            # a picture for the docs: raise pole investment and show the gap chart
            page.locator(".lm-TabBar-tab").nth(0).click()
            page.get_by_text("增长极 Growth poles").first.click()
            page.wait_for_selector(".jjj-poles-investment .widget-readout", state="visible")
            gaps_src = page.locator(".jjj-chart-gaps").get_attribute("src")
            _type_into_readout(page, ".jjj-poles-investment", "3")
            page.wait_for_function(
                "([css, old]) => document.querySelector(css).getAttribute('src') !== old",
                arg=[".jjj-chart-gaps", gaps_src],
                timeout=20000,
            )
            assert "[error]" not in page.inner_text(".jjj-log")
            assert "Error" not in page.inner_text(".jjj-log")
            time.sleep(0.5)  # let the image paint
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            context.close()
    assert SCREENSHOT.stat().st_size > 10_000
