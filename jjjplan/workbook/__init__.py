"""Reading and writing planner Excel workbooks safely.

Module map, in data-flow order:

- untrusted file → ``preflight`` (``limits``, ``zipcheck``, ``package``, ``xmlstream``,
  ``xmlscan``, ``features``, ``rejection``), parsed in a child process by ``isolation``;
- scenario workbook → ``reader`` (``findings``, ``tables``, ``cellvalues``, ``messages``,
  ``assemble``, ``diagnose``) → ``Scenario``; layout shared with ``template`` via ``layout``;
- ``Results`` → ``results_writer`` / ``comparison`` (``sheetio``, ``charts``, ``provenance``,
  ``indicators``, ``levers``, ``labels``, ``styles``);
- every write goes through ``safety`` (atomic save, output-path checks, safe text cells);
  ``annotate`` writes a marked copy for ``jjjplan validate --annotate``.

Importing this package verifies that openpyxl parses XML through defusedxml (a hard
dependency): without it, only the expat version would stand between a planner's file and an
entity-expansion attack, so we refuse to run rather than parse unsafely.
"""

from jjjplan.workbook.preflight import assert_defusedxml_active

assert_defusedxml_active()

from jjjplan.workbook.comparison import write_comparison  # noqa: E402
from jjjplan.workbook.reader import read_workbook  # noqa: E402
from jjjplan.workbook.results_writer import write_results  # noqa: E402
from jjjplan.workbook.template import make_template  # noqa: E402

__all__ = ["make_template", "read_workbook", "write_comparison", "write_results"]
