"""Build a wheelhouse: jjjplan's wheel and every wheel it needs, for an offline install.

Government intranets have no internet. Run this on a connected machine, carry the folder
over, and install with::

    pip install --no-index --find-links wheelhouse "jjjplan[dashboard]"

Wheels of compiled packages (numpy, pandas, pyarrow, …) are platform-specific: by default
the wheelhouse fits the machine that builds it; ``--platform win_amd64 --python-version 3.11``
(or ``macosx_11_0_arm64``, ``manylinux2014_x86_64``) fetches binary wheels for another one.

    python tools/build_wheelhouse.py [--out wheelhouse] [--extras dashboard,parquet]
    make wheelhouse
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXTRAS = "dashboard,parquet"


def build_jjjplan_wheel(out: Path) -> Path:
    """Build jjjplan's wheel (from its sdist, so no stale build/ folder leaks in) into
    ``out``; without build isolation when a recent setuptools is installed."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "build", "--outdir", tmp, str(ROOT)]
        if _has_build_backend():
            cmd.insert(3, "--no-isolation")
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        (wheel,) = Path(tmp).glob("jjjplan-*.whl")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, out / wheel.name))


def _has_build_backend() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


def fetch_dependencies(
    wheel: Path,
    out: Path,
    extras: str = DEFAULT_EXTRAS,
    platform: str | None = None,
    python_version: str | None = None,
) -> None:
    """Put every wheel ``wheel[extras]`` needs into ``out`` (binary wheels only)."""
    requirement = f"{wheel.resolve()}[{extras}]" if extras else str(wheel.resolve())
    if platform or python_version:  # another machine: download its binary wheels
        cmd = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(out)]
        if platform:
            cmd += ["--platform", platform]
        if python_version:
            cmd += ["--python-version", python_version]
    else:
        cmd = [sys.executable, "-m", "pip", "wheel", "--wheel-dir", str(out)]
    subprocess.run([*cmd, "--quiet", requirement], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "wheelhouse")
    parser.add_argument("--extras", default=DEFAULT_EXTRAS, help="comma-separated extras")
    parser.add_argument("--platform", help="e.g. win_amd64, macosx_11_0_arm64")
    parser.add_argument("--python-version", help="e.g. 3.11 (with --platform)")
    args = parser.parse_args(argv)
    wheel = build_jjjplan_wheel(args.out)
    fetch_dependencies(wheel, args.out, args.extras, args.platform, args.python_version)
    wheels = sorted(args.out.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels) / 1e6
    print(f"{len(wheels)} wheels, {size:.1f} MB in {args.out}")
    target = f'"jjjplan[{args.extras}]"'
    print(f'install offline: pip install --no-index --find-links "{args.out}" {target}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
