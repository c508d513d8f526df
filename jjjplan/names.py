"""Scenario names as planners read them: look-alikes compare equal, invisible characters show.

Why: a scenario name labels a column of the comparison workbook and a line in the
dashboard, so two names that *look* the same must be treated as the same: "协同" and
"协\u200b同" (a zero-width space pasted from a web page), "Ａ" and "A", or "x" and "X ".
Names are kept exactly as typed; only comparisons use :func:`name_key`, and
:func:`invisible_characters` lets readers report what a planner cannot see.
"""

from __future__ import annotations

import unicodedata

__all__ = ["describe_invisible", "invisible_characters", "name_key"]


def _invisible(ch: str) -> bool:
    """Format characters (zero-width space/joiners, BOM, direction marks, soft hyphen) and
    control characters other than ordinary line breaks and tabs."""
    cat = unicodedata.category(ch)
    return cat == "Cf" or (cat == "Cc" and ch not in "\t\n\r") or ch in "\u2028\u2029\u180e"


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(position, character) of every invisible character in ``text``."""
    return [(i, ch) for i, ch in enumerate(text) if _invisible(ch)]


def describe_invisible(text: str, limit: int = 3) -> str:
    """``U+200B ZERO WIDTH SPACE at position 2, …`` (positions count from 1)."""
    found = invisible_characters(text)
    shown = [
        f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')} at position {i + 1}"
        for i, ch in found[:limit]
    ]
    more = f" (+{len(found) - limit})" if len(found) > limit else ""
    return ", ".join(shown) + more


def name_key(name: str) -> str:
    """The key two names are compared by: NFKC (full-width → ASCII, NBSP → space),
    invisible characters removed, runs of spaces collapsed, ends trimmed, case folded."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not _invisible(ch))
    return " ".join(text.split()).casefold()
