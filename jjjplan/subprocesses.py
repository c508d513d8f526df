"""Options for helper processes that behave the same on Windows, macOS and Linux.

On Windows a console program started from a windowed one (Voilà, a Jupyter kernel, a
double-clicked script) flashes a black console window unless it is created with
``CREATE_NO_WINDOW``; every helper jjjplan starts (the isolated workbook reader, fc-list,
LibreOffice, Voilà) passes :func:`no_window` to ``subprocess``.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

__all__ = ["no_window"]


def no_window() -> dict[str, Any]:
    """``subprocess.Popen`` keyword arguments that keep a helper from opening a console
    window on Windows (``{}`` elsewhere)."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NO_WINDOW", 0x08000000)}
    return {}
