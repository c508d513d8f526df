"""Guard: decides whether an untrusted workbook file may be parsed, and parses it in isolation.

Flow: :func:`~jjjplan.excel.guard.preflight.preflight` checks the file and its zip container
(``zipcheck``), the package's content types and relationships (``package``), streams every
XML part through a bounded, DTD-refusing parser (``xmlstream``) and reads out what it needs
(``xmlscan``; ``cellcapture`` also keeps the cells' stored text for the reader), against
the limits in ``limits``; features openpyxl would drop are tallied by
``features``; a refusal becomes a bilingual :class:`~jjjplan.errors.WorkbookRejected` through
``rejection``. ``isolation`` then runs the real parse in a child process capped in memory and
time. Nothing here imports :mod:`jjjplan.excel.read` or :mod:`jjjplan.excel.write`.
"""

from jjjplan.excel.guard.isolation import run_isolated
from jjjplan.excel.guard.preflight import PreflightReport, preflight

__all__ = ["PreflightReport", "preflight", "run_isolated"]
