"""Serve the dashboard notebook as a web app with Voilà (``jjjplan dashboard [WORKBOOK]``).

The notebook ships inside the package (``jjjplan/dashboard/dashboard.ipynb``, a copy of
``notebooks/dashboard.ipynb`` kept identical by a test), so the command works from an
installed wheel, not only from a checkout. The server listens on 127.0.0.1 only: the
dashboard reads and writes files on the planner's machine and must not be reachable from
the network. The workbook path and the directory that relative paths in the dashboard are
resolved against travel to the kernel through environment variables.

Voilà runs in a child process started by :mod:`jjjplan.dashboard.voila_main` with the
settings of :func:`voila_config`:

* **offline** — the ``jjjplan`` page template (``voila/templates/jjjplan``) drops Voilà's
  FontAwesome stylesheets from a CDN; plotly.js reaches the page inside the chart widgets;
* **no leaked kernels** — a closing or reloading page sends Voilà's shutdown beacon, which
  Voilà 0.5 rejects (403, "_xsrf missing") because its page never sets the _xsrf cookie.
  The XSRF check is switched off; cross-site requests are still refused by the server's
  Origin check on every API handler, and the server listens on 127.0.0.1 only. Kernels
  whose page vanished without a beacon (a crashed browser) are culled once idle and
  disconnected (websocket pings notice the dead connection);
* **uploads** — the websocket message limit is raised from tornado's 10 MiB to the
  workbook reader's file limit plus room for the message envelope, so any file the reader
  accepts can be uploaded;
* **stopping** — SIGTERM, SIGINT (Ctrl+C), SIGHUP (console closed) and, on Windows,
  Ctrl+Break stop Voilà and then every process it started (its kernels).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from importlib import resources
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
WORKBOOK_ENV = "JJJPLAN_WORKBOOK"
WORKDIR_ENV = "JJJPLAN_WORKDIR"
TEMPLATE = "jjjplan"
#: Where the server publishes plotly's chart module, and the variable telling kernels so.
ASSETS_ROUTE = "/jjjplan/static/"
ASSETS_ENV = "JJJPLAN_ASSETS_URL"
#: Seconds a kernel without a connected page may sit idle before it is culled.
CULL_IDLE_S = 120
CULL_INTERVAL_S = 30
#: Seconds between websocket pings (finds pages that disappeared without a word).
PING_S = 30
#: Seconds Voilà gets to shut its kernels down before they are killed.
STOP_TIMEOUT_S = 15


def websocket_limit() -> int:
    """Largest websocket message accepted: the reader's file limit plus 8 MiB of envelope."""
    from jjjplan.excel.guard.limits import MAX_FILE_BYTES

    return MAX_FILE_BYTES + 8 * 2**20


def notebook_path() -> Path:
    """The packaged dashboard notebook."""
    return Path(str(resources.files("jjjplan.dashboard").joinpath("dashboard.ipynb")))


def template_root() -> Path:
    """The Jupyter data directory holding the ``voila/templates/jjjplan`` page template."""
    return Path(str(resources.files("jjjplan.dashboard")))


def voila_config(port: int, open_browser: bool = False) -> dict[str, dict[str, Any]]:
    """Voilà settings as ``{section: {name: value}}`` (see the module docstring for why)."""
    return {
        "Voila": {
            "ip": HOST,
            "port": int(port),
            "port_retries": 0,  # the printed address must be the real one
            "open_browser": bool(open_browser),
            "tornado_settings": {
                "disable_check_xsrf": True,
                "websocket_max_message_size": websocket_limit(),
                "websocket_ping_interval": PING_S,
            },
        },
        "VoilaConfiguration": {"template": TEMPLATE, "theme": "light"},
        "MappingKernelManager": {
            "cull_idle_timeout": CULL_IDLE_S,
            "cull_interval": CULL_INTERVAL_S,
            "cull_connected": False,
        },
    }


def voila_command(port: int, open_browser: bool = False, notebook: Path | None = None) -> list[str]:
    """The Voilà command line (run with the current interpreter, so its kernel finds jjjplan)."""
    return [
        sys.executable,
        "-m",
        "jjjplan.dashboard.voila_main",
        str(notebook or notebook_path()),
        f"--port={int(port)}",
        f"--open-browser={bool(open_browser)}",
    ]


def voila_env(workbook: str | os.PathLike[str] | None, workdir: Path | None = None) -> dict:
    """Environment for the server: workbook (absolute), working directory for the kernel, and
    the template directory on JUPYTER_PATH."""
    env = dict(os.environ)
    env[WORKDIR_ENV] = str(workdir or Path.cwd())
    env.pop(WORKBOOK_ENV, None)
    if workbook:
        path = Path(workbook).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"找不到工作簿 / workbook not found: {path}")
        env[WORKBOOK_ENV] = str(path)
    paths = [str(template_root()), *filter(None, env.get("JUPYTER_PATH", "").split(os.pathsep))]
    env["JUPYTER_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def _own_group() -> dict[str, Any]:
    """Popen options giving Voilà its own process group, so a Ctrl+C in the console reaches
    only this process, which then stops Voilà in order (no traceback from Voilà)."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def start_server(
    port: int, open_browser: bool = False, workbook: str | None = None, **popen: Any
) -> subprocess.Popen:
    """Start Voilà in the background (its own process group); stop it with :func:`stop_server`."""
    return subprocess.Popen(
        voila_command(port, open_browser), env=voila_env(workbook), **_own_group(), **popen
    )


def stop_server(proc: subprocess.Popen, timeout: float = STOP_TIMEOUT_S) -> None:
    """Stop Voilà and every process it started: a polite SIGTERM (Voilà shuts its kernels
    down), then a kill for whatever is left after ``timeout`` seconds."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        if sys.platform == "win32":
            proc.terminate()
        else:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _, alive = psutil.wait_procs(children, timeout=5)
    for child in alive:
        with suppress(psutil.NoSuchProcess):
            child.kill()
    psutil.wait_procs(alive, timeout=5)


class _Stop(Exception):
    """Raised in the main thread by a stop signal."""


@contextmanager
def _stop_signals() -> Iterator[None]:
    """Turn SIGTERM, SIGINT, SIGHUP (and SIGBREAK on Windows) into :class:`_Stop`."""
    names = ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK")
    wanted = [getattr(signal, n) for n in names if hasattr(signal, n)]
    old: dict[int, Callable | int | None] = {}

    def handler(signum: int, frame: object) -> None:
        raise _Stop(signum)

    for sig in wanted:
        with suppress(OSError, ValueError):  # not the main thread, or not settable here
            old[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, previous in old.items():
            signal.signal(sig, previous)


def serve_dashboard(workbook: str | None, port: int, open_browser: bool) -> None:
    """Run the dashboard on http://127.0.0.1:PORT/ until stopped (Ctrl+C, SIGTERM, closing
    the console); Voilà and all its kernels stop with it.

    Raises ``FileNotFoundError`` for a missing workbook (before starting anything) and
    ``RuntimeError`` if Voilà stops with an error (e.g. the port is taken); a workbook that
    exists but is invalid is reported at the top of the dashboard.
    """
    voila_env(workbook)  # a missing workbook: fail before starting anything
    url = f"http://{HOST}:{port}/"
    print(f"京津冀情景仪表盘 / jjjplan dashboard: {url}  (Ctrl+C 停止 / to stop)", flush=True)
    with _stop_signals():
        proc = start_server(port, open_browser, workbook)
        try:
            code = proc.wait()
        except (_Stop, KeyboardInterrupt):
            print("正在停止 / stopping…", flush=True)
            stop_server(proc)
            return
        finally:
            if proc.poll() is None:
                stop_server(proc)
    if code != 0:
        raise RuntimeError(f"Voilà 退出 / Voilà exited with code {code} (port in use?)")
