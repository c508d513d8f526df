"""Kept for compatibility: workbook I/O now lives in :mod:`jjjplan.excel` (guard → read → write).

``from jjjplan.workbook import read_workbook`` (and ``make_template``, ``write_results``,
``write_comparison``) keeps working, and so do the old module paths such as
``jjjplan.workbook.reader``: each is the very module object at its new place (so patching one
patches the other). New code imports from :mod:`jjjplan.excel`; this shim may be removed in a
later major version.
"""

import sys
from importlib import import_module

from jjjplan.excel import make_template, read_workbook, write_comparison, write_results

__all__ = ["make_template", "read_workbook", "write_comparison", "write_results"]

_GUARD = ("features", "isolation", "limits", "package", "preflight", "rejection", "xmlscan")
_READ = ("annotate", "assemble", "cellvalues", "diagnose", "findings", "reader", "tables")
_WRITE = ("charts", "comparison", "examples", "indicators", "levers", "provenance", "sheetio")

#: Old module name -> its new home.
MOVED_MODULES: dict[str, str] = {
    **{name: f"jjjplan.excel.guard.{name}" for name in (*_GUARD, "xmlstream", "zipcheck")},
    **{name: f"jjjplan.excel.read.{name}" for name in _READ},
    **{name: f"jjjplan.excel.write.{name}" for name in (*_WRITE, "styles", "template")},
    "results_writer": "jjjplan.excel.write.results",
    "layout": "jjjplan.excel.layout",
    "safety": "jjjplan.excel.safety",
    "labels": "jjjplan.excel.catalogue",
    "messages": "jjjplan.excel.catalogue",
}

for _old, _new in MOVED_MODULES.items():
    sys.modules.setdefault(f"{__name__}.{_old}", import_module(_new))
