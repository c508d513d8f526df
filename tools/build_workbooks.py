"""Regenerate ``templates/jjjplan-template.xlsx`` and the example ``workbooks/*.xlsx``.

Run after changing the workbook layout, the levers, the assumptions or the baseline data;
``tests/test_template.py`` fails until the committed template matches the code again.

    .venv/bin/python tools/build_workbooks.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from jjjplan.excel import make_template
from jjjplan.excel.write.examples import EXAMPLE_FILES, example_scenarios

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "jjjplan-template.xlsx"
WORKBOOKS = ROOT / "workbooks"


def main() -> int:
    TEMPLATE.parent.mkdir(exist_ok=True)
    WORKBOOKS.mkdir(exist_ok=True)
    print(make_template(TEMPLATE).relative_to(ROOT))
    for name, scenario in zip(EXAMPLE_FILES, example_scenarios(), strict=True):
        print(make_template(WORKBOOKS / name, scenario).relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
