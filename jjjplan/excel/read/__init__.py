"""Read: the cells of a scenario workbook → a validated Scenario, or every problem found.

Flow: ``reader`` runs the guard (pre-flight, isolated parse; ``diagnose`` names the cell when
openpyxl still fails), loads the workbook once (``openbook``: saved values; the formula cells
come from the pre-flight, the cells' values from the pre-flight's kept text or one expat pass
with openpyxl's own cell rules, ``sheetcells``), finds inputs by defined name and Excel
Table (``tables``), parses each cell strictly (``cellvalues``) and collects values and
problems in ``findings``; ``assemble``
builds the :class:`~jjjplan.scenario.Scenario` and maps its validation problems back to
cells. ``annotate`` writes a marked copy of a workbook for ``jjjplan validate --annotate``.
Uses :mod:`jjjplan.excel.guard` and the shared modules; never :mod:`jjjplan.excel.write`.
"""

from jjjplan.excel.read.reader import read_workbook, read_workbook_report, read_workbooks

__all__ = ["read_workbook", "read_workbook_report", "read_workbooks"]
