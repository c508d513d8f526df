"""defusedxml is a hard dependency and is verified active whenever workbooks are touched."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl


def test_openpyxl_parses_through_defusedxml():
    import jjjplan.excel  # noqa: F401  (the import runs the check)

    assert openpyxl.DEFUSEDXML is True


def test_workbook_package_refuses_to_load_without_defusedxml():
    env = dict(os.environ, OPENPYXL_DEFUSEDXML="False")
    proc = subprocess.run(
        [sys.executable, "-c", "import jjjplan.excel"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "defusedxml" in proc.stderr
