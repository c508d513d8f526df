"""Planner Excel workbooks, in three rooms that follow the data: guard → read → write.

::

    untrusted .xlsx ──► guard/ ──► read/ ──► Scenario ──► (model) ──► Results ──► write/ ──► .xlsx
                        may it be    cells → validated     template, results,
                        parsed? the  Scenario, findings,   comparison, provenance,
                        isolated     annotated copies      charts, styles
                        parse

- :mod:`jjjplan.excel.guard` decides whether an untrusted file may be parsed at all (zip
  container, content types, bounded XML scan, limits, lossy features) and runs the parse in
  a child process limited in memory and time;
- :mod:`jjjplan.excel.read` turns the cells of a scenario workbook into a validated
  :class:`~jjjplan.scenario.Scenario`, collecting every problem with its sheet and cell, and
  writes annotated copies for ``jjjplan validate --annotate``;
- :mod:`jjjplan.excel.write` writes the template, the results and comparison workbooks.

Shared by all three, and importing none of them: :mod:`~jjjplan.excel.layout` (where every
block of the template sits, declared once for the template and the reader),
:mod:`~jjjplan.excel.catalogue` (every bilingual word and message) and
:mod:`~jjjplan.excel.safety` (atomic saving, output-path checks, safe text cells). A module
never imports one of a later room (``tests/test_excel_layout.py`` checks it).

Importing this package verifies that openpyxl parses XML through defusedxml (a hard
dependency): without it, only the expat version would stand between a planner's file and an
entity-expansion attack, so we refuse to run rather than parse unsafely.

The four entry points are imported on first use, so a process that only reads (the
isolated reading helper) never imports the writers, and one that only writes never imports
the reader.
"""

from typing import TYPE_CHECKING, Any

from jjjplan.excel.guard.preflight import assert_defusedxml_active

assert_defusedxml_active()

if TYPE_CHECKING:
    from jjjplan.excel.read import read_workbook
    from jjjplan.excel.write import make_template, write_comparison, write_results

__all__ = ["make_template", "read_workbook", "write_comparison", "write_results"]

_WHERE = {
    "read_workbook": "jjjplan.excel.read",
    "make_template": "jjjplan.excel.write",
    "write_comparison": "jjjplan.excel.write",
    "write_results": "jjjplan.excel.write",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'jjjplan.excel' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value
