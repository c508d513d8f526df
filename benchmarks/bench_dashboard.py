"""Dashboard latency: lever change → Scenario → project() → gaps → chart update.

Run: .venv/bin/python benchmarks/bench_dashboard.py [N]            (in the kernel)
     .venv/bin/python benchmarks/bench_dashboard.py --browser [N]  (in Chromium, via Voilà)
Each sample sets a widget's ``.value`` exactly as the front end does, so the time covers the
whole observer chain in the kernel: control.apply, project(), the key-figure table, and the
edit message of the visible plotly chart (the browser draws it). Shapley is not included
(it runs only on its tab or button); it is timed separately. The browser's part (message
transfer and plotly redraw) is measured by tests/test_browser.py, which prints the time
from releasing a dragged slider handle to the redrawn chart. Prints median and 95th
percentile per view, and the machine's load (the figures scale with it); nothing is asserted.
The last row repeats the gaps view with the uncertainty draws at 500 (key figures, then
the 500 draws' bands and P(better than baseline), then the chart's lines and bands in one
message).

``--browser`` starts ``jjjplan dashboard`` on a free port and drives headless Chromium
(Playwright, /usr/bin/chromium, nothing downloaded): N slider releases with the mouse, with
draws 0 and 500, timed in the page from the release to the key figures, to plotly starting
the redraw and to the chart redrawn (with 500 draws: lines and bands together;
tests/browser_probe.py, the same probe as tests/test_browser.py). Goals: <= 100 ms release
to chart (issue 13), <= 150 ms with 500 draws (issue 10).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from jjjplan.dashboard import Dashboard
from jjjplan.dashboard.views import TABS


def moves(d: Dashboard, n: int) -> list:
    """n lever changes cycling through different levers and values."""
    c = d.controls
    steps = [
        lambda i: setattr(c["reform.origin_share"].input, "value", 10 + (i * 7) % 80),
        lambda i: setattr(c["poles.weights"].sliders["TJ"], "value", 15 + (i * 3) % 40),
        lambda i: setattr(c["poles.investment"].target, "value", (i % 30) / 10),
        lambda i: setattr(c["innovation.share"].target, "value", 5 + (i * 1.3) % 30),
        lambda i: setattr(c["reform.share_years"].input, "value", 1 + i % 8),
    ]
    return [lambda i=i: steps[i % len(steps)](i) for i in range(n)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def run(view: str, n: int, draws: int = 0) -> list[float]:
    d = Dashboard()
    d.uncertainty.draws.value = draws
    d.views.tabs.selected_index = TABS.index(view)
    out = []
    for move in moves(d, n):
        t = time.perf_counter()
        move()
        out.append((time.perf_counter() - t) * 1000)
    if d.log.text:
        raise SystemExit(f"errors during the benchmark:\n{d.log.text}")
    return out


def _row(label: str, ms: list[float], note: str = "") -> None:
    print(
        f"{label:<12} {statistics.median(ms):8.1f} {percentile(ms, 0.95):8.1f} {max(ms):8.1f}"
        f"  {note}".rstrip()
    )


def browser(n: int) -> None:
    """Release-to-chart in headless Chromium against ``jjjplan dashboard``."""
    import socket
    import subprocess
    import tempfile
    import urllib.request

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root / "tests"))
    from browser_probe import describe, release_timing, summary
    from playwright.sync_api import sync_playwright

    from jjjplan.dashboard.serve import stop_server

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    code = "import sys; from jjjplan.cli import main; main(sys.argv[1:], prog_name='jjjplan')"
    cmd = [sys.executable, "-c", code, "dashboard", "--port", str(port), "--no-browser"]
    env = dict(os.environ, PYTHONPATH=str(root))
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "dashboard.log"
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(url + "voila/static/voila.js", timeout=5)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        tail = log.read_text()[-2000:]
                        raise SystemExit(f"dashboard did not start:\n{tail}") from None
                    time.sleep(0.5)
            with sync_playwright() as p:
                b = p.chromium.launch(
                    executable_path="/usr/bin/chromium",
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                page = b.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url, timeout=180000)
                page.wait_for_selector(".jjj-key-figures td", timeout=180000)
                page.wait_for_selector(".jjj-chart-gaps .scatterlayer .trace path.js-line")
                slider = ".jjj-reform-origin-share"
                for draws in (0, 500):
                    page.locator(".jjj-draws select").select_option(index=3 if draws else 0)
                    page.wait_for_timeout(3000 if draws else 1000)
                    samples = [release_timing(page, slider, 40 if k % 2 else -40) for k in range(n)]
                    print(
                        describe({"draws": draws, "samples": samples, "summary": summary(samples)})
                    )
                b.close()
        finally:
            stop_server(proc)


def main(n: int = 50) -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"dashboard callback latency over {n} lever changes (ms, in-kernel, no browser)")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'visible view':<12} {'median':>8} {'p95':>8} {'max':>8}")
    for view in ("gaps", "ratios", "percap", "map", "ledger", "compare"):
        ms = run(view, n)
        print(f"{view:<12} {statistics.median(ms):8.1f} {percentile(ms, 0.95):8.1f} {max(ms):8.1f}")
    # uncertainty on: every lever release also projects the 500 draws (bands, P(better))
    ms = run("gaps", max(5, n // 5), draws=500)
    _row("gaps+500dr", ms, "(key figures, then lines + bands + probability)")
    d = Dashboard()
    t = time.perf_counter()
    d.compute_contributions()
    print(f"{'contrib':<12} {(time.perf_counter() - t) * 1000:8.1f}  (Shapley, 16 runs; on demand)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--browser"]
    if "--browser" in sys.argv[1:]:
        browser(int(args[0]) if args else 10)
    else:
        main(int(args[0]) if args else 50)
