"""Start-up speed of the command line, and isolated reading per helper mode.

Run: .venv/bin/python benchmarks/bench_cli.py
Prints:
- ``jjjplan --help`` (the installed console script, else ``python -m jjjplan``) next to
  ``python -c pass`` and ``python -c "import click"``, medians of fresh processes, with the
  ratio to ``python -c pass`` (the goal is at most 5x);
- the time to read the six shipped workbooks in isolation with the reused helper ("fork" on
  Linux, "serial" on macOS/Windows) and with a new process per workbook ("once"), each in a
  fresh process so the helper's start-up is included.
Nothing here is asserted in tests.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 7
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def median_run(cmd: list[str], repeat: int = REPEAT, env: dict[str, str] | None = None) -> float:
    subprocess.run(cmd, env=env or ENV, capture_output=True, check=True)  # warm the disk cache
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, env=env or ENV, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def help_command() -> list[str]:
    script = Path(sys.executable).with_name("jjjplan.exe" if os.name == "nt" else "jjjplan")
    if script.exists():
        return [str(script), "--help"]
    return [sys.executable, "-m", "jjjplan", "--help"]


READ_SIX = (
    "import time, glob; t = time.perf_counter();"
    "from jjjplan.excel import read_workbook;"
    f"[read_workbook(p) for p in sorted(glob.glob({str(ROOT / 'workbooks' / '*.xlsx')!r}))];"
    "print(time.perf_counter() - t)"
)


def read_six(mode: str) -> float:
    env = {**ENV, "JJJPLAN_ISOLATION": mode}
    runs = []
    for _ in range(3):
        proc = subprocess.run(
            [sys.executable, "-c", READ_SIX], env=env, capture_output=True, text=True, check=True
        )
        runs.append(float(proc.stdout.strip()))
    return statistics.median(runs)


def main() -> None:
    base = median_run([sys.executable, "-c", "pass"])
    click = median_run([sys.executable, "-c", "import click"])
    cmd = help_command()
    helped = median_run(cmd)
    print(f"python -c pass           {base * 1000:7.0f} ms")
    print(f"python -c 'import click' {click * 1000:7.0f} ms  ({click / base:.1f}x pass)")
    print(f"{Path(cmd[0]).name} --help".ljust(25), end="")
    print(f"{helped * 1000:7.0f} ms  ({helped / base:.1f}x pass; goal <= 5x)")
    print()
    print("isolated reading of the six shipped workbooks (fresh process, helper start included)")
    reused = "fork" if sys.platform.startswith("linux") else "serial"
    for mode in (reused, "serial", "once") if reused == "fork" else ("serial", "once"):
        print(f"  {mode:7s} {read_six(mode):6.2f} s")


if __name__ == "__main__":
    main()
