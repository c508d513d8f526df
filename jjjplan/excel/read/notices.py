"""Which pre-flight notices a planner sees.

LibreOffice, saving a sheet after a row was deleted, records row formatting on Excel's last
row (1,048,576) and a sheet size reaching it. The pre-flight rightly ignores both, but telling
the planner ("row 1,048,576 has row formatting but no cells") reports an artefact of the
program, not of their work, and buries the notices that matter. Other notices pass unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable

from jjjplan.errors import Issue
from jjjplan.excel.guard.limits import EXCEL_MAX_ROWS

__all__ = ["is_save_artefact", "planner_notices"]

_LAST_ROW = str(EXCEL_MAX_ROWS)


def is_save_artefact(notice: Issue) -> bool:
    """True for the formatting-only last row and a recorded size reaching it."""
    found = notice.found.replace(",", "")
    if found == f"formatted row {_LAST_ROW}":
        return True
    return notice.expected.startswith("dimension matching") and found.endswith(_LAST_ROW)


def planner_notices(notices: Iterable[Issue]) -> list[Issue]:
    return [n for n in notices if not is_save_artefact(n)]
