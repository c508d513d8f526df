"""The template, example workbooks and notebooks that ship with jjjplan.

An installed wheel carries them as package data in ``jjjplan/_bundled/`` (copied there from
the top-level ``templates/``, ``workbooks/`` and ``notebooks/`` by ``setup.py`` at build
time); a source checkout or an editable install reads those top-level folders directly.
Either way callers get a folder on disk from :func:`bundled_dir`.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

__all__ = ["KINDS", "bundled_dir", "bundled_files", "copy_examples", "template_path"]

#: kind → file pattern
KINDS = {"templates": "*.xlsx", "workbooks": "*.xlsx", "notebooks": "*.ipynb"}
TEMPLATE_NAME = "jjjplan-template.xlsx"


def bundled_dir(kind: str) -> Path:
    """The folder holding the shipped ``kind`` ("templates", "workbooks" or "notebooks")."""
    if kind not in KINDS:
        raise ValueError(f"unknown bundled kind {kind!r}; expected one of {sorted(KINDS)}")
    packaged = resources.files("jjjplan").joinpath("_bundled", kind)
    if packaged.is_dir():  # wheels install unpacked, so this is a real folder
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[1] / kind
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"jjjplan 安装不完整：缺少 {kind}/ / incomplete jjjplan install: no bundled {kind}/ "
        f"(looked in {packaged} and {checkout}); reinstall jjjplan"
    )


def bundled_files(kind: str) -> list[Path]:
    """The shipped files of ``kind``, sorted by name (lock files of open workbooks skipped)."""
    paths = sorted(bundled_dir(kind).glob(KINDS[kind]))
    return [p for p in paths if not p.name.startswith(("~$", ".~lock"))]


def template_path() -> Path:
    """The shipped scenario template (current-policy values)."""
    return bundled_dir("templates") / TEMPLATE_NAME


def copy_examples(dest: Path) -> list[Path]:
    """Copy the example workbooks, the template and the notebooks into ``dest`` (created if
    missing) and return the copies. Existing files are never replaced: a planner may have
    edited them; such a clash raises ``FileExistsError`` before anything is copied."""
    plan = [
        (src, dest / sub / src.name)
        for sub in ("workbooks", "templates", "notebooks")
        for src in bundled_files(sub)
    ]
    clashes = [target for _src, target in plan if target.exists() or target.is_symlink()]
    if clashes:
        raise FileExistsError(
            0,
            f"{len(clashes)} file(s) already exist, e.g. {clashes[0]}; nothing was copied — "
            "choose an empty folder / 文件已存在，未复制任何文件——请选择空文件夹",
            str(clashes[0]),
        )
    for src, target in plan:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return [target for _src, target in plan]
