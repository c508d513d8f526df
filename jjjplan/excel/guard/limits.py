"""Every size and count limit of the pre-flight, in one place.

Why: the limits are policy (how large a planner's workbook may be), not mechanism; callers
override them with ``Limits(max_rows=...)`` and the docs quote them, so they live apart from
the code that enforces them. Excel's own grid is 1,048,576 rows x 16,384 columns; planner
inputs are far smaller, and anything near Excel's maximum is a stray cell rather than data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CHUNK_BYTES",
    "DEFAULT_LIMITS",
    "EXCEL_MAX_COLS",
    "EXCEL_MAX_ROWS",
    "MAX_CELLS_PER_SHEET",
    "MAX_COLS",
    "MAX_DEFINED_NAMES",
    "MAX_FILE_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_SHEETS",
    "MAX_TOTAL_BYTES",
    "MAX_TOTAL_CELLS",
    "MAX_XML_TOKEN_BYTES",
    "RATIO_MIN_BYTES",
    "KiB",
    "Limits",
    "MiB",
]

KiB = 1024
MiB = 1024 * KiB

MAX_FILE_BYTES = 200 * MiB  # size of the .xlsx file itself
MAX_PART_BYTES = 100 * MiB  # declared uncompressed size of any one zip part
MAX_TOTAL_BYTES = 200 * MiB  # declared uncompressed size of all parts together
MAX_RATIO = 200.0  # uncompressed:compressed, checked for parts (and the whole file) above ...
RATIO_MIN_BYTES = 1 * MiB  # ... this uncompressed size; real sheets compress about 5-30:1
MAX_PARTS = 5_000  # zip entries (a sheet brings ~2-6 parts)
MAX_SHEETS = 500
MAX_DEFINED_NAMES = 10_000
MAX_ROWS = 100_000
MAX_COLS = 1_000
MAX_CELLS_PER_SHEET = 200_000
MAX_TOTAL_CELLS = 1_000_000
MAX_SHARED_STRINGS = 500_000
# Longest run of bytes without ">" in a part we parse. expat buffers a whole tag, comment or
# attribute (and re-scans it as data arrives), so this bounds its memory and time; Excel's
# longest legitimate run is a 32,767-character cell text (< 200 KiB even fully escaped).
MAX_XML_TOKEN_BYTES = 1 * MiB
CHUNK_BYTES = 1 * MiB  # bounded read size: memory per part never exceeds about 2 chunks

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384


@dataclass(frozen=True)
class Limits:
    """Every limit the pre-flight enforces; pass ``limits=Limits(max_rows=...)`` to override."""

    max_file_bytes: int = MAX_FILE_BYTES
    max_part_bytes: int = MAX_PART_BYTES
    max_total_bytes: int = MAX_TOTAL_BYTES
    max_ratio: float = MAX_RATIO
    ratio_min_bytes: int = RATIO_MIN_BYTES
    max_parts: int = MAX_PARTS
    max_sheets: int = MAX_SHEETS
    max_defined_names: int = MAX_DEFINED_NAMES
    max_rows: int = MAX_ROWS
    max_cols: int = MAX_COLS
    max_cells_per_sheet: int = MAX_CELLS_PER_SHEET
    max_total_cells: int = MAX_TOTAL_CELLS
    max_shared_strings: int = MAX_SHARED_STRINGS
    max_xml_token_bytes: int = MAX_XML_TOKEN_BYTES
    chunk_bytes: int = CHUNK_BYTES


DEFAULT_LIMITS = Limits()
