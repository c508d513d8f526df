"""Which pre-flight notices a planner sees.

LibreOffice, saving a sheet after a row was deleted, records row formatting on Excel's last
row (1,048,576) and a sheet size reaching it. The pre-flight rightly ignores both, but telling
the planner ("row 1,048,576 has row formatting but no cells") reports an artefact of the
program, not of their work, and buries the notices that matter. Other notices pass unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jjjplan.errors import Issue
from jjjplan.excel.guard.limits import EXCEL_MAX_ROWS

__all__ = ["is_save_artefact", "planner_notices"]

_LAST_ROW = str(EXCEL_MAX_ROWS)
_REAL_EXTENT = r"dimension matching the data \(([A-Z]+)1:([A-Z]+)[0-9]+\)"


def is_save_artefact(notice: Issue) -> bool:
    """True for the formatting-only last row and a recorded size reaching it."""
    found = notice.found.replace(",", "")
    if found == f"formatted row {_LAST_ROW}":
        return True
    real = re.fullmatch(_REAL_EXTENT, notice.expected)
    claimed = re.fullmatch(r"([A-Z]+)1:([A-Z]+)" + _LAST_ROW, found)
    # LibreOffice keeps the real columns and extends the rows to the last one; a size over
    # every column (A1:XFD1048576) is something else and stays a notice
    return bool(real and claimed and real.groups() == claimed.groups())


def planner_notices(notices: Iterable[Issue]) -> list[Issue]:
    return [n for n in notices if not is_save_artefact(n)]
