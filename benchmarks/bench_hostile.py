"""Cost of reading hostile workbooks (issue 16 §3): time and peak memory per file.

Each file is generated from the template (``tests/hostile_files.py``): one range spanning a
whole sheet or column in a hyperlink, merge, conditional format, data validation or column
format, and many formatted empty rows. Every file is read by ``read_workbook_report`` in a
fresh process (the parse in that process, ``isolated=False``) under the same address-space
cap the product's isolation uses, so a file that would exhaust memory shows up as a refusal
by the cap rather than taking the machine down. Prints one line per file:

    case | file size | time of the read | RSS after imports -> peak | outcome

Run:  PYTHONPATH=$PWD python benchmarks/bench_hostile.py [--cap-mb 1024] [--timeout 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile_files as H  # noqa: E402

from jjjplan.excel import make_template  # noqa: E402

CHILD = r"""
import resource, sys, time
cap = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from jjjplan.errors import ValidationError
from jjjplan.excel.read.reader import read_workbook_report
def peak():  # VmHWM: ru_maxrss would keep the parent's peak across fork + exec on Linux
    try:
        with open("/proc/self/status") as fh:
            return next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
before = peak()
started = time.perf_counter()
try:
    r = read_workbook_report(sys.argv[1], isolated=False)
    found = [*r.issues, *r.notices]
    outcome = ("read" if r.scenario is not None else "refused") + " | " + (
        found[0].message_en if found else "no message")[:110]
except ValidationError as e:
    outcome = "refused | " + e.issues[0].message_en[:110]
except MemoryError:
    outcome = "MemoryError | (the address-space cap was hit)"
print(f"{time.perf_counter() - started:.2f}\t{before:.0f}\t{peak():.0f}\t{outcome}")
"""


def _vm_hwm(pid: int) -> float:
    """Peak resident memory (MiB) of a running process so far (Linux; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(path: Path, cap_mb: int, timeout: float) -> tuple[str, str, str]:
    """(outcome, read time, peak RSS) of reading ``path`` in a fresh process; the time and
    memory are those of the read itself, after the imports (RSS: after imports -> peak)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(cap_mb)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    peak = 0.0
    while proc.poll() is None and time.perf_counter() - started < timeout:
        peak = max(peak, _vm_hwm(proc.pid))
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait()
        return f"timeout after {timeout:.0f} s | killed", f"> {timeout:.0f} s", f"{peak:.0f}"
    out = proc.stdout.read().strip() if proc.stdout else ""
    if out.count("\t") >= 3:
        seconds, before, after, outcome = out.split("\t", 3)
        return outcome, f"{float(seconds):.2f} s", f"{before} -> {after} MiB"
    return f"exit {proc.returncode} | {out[:80]}", "?", f"{peak:.0f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cap-mb", type=int, default=1024, help="address-space cap (MiB)")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("-k", default="", help="only cases whose name contains this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        template = make_template(Path(tmp) / "plan.xlsx").read_bytes()
        cases = {"template (reference)": lambda d: d, **H.COST_CASES}
        version = sys.version.split()[0]
        print(f"cap {args.cap_mb} MiB, timeout {args.timeout:.0f} s, python {version}")
        for name, build in cases.items():
            if args.k not in name:
                continue
            path = Path(tmp) / "case.xlsx"
            path.write_bytes(build(template))
            outcome, seconds, rss = measure(path, args.cap_mb, args.timeout)
            size = path.stat().st_size / 1024
            print(f"{name:52s} | {size:5.0f} KB | {seconds:>8s} | {rss:>16s} | {outcome}")


if __name__ == "__main__":
    main()
