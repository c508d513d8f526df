"""Save a briefing or map figure as PDF, PNG or SVG with the fonts embedded.

Why a helper: matplotlib reads ``pdf.fonttype`` when a figure is *saved*, not when it is
drawn, so saving outside the briefing's settings would write Type 3 glyph procedures that
copy-paste and search badly. Every save goes through :func:`save_figure`.
"""

from __future__ import annotations

import os
from typing import IO

from matplotlib.figure import Figure

from jjjplan.brief.fonts import figure_rc

#: Formats offered for slides and documents.
FORMATS: tuple[str, ...] = ("pdf", "png", "svg")


def save_figure(
    fig: Figure,
    target: str | os.PathLike[str] | IO[bytes],
    fmt: str | None = None,
    lang: str = "zh",
    dpi: int = 200,
) -> None:
    """Write ``fig`` to ``target`` (a path or a binary stream) as PDF, PNG or SVG.

    PDF embeds the CJK font as a subset (TrueType/CID), SVG draws text as paths so slides
    look the same on a machine without the font.
    """
    if fmt is None:
        fmt = os.fspath(target).rsplit(".", 1)[-1].lower() if not hasattr(target, "write") else ""
    if fmt not in FORMATS:
        raise ValueError(
            f"图形格式须为 pdf、png 或 svg，收到 {fmt!r} / format must be pdf, png or svg"
        )
    from matplotlib import rc_context

    with rc_context(figure_rc(lang)):
        fig.savefig(target, format=fmt, dpi=dpi, metadata=_metadata(fmt))


def _metadata(fmt: str) -> dict[str, str | None]:
    """No creation date in PDF/SVG, so the same inputs give the same bytes."""
    if fmt == "pdf":
        return {"CreationDate": None, "Creator": "jjjplan"}
    if fmt == "svg":
        return {"Date": None, "Creator": "jjjplan"}
    return {"Software": "jjjplan"}
