"""Serve the dashboard notebook as a web app with Voilà (``jjjplan dashboard [WORKBOOK]``).

The notebook ships inside the package (``jjjplan/dashboard/dashboard.ipynb``, a copy of
``notebooks/dashboard.ipynb`` kept identical by a test), so the command works from an
installed wheel, not only from a checkout. The server listens on 127.0.0.1 only: the
dashboard reads and writes files on the planner's machine and must not be reachable from
the network. The workbook path and the directory that relative paths in the dashboard are
resolved against travel to the kernel through environment variables.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

HOST = "127.0.0.1"
WORKBOOK_ENV = "JJJPLAN_WORKBOOK"
WORKDIR_ENV = "JJJPLAN_WORKDIR"


def notebook_path() -> Path:
    """The packaged dashboard notebook."""
    return Path(str(resources.files("jjjplan.dashboard").joinpath("dashboard.ipynb")))


def voila_command(port: int, open_browser: bool = False, notebook: Path | None = None) -> list[str]:
    """The Voilà command line (run with the current interpreter, so its kernel finds jjjplan)."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook or notebook_path()),
        f"--port={int(port)}",
        f"--Voila.ip={HOST}",
        f"--Voila.open_browser={open_browser}",
        "--theme=light",
    ]


def voila_env(workbook: str | os.PathLike[str] | None, workdir: Path | None = None) -> dict:
    """Environment for the server: workbook (absolute) and working directory for the kernel."""
    env = dict(os.environ)
    env[WORKDIR_ENV] = str(workdir or Path.cwd())
    env.pop(WORKBOOK_ENV, None)
    if workbook:
        path = Path(workbook).expanduser().resolve()
        if not path.is_file():
            raise FileNotFoundError(f"找不到工作簿 / workbook not found: {path}")
        env[WORKBOOK_ENV] = str(path)
    return env


def serve_dashboard(workbook: str | None, port: int, open_browser: bool) -> None:
    """Run the dashboard on http://127.0.0.1:PORT/ until interrupted (Ctrl+C).

    Raises ``FileNotFoundError`` for a missing workbook (before starting anything) and
    ``RuntimeError`` if Voilà stops with an error (e.g. the port is taken); a workbook that
    exists but is invalid is reported inside the dashboard's log panel.
    """
    env = voila_env(workbook)
    url = f"http://{HOST}:{port}/"
    print(f"京津冀情景仪表盘 / jjjplan dashboard: {url}  (Ctrl+C 停止 / to stop)", flush=True)
    proc = subprocess.Popen(voila_command(port, open_browser), env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return
    if code != 0:
        raise RuntimeError(f"Voilà 退出 / Voilà exited with code {code} (port in use?)")
