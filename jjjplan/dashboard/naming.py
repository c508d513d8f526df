"""Names and numbers for "Save as": a new scenario name, its file name, tidy pole weights.

Saving under the loaded name would leave two different scenarios with one name (and the
comparison refuses duplicates), so the dashboard proposes ``name-2``, ``name-3``… The pole
weights a planner sees are on the sliders' 0.1-point grid; :func:`round_weights` puts the
stored weights on the same grid while keeping the total at exactly 100% (largest
remainder), the poles' order, and the values of poles that must not move.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

#: Weight grid: 0.1 percentage point.
WEIGHT_STEP = 0.001
_SUFFIX = re.compile(r"^(?P<stem>.*?)-(?P<n>\d{1,4})$")
#: Characters Windows does not allow in file names, and control characters.
_BAD_FILE_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def propose_name(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` with a numbered suffix (``plan`` → ``plan-2``, ``plan-2`` → ``plan-3``) that
    is not in ``taken``."""
    taken = set(taken)
    match = _SUFFIX.match(name.strip())
    stem, n = (match["stem"], int(match["n"]) + 1) if match else (name.strip() or "scenario", 2)
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


def file_name(name: str) -> str:
    """A file name for a scenario name, safe on Windows (Chinese characters are kept)."""
    stem = _BAD_FILE_CHARS.sub("_", name).strip().rstrip(". ") or "scenario"
    return f"{stem[:120]}.xlsx"


def free_path(folder: Path, name: str) -> Path:
    """``folder/file_name(name)``, numbered further while such a file exists."""
    path = folder / file_name(name)
    while path.exists():
        name = propose_name(name)
        path = folder / file_name(name)
    return path


def round_weights(
    weights: Mapping[str, float], keep: Collection[str] = (), step: float = WEIGHT_STEP
) -> dict[str, float]:
    """Weights on a ``step`` grid summing to the same total, in the same order.

    Poles in ``keep`` are left exactly as they are; the others share what remains, each
    rounded down to the grid with the leftover steps going to the largest remainders
    (ties: first pole first). With no kept pole the result sums to exactly 1 on the grid.
    """
    units = round(1 / step)
    free = [k for k in weights if k not in keep]
    if not free:
        return dict(weights)
    room = 1.0 - sum(float(weights[k]) for k in weights if k in keep)
    room_steps = max(0, round(room * units))
    free_total = sum(max(0.0, float(weights[k])) for k in free)
    if free_total > 0:
        exact = {k: max(0.0, float(weights[k])) / free_total * room_steps for k in free}
    else:
        exact = {k: room_steps / len(free) for k in free}
    floors = {k: math.floor(v + 1e-9) for k, v in exact.items()}
    left = room_steps - sum(floors.values())
    order = sorted(free, key=lambda k: (-(exact[k] - floors[k]), free.index(k)))
    for k in order[:left]:
        floors[k] += 1
    return {k: (float(weights[k]) if k in keep else floors[k] / units) for k in weights}
