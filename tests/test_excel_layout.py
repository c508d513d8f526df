"""The workbook I/O package's rooms follow the data: guard → read → write.

No module of :mod:`jjjplan.excel` imports a module of a later stage (the shared modules at
``jjjplan/excel/`` import none of the stages), checked on the source's imports (ast), including
imports inside functions. ``jjjplan.workbook`` stays a compatibility shim over the same modules.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

import jjjplan.excel

EXCEL = Path(jjjplan.excel.__file__).parent
ROOT = EXCEL.parents[1]

#: Stage order: a module may import modules of its own stage or an earlier one.
STAGE_RANK = {"shared": 0, "guard": 1, "read": 2, "write": 3}
STAGES = ("guard", "read", "write")


def stage_of(module: str) -> str:
    """The stage of a module under ``jjjplan.excel`` (the facade package itself is last)."""
    parts = module.split(".")
    if parts == ["jjjplan", "excel"]:
        return "write"  # the facade re-exports the writers, so importing it imports them
    return parts[2] if parts[2] in STAGES else "shared"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def excel_imports(source: str, package: str) -> set[str]:
    """Every ``jjjplan.excel…`` module the source imports (``from pkg import sub`` → pkg.sub)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("jjjplan.excel"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            if not base.startswith("jjjplan.excel"):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if is_excel_module(sub) else base)
    return found


def is_excel_module(name: str) -> bool:
    """Whether ``jjjplan.excel.…`` names a module or package (not a function or class)."""
    path = EXCEL.joinpath(*name.split(".")[2:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def backward_imports(path: Path) -> list[str]:
    """``"importer -> imported"`` for each import of a later stage in the module at ``path``."""
    importer = module_name(path)
    if importer == "jjjplan.excel":
        return []  # the facade: re-exports the public API of every stage
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    rank = STAGE_RANK[stage_of(importer)]
    return [
        f"{importer} -> {imported}"
        for imported in sorted(excel_imports(path.read_text(encoding="utf-8"), package))
        if STAGE_RANK[stage_of(imported)] > rank
    ]


def test_no_module_imports_a_later_stage():
    modules = sorted(EXCEL.rglob("*.py"))
    assert len(modules) > 30
    bad = [line for path in modules for line in backward_imports(path)]
    assert bad == []


def test_every_stage_is_a_package_with_a_docstring():
    for room in (EXCEL, *(EXCEL / stage for stage in STAGES)):
        init = room / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    ("stage", "source", "offending"),
    [
        ("guard", "from jjjplan.excel.read.findings import Findings\n", "read.findings"),
        ("read", "def f():\n    from jjjplan.excel.write import styles\n", "write.styles"),
        ("shared", "from jjjplan.excel.guard import limits\n", "guard.limits"),
        ("shared", "import jjjplan.excel.read.reader\n", "read.reader"),
        ("read", "from jjjplan.excel import write_results\n", "jjjplan.excel"),
    ],
)
def test_the_checker_catches_a_backward_import(tmp_path, monkeypatch, stage, source, offending):
    """The rule test must be able to fail: a planted backward import is reported."""
    room = tmp_path / "jjjplan" / "excel" / ("" if stage == "shared" else stage)
    room.mkdir(parents=True, exist_ok=True)
    planted = room / "planted.py"
    planted.write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    [line] = backward_imports(planted)
    assert line.endswith(offending)


def test_forward_imports_are_allowed(tmp_path, monkeypatch):
    room = tmp_path / "jjjplan" / "excel" / "write"
    room.mkdir(parents=True)
    planted = room / "planted.py"
    planted.write_text(
        "from jjjplan.excel import layout\nfrom jjjplan.excel.read.findings import Findings\n"
        "from jjjplan.excel.guard import preflight\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert backward_imports(planted) == []


def test_compatibility_shim_keeps_old_imports_working():
    import jjjplan.workbook as old
    from jjjplan.excel.catalogue import word
    from jjjplan.excel.guard import isolation
    from jjjplan.excel.write import results

    assert old.read_workbook is jjjplan.excel.read_workbook
    assert old.make_template is jjjplan.excel.make_template
    assert old.write_results is jjjplan.excel.write_results
    assert old.write_comparison is jjjplan.excel.write_comparison
    assert old.__doc__ and "compatibility" in old.__doc__
    assert importlib.import_module("jjjplan.workbook.isolation") is isolation
    assert importlib.import_module("jjjplan.workbook.results_writer") is results
    from jjjplan.workbook.labels import word as old_word
    from jjjplan.workbook.messages import MESSAGES

    assert old_word is word
    assert MESSAGES is jjjplan.excel.catalogue.MESSAGES


def test_nothing_in_the_project_imports_the_shim():
    """Internal code uses the new paths; only this test touches ``jjjplan.workbook``."""
    users = []
    for folder in ("jjjplan", "tests", "tools", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.parent.name == "workbook" or path.name == Path(__file__).name:
                continue
            if "jjjplan.workbook" in path.read_text(encoding="utf-8"):
                users.append(str(path.relative_to(ROOT)))
    assert users == []
