"""Build hook: copy the top-level ``templates/``, ``workbooks/`` and ``notebooks/`` into the
wheel as ``jjjplan/_bundled/…`` so an installed jjjplan finds them with ``importlib.resources``.

Why a copy at build time: the top-level folders are the one source of truth (planners open
them in a checkout; ``tools/build_workbooks.py`` and other branches regenerate them), so the
repository never holds a second, drifting copy of binary workbooks. In a checkout,
:mod:`jjjplan.bundled` falls back to the top-level folders themselves.
Everything else about the package is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: folder in the repository → (folder inside jjjplan/_bundled, file pattern)
BUNDLED = {
    "templates": ("templates", "*.xlsx"),
    "workbooks": ("workbooks", "*.xlsx"),
    "notebooks": ("notebooks", "*.ipynb"),
}


class BuildWithBundledFiles(build_py):
    """``build_py`` plus the bundled workbooks, template and notebooks."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the top-level folders directly
        for source, (target, pattern) in BUNDLED.items():
            files = sorted((ROOT / source).glob(pattern))
            if not files:
                raise SystemExit(f"setup.py: no {pattern} in {source}/ (incomplete source tree)")
            dest = Path(self.build_lib) / "jjjplan" / "_bundled" / target
            dest.mkdir(parents=True, exist_ok=True)
            for path in files:
                shutil.copyfile(path, dest / path.name)


setup(cmdclass={"build_py": BuildWithBundledFiles})
