"""End to end: ``jjjplan dashboard`` in headless Debian Chromium, driven by Playwright.

One server (started through the CLI, as a planner does) serves every test in this module,
in order, and the last test stops it with SIGTERM. A planner's session is replayed: the
page loads with every non-local request blocked and recorded, slider handles are dragged
with the mouse (release-to-chart time measured in the page), a pole is locked, the
language modes are switched, a scenario is saved under a proposed new name, compared,
saved and exported onto existing files (the page asks; nothing is replaced), a 50 MB
workbook is uploaded, the page is reloaded five times while kernels are counted, and
a screenshot is taken at 1,280 px (``docs/dashboard.png`` when
JJJPLAN_UPDATE_SCREENSHOTS=1). Never downloads a browser: Playwright
launches /usr/bin/chromium with the machine's offline flags.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser_probe import drag, release_timing, summary

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "docs" / "dashboard.png"
#: Set to 1 to refresh the tracked screenshot ``docs/dashboard.png``.
SCREENSHOT_ENV = "JJJPLAN_UPDATE_SCREENSHOTS"
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
WIDTH = 1280
STARTUP_S = 180
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jjjplan dashboard exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "voila/static/voila.js", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"Voilà did not answer within {STARTUP_S}s:\n{log.read_text()[-3000:]}")


class Server:
    """The ``jjjplan dashboard`` process and its working folder."""

    def __init__(self, proc: subprocess.Popen, url: str, workdir: Path, log: Path) -> None:
        self.proc, self.url, self.workdir, self.log = proc, url, workdir, log

    def processes(self) -> list:
        import psutil

        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> list:
        """Kernel processes under the server (ipykernel launched by Voilà)."""
        out = []
        for p in self.processes():
            try:
                if "ipykernel" in " ".join(p.cmdline()):
                    out.append(p)
            except Exception:  # exited while looking
                pass
        return out


@pytest.fixture(scope="module")
def chromium(require_binary) -> str:
    return require_binary("chromium")


@pytest.fixture(scope="module")
def server(chromium, tmp_path_factory) -> Iterator[Server]:
    pytest.importorskip("playwright.sync_api")
    workdir = tmp_path_factory.mktemp("planner")
    port = _free_port()
    log = workdir.parent / f"dashboard-{port}.log"
    code = "import sys; from jjjplan.cli import main; main(sys.argv[1:], prog_name='jjjplan')"
    cmd = [sys.executable, "-c", code, "dashboard", "--port", str(port), "--no-browser"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}/", workdir, log)
    try:
        _wait_http(server.url, proc, log)
        yield server
    finally:
        if proc.poll() is None:
            from jjjplan.dashboard.serve import stop_server

            stop_server(proc)


@pytest.fixture(scope="module")
def browser_page(server, chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def route(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),  # a new, empty profile
            executable_path=chromium,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": WIDTH, "height": 900},
            accept_downloads=True,
        )
        context.route("**/*", route)
        page = context.new_page()
        page.blocked = blocked  # type: ignore[attr-defined]
        try:
            _open(page, server.url)
            yield page
        finally:
            context.close()


def _open(page, url: str) -> None:
    page.goto(url, timeout=STARTUP_S * 1000)
    page.wait_for_selector(KEY_CELL, timeout=STARTUP_S * 1000)
    page.wait_for_selector(".jjj-chart-gaps .scatterlayer .trace path.js-line", timeout=60000)


def _readout(page, css: str) -> float:
    return float(page.locator(f"{css} .widget-readout").first.inner_text().replace(",", ""))


def _number(text: str) -> float:
    return float(re.match(r"\s*([-+]?[\d,.]+)", text).group(1).replace(",", ""))


def _wait_log(page, text: str, timeout: float = 60000) -> None:
    page.wait_for_function(
        "t => (document.querySelector('.jjj-log')?.innerText || '').includes(t)",
        arg=text,
        timeout=timeout,
    )


def _log(page) -> str:
    return page.inner_text(".jjj-log")


def _path_box(page, css: str, value: str) -> None:
    box = page.locator(f"{css} input")
    box.fill(value)
    box.press("Enter")


def _click(page, css: str) -> None:
    page.locator(f"{css}").first.click()


# -- the session ----------------------------------------------------------------------------
def test_page_works_offline_and_fits_1280_px(browser_page):
    page = browser_page
    assert page.blocked == [], f"requests leaving the machine: {page.blocked}"
    header = page.inner_text(".jjj-header")
    assert "京津冀协同发展情景规划" in header and "JJJPLAN_WORKBOOK" not in header
    status = page.inner_text(".jjj-status")
    assert "baseline" in status and "100.0%" in status
    # the key-figures 2035 column is fully on screen, nothing scrolls sideways
    cell = page.locator(".jjj-key-figures td[data-key='theil_t:2035']").bounding_box()
    assert cell["x"] + cell["width"] <= WIDTH
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # chart titles and axis labels drawn by the browser, in Chinese, inside the chart
    chart = page.locator(".jjj-chart-gaps .main-svg").first.bounding_box()
    title = page.locator(".jjj-chart-gaps .gtitle").first
    assert "泰尔指数T" in title.text_content()
    tb = title.bounding_box()
    assert chart["x"] <= tb["x"] and tb["x"] + tb["width"] <= chart["x"] + chart["width"]
    for tick in page.locator(".jjj-chart-gaps .xtick text").all():
        b = tick.bounding_box()
        assert b["y"] + b["height"] <= chart["y"] + chart["height"]
    # hover values and PNG export from plotly's own toolbar
    page.locator(".jjj-chart-gaps .main-svg").first.hover()
    titles = page.eval_on_selector_all(
        ".jjj-chart-gaps .modebar-btn",
        "els => els.map(e => (e.getAttribute('data-title') || e.getAttribute('title') || ''))",
    )
    assert any("png" in t.lower() for t in titles), titles


def test_dragging_a_slider_updates_the_chart(browser_page, record_property, tmp_path):
    page = browser_page
    before = page.inner_text(KEY_CELL)
    line = ".jjj-chart-gaps .scatterlayer .trace path.js-line"
    path_before = page.locator(line).first.get_attribute("d")
    first = release_timing(page, ".jjj-reform-origin-share", -120)
    # the release-to-chart time (issue 13: <= 100 ms) is recorded, never asserted: it
    # depends on the machine's load. More releases, back and forth, for a median.
    samples = [first]
    for k in range(6):
        samples.append(release_timing(page, ".jjj-reform-origin-share", 40 if k % 2 else -40))
    record = {"draws": 0, "samples": samples, "summary": summary(samples)}
    _record_timing(record, "release_to_chart.json", tmp_path, record_property)
    page.wait_for_function(
        "([css, old]) => document.querySelector(css).innerText !== old",
        arg=[KEY_CELL, before],
        timeout=30000,
    )
    assert _number(page.inner_text(KEY_CELL)) < _number(before)  # Beijing keeps less
    assert page.locator(line).first.get_attribute("d") != path_before
    assert _readout(page, ".jjj-reform-origin-share") < 50
    assert "[error]" not in _log(page)


def _record_timing(record: dict, name: str, tmp_path: Path, record_property) -> None:
    """Print the figures and keep them as JSON in the test's folder (and the junit XML)."""
    if hasattr(os, "getloadavg"):
        record["load_average"] = os.getloadavg()[0]
    out = tmp_path / name
    out.write_text(json.dumps(record, indent=1), encoding="utf-8")
    s = record["summary"]
    record_property(name, json.dumps(s))
    from browser_probe import describe

    print(f"\n{describe(record)} -> {out}")


def test_release_to_chart_with_500_draws(browser_page, record_property, tmp_path):
    """Issue 10: the bands of 500 assumption draws redrawn on each release (recorded), in
    the same redraw as the lines."""
    page = browser_page
    page.locator(".jjj-draws select").select_option(index=3)
    page.wait_for_selector(".jjj-p-better b", timeout=60000)
    page.wait_for_timeout(500)
    samples = [
        release_timing(page, ".jjj-reform-origin-share", 40 if k % 2 else -40) for k in range(3)
    ]  # one redraw brings the lines and the bands
    record = {"draws": 500, "samples": samples, "summary": summary(samples)}
    _record_timing(record, "release_to_chart_500_draws.json", tmp_path, record_property)
    fills = page.locator(".jjj-chart-gaps .scatterlayer .trace path.js-fill")
    assert fills.count() >= 2  # 5-95% and 25-75% bands drawn
    page.locator(".jjj-draws select").select_option(index=0)
    page.wait_for_function(
        "() => !document.querySelector('.jjj-p-better').innerText.trim()", timeout=60000
    )
    assert "[error]" not in _log(page)


RANGES = """css => {
    const gd = document.querySelector(css + '.js-plotly-plot')
        || document.querySelector(css + ' .js-plotly-plot');
    return [gd._fullLayout.yaxis.range.slice(), gd._fullLayout.yaxis2.range.slice()];
}"""


def test_the_kernels_y_ranges_are_plotlys_own_autoscale(browser_page):
    """A release moves lines and bands with y ranges computed in the kernel (no full redraw):
    they equal what plotly.js itself finds when the planner presses Autoscale."""
    page = browser_page
    page.locator(".jjj-draws select").select_option(index=1)  # 100 draws: bands on the axis
    page.wait_for_selector(".jjj-p-better b", timeout=60000)
    page.wait_for_timeout(500)
    release_timing(page, ".jjj-reform-origin-share", 40)
    ours = page.evaluate(RANGES, ".jjj-chart-gaps")
    page.evaluate(
        "css => document.querySelector(css + ' .modebar-btn[data-val=\"auto\"]').click()",
        ".jjj-chart-gaps",
    )
    page.wait_for_timeout(500)
    plotlys = page.evaluate(RANGES, ".jjj-chart-gaps")
    for mine, theirs in zip(ours, plotlys, strict=True):
        assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    release_timing(page, ".jjj-reform-origin-share", -40)  # after autoscale: kernel's again
    page.locator(".jjj-draws select").select_option(index=0)
    page.wait_for_function(
        "() => !document.querySelector('.jjj-p-better').innerText.trim()", timeout=60000
    )
    assert "[error]" not in _log(page)


def test_lock_holds_a_pole_while_another_is_dragged(browser_page):
    page = browser_page
    page.get_by_text("增长极 Growth poles").first.click()
    page.wait_for_selector(".jjj-pole-SJZ .noUi-handle", state="visible")
    tianjin = _readout(page, ".jjj-pole-TJ")
    page.locator(".jjj-lock-TJ input").check()
    bd = page.inner_text(".jjj-pole-BD .widget-readout")
    drag(page, ".jjj-pole-SJZ", 60)
    page.wait_for_function(  # the unlocked others give way
        "old => document.querySelector('.jjj-pole-BD .widget-readout').innerText !== old",
        arg=bd,
        timeout=30000,
    )
    assert _readout(page, ".jjj-pole-TJ") == tianjin
    assert _readout(page, ".jjj-pole-SJZ") > 10
    shown = sum(_readout(page, f".jjj-pole-{c}") for c in ("BJ", "TJ", "SJZ", "BD", "TS", "HD"))
    assert shown == pytest.approx(100.0, abs=0.05)
    assert "100.0%" in page.inner_text(".jjj-weight-total")
    assert "100.0%" in page.inner_text(".jjj-status")
    # any Hebei city can become a pole
    select = page.locator(".jjj-new-pole select")
    labels = select.locator("option").all_inner_texts()
    select.select_option(label=next(t for t in labels if "Zhangjiakou" in t))
    _click(page, ".jjj-add-pole")
    page.wait_for_selector(".jjj-pole-ZJK .noUi-handle", state="visible", timeout=30000)
    assert "[error]" not in _log(page)
    # at 1,280 px every pole's name is whole: nothing clipped or scrolled inside its label
    assert "张家口 Zhangjiakou" in page.inner_text(".jjj-pole-label-ZJK")
    clipped = page.eval_on_selector_all(
        ".jjj-pole-label, .jjj-pole-label *, [class*='jjj-lock-'] label",
        "els => els.filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)"
        ".map(e => e.innerText)",
    )
    assert clipped == [], clipped
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    # the baseline-data buttons wrap inside the left column instead of being cut at its edge
    column = page.locator(".jjj-levers").bounding_box()
    for css in (".jjj-data-load", ".jjj-data-upload", ".jjj-data-reset"):
        b = page.locator(css).first.bounding_box()
        assert b["x"] + b["width"] <= column["x"] + column["width"] + 1, css
    # the goal-seek target row wraps inside the left column (year, operator and value were
    # pushed out of sight behind the charts)
    column = page.locator(".jjj-left").bounding_box()
    for css in (".jjj-seek-indicator", ".jjj-seek-year", ".jjj-seek-op", ".jjj-seek-value",
                ".jjj-seek-free", ".jjj-seek-button"):  # fmt: skip
        b = page.locator(css).first.bounding_box()
        assert b is not None and b["width"] > 0, css
        assert b["x"] + b["width"] <= column["x"] + column["width"] + 1, css


def _wait_text(page, css: str, present: str, absent: str) -> None:
    page.wait_for_function(
        "([css, yes, no]) => { const t = document.querySelector(css).innerText;"
        " return t.includes(yes) && !t.includes(no); }",
        arg=[css, present, absent],
        timeout=30000,
    )


def test_language_modes(browser_page):
    page = browser_page
    page.locator(".jjj-language button", has_text="English").click()
    _wait_text(page, ".jjj-header", "Beijing", "京津冀")
    _wait_text(page, ".jjj-key-figures", "Theil T", "泰尔")
    page.wait_for_function(
        "() => document.querySelector('.jjj-chart-gaps .gtitle').textContent.startsWith('Theil T')"
    )
    page.locator(".jjj-language button", has_text="中文").first.click()
    _wait_text(page, ".jjj-header", "京津冀", "Beijing")
    _wait_text(page, ".jjj-key-figures", "泰尔指数T", "Theil")
    page.locator(".jjj-language button", has_text="双语").click()
    _wait_text(page, ".jjj-header", "Beijing", "@@")
    _wait_text(page, ".jjj-key-figures", "Theil T", "@@")
    assert "京津冀" in page.inner_text(".jjj-header")
    assert "泰尔指数T" in page.inner_text(".jjj-key-figures")


def test_save_as_new_name_compare_and_ask_before_replacing(browser_page, server, tmp_path):
    page = browser_page
    _click(page, ".jjj-add")  # the current settings as "baseline"…
    _wait_log(page, "added to comparison")
    proposed = page.locator(".jjj-save-name input").input_value()
    assert proposed == "baseline-2"
    _click(page, ".jjj-save")  # …saved under the proposed new name
    _wait_log(page, "saved:")
    saved = server.workdir / "baseline-2.xlsx"
    assert saved.is_file(), _log(page)
    assert "baseline-2" in page.inner_text(".jjj-status")
    _click(page, ".jjj-add")  # no duplicate-name refusal
    _wait_log(page, "added to comparison: baseline-2")
    page.locator(".lm-TabBar-tab").nth(5).click()
    page.wait_for_selector(".jjj-compare-table td[data-key='theil_t:2']", timeout=30000)
    page.wait_for_function(
        "() => document.querySelectorAll('.jjj-chart-compare .scatterlayer .trace').length === 3"
    )

    # save onto the existing file: the page asks, nothing is written, Cancel keeps it
    original = saved.read_bytes()
    _path_box(page, ".jjj-save-path", str(saved))
    _click(page, ".jjj-save")
    page.wait_for_selector(".jjj-confirm-replace", state="visible", timeout=30000)
    assert "baseline-2.xlsx" in page.inner_text(".jjj-confirm")
    assert saved.read_bytes() == original
    _click(page, ".jjj-confirm-cancel")
    _wait_log(page, "cancelled")
    assert saved.read_bytes() == original

    # export onto a scenario workbook: refused; onto an existing comparison: asks first
    _path_box(page, ".jjj-export-path", str(saved))
    _click(page, ".jjj-export")
    _wait_log(page, "is a scenario workbook")
    assert saved.read_bytes() == original
    _path_box(page, ".jjj-export-path", "comparison.xlsx")
    _click(page, ".jjj-export")
    _wait_log(page, "exported comparison")
    exported = server.workdir / "comparison.xlsx"
    first = exported.read_bytes()
    _click(page, ".jjj-export")
    page.wait_for_selector(".jjj-confirm-replace", state="visible", timeout=30000)
    assert exported.read_bytes() == first
    _click(page, ".jjj-confirm-replace")
    page.wait_for_function(
        "() => document.querySelector('.jjj-log').innerText.split('exported comparison')"
        ".length > 2",
        timeout=60000,
    )

    page.locator(".lm-TabBar-tab").nth(0).click()
    # the page scrolls inside Voilà's own container: a tall window shows all of it
    page.set_viewport_size({"width": WIDTH, "height": 1700})
    page.evaluate("window.scrollTo(0, 0)")
    page.locator(".jjj-header").scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # let the charts resize and paint
    # docs/dashboard.png is a tracked file: rewritten only when asked for, else a tmp copy
    shot = SCREENSHOT if os.environ.get(SCREENSHOT_ENV) == "1" else tmp_path / SCREENSHOT.name
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    assert shot.stat().st_size > 20_000


def test_map_draws_all_13_units_with_names_on_hover(browser_page):
    from jjjplan.baseline import unit_codes
    from jjjplan.dashboard.labels import unit_name

    page = browser_page
    page.locator(".lm-TabBar-tab").nth(6).click()
    fills = ".jjj-chart-map .scatterlayer .trace path.js-fill"
    page.wait_for_function(f"() => document.querySelectorAll('{fills}').length === 13")
    shapes = page.locator(fills)
    boxes = [shapes.nth(k).bounding_box() for k in range(13)]
    assert all(b and b["width"] > 2 and b["height"] > 2 for b in boxes)  # each drawn
    chart = page.locator(".jjj-chart-map .main-svg").first.bounding_box()
    for b in boxes:  # inside the chart, not cut off
        assert chart["x"] <= b["x"] and b["x"] + b["width"] <= chart["x"] + chart["width"] + 1
    # hovering a unit shows its name and value (the first shape whose centre is inside it)
    names = [unit_name(u, "both", style="one") for u in unit_codes()]
    hovered = ""
    for b in boxes:
        page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2)
        page.wait_for_timeout(300)
        hovered = page.evaluate(
            "() => document.querySelector('.jjj-chart-map .hoverlayer')?.textContent || ''"
        )
        if hovered:
            break
    assert any(n in hovered for n in names), hovered
    assert re.search(r"\d", hovered)
    page.locator(".lm-TabBar-tab").nth(0).click()


def test_briefing_button_downloads_the_pdf_and_saves_it(browser_page, server):
    page = browser_page
    before = set(server.workdir.glob("*.pdf"))
    _click(page, ".jjj-brief")
    page.wait_for_selector(".jjj-brief-links a.jjj-download", timeout=120000)
    with page.expect_download() as download:
        page.locator(".jjj-brief-links a.jjj-download").first.click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    [saved] = set(server.workdir.glob("*.pdf")) - before
    assert saved.read_bytes() == data and download.value.suggested_filename == saved.name
    assert page.blocked == []
    assert "[error]" not in _log(page)


def padded_workbook(path: Path, target_bytes: int, name: str) -> Path:
    """A valid scenario workbook padded to ``target_bytes`` (compressed) with an extra sheet
    of incompressible text, written part by part (no openpyxl for the big sheet)."""
    from jjjplan import Scenario
    from jjjplan.excel.write.template import build_workbook

    wb = build_workbook(Scenario.baseline().replace(name=name))
    wb.create_sheet("填充 Padding")["A1"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    part = f"xl/worksheets/sheet{len(wb.sheetnames)}.xml"
    with (
        zipfile.ZipFile(buf) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename != part:
                dst.writestr(info, src.read(info.filename))
        with dst.open(part, "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
                b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            row = 1
            while dst.fp.tell() < target_bytes:
                text = base64.b64encode(os.urandom(3000)).decode()
                cell = f'<c r="A{row}" t="inlineStr"><is><t>{text}</t></is></c>'
                fh.write(f'<row r="{row}">{cell}</row>'.encode())
                row += 1
            fh.write(b"</sheetData></worksheet>")
    return path


def test_upload_of_a_50_mb_workbook(browser_page, tmp_path):
    page = browser_page
    big = padded_workbook(tmp_path / "大文件 big.xlsx", 50 * 2**20, "上传 50MB")
    assert big.stat().st_size >= 50 * 2**20
    with page.expect_file_chooser() as chooser:
        page.locator(".jjj-upload").first.click()
    chooser.value.set_files(str(big))
    _wait_log(page, "loaded upload", timeout=180000)
    assert "上传 50MB" in page.inner_text(".jjj-status")
    assert "大文件 big.xlsx" in page.inner_text(".jjj-status")
    assert page.locator(".jjj-banner").is_hidden()
    # the kernel connection survived: a lever still updates the figures
    before = page.inner_text(KEY_CELL)
    page.get_by_text("体制改革 Institutional reform").first.click()
    drag(page, ".jjj-reform-origin-share", -60)
    page.wait_for_function(
        "([css, old]) => document.querySelector(css).innerText !== old",
        arg=[KEY_CELL, before],
        timeout=30000,
    )


def _wait_kernels(server: Server, at_most: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    n = len(server.kernels())
    while n > at_most and time.monotonic() < deadline:
        time.sleep(0.5)
        n = len(server.kernels())
    return n


@pytest.mark.parametrize("reloads", [2, pytest.param(5, marks=pytest.mark.slow)])
def test_reloads_leave_no_idle_kernels(browser_page, server, reloads):
    """Each reload closes a page whose kernel must be shut down. Two reloads already show a
    leak (3 kernels instead of 1); five (slow suite) show none builds up over time. Each
    reload starts a kernel and the dashboard, ~15 s apiece, so the default suite runs two."""
    page = browser_page
    assert _wait_kernels(server, 1, 30) == 1
    for _ in range(reloads):
        page.reload(timeout=STARTUP_S * 1000)
        page.wait_for_selector(KEY_CELL, timeout=STARTUP_S * 1000)
    n = _wait_kernels(server, 1, 30)
    print(f"\nkernels after {reloads} reloads: {n}")
    assert n <= 2  # the open page's kernel, and at most one idle one
    assert n == 1, "a closed page's kernel was not shut down"
    assert page.blocked == []


def test_sigterm_stops_the_server_and_every_kernel(browser_page, server):
    import psutil

    assert server.kernels()
    tree = [psutil.Process(server.proc.pid), *server.processes()]
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=60)
    _, alive = psutil.wait_procs(tree, timeout=30)
    assert alive == [], [p.pid for p in alive]
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url, timeout=5)
