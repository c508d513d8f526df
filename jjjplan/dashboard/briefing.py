"""The dashboard's briefing row: the one-page PDF of what is on screen, and chart images.

"生成简报 Briefing (PDF)" writes :func:`jjjplan.brief.brief_pdf_bytes` of the current
settings (with the 5–95% band when the uncertainty draws are on) twice: as a download link
in the page (a ``data:`` URI, so it works in Voilà offline and needs no file route), and
beside the scenario under a name that does not exist yet (never over a file). "导出图表
Chart images" writes the dashboard's charts as PNG and SVG for slides through kaleido,
which drives the machine's Chrome/Chromium (``pip install "jjjplan[images]"``); without
kaleido or a browser it writes the briefing's charts (matplotlib, fonts embedded) instead
and says so. plotly's own toolbar still gives a PNG of any chart in one click.

Only widgets, names and file writing live here; :class:`jjjplan.dashboard.Dashboard` says
what is written (``write_briefing``, ``write_chart_images``).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from jjjplan.dashboard.labels import UI, Lang, both
from jjjplan.dashboard.naming import file_name

#: Largest file offered as an in-page download link (bigger ones are only saved).
MAX_LINK_BYTES = 20 * 2**20
MIME = {".pdf": "application/pdf", ".png": "image/png", ".svg": "image/svg+xml"}


def word(key: str, lang: Lang) -> str:
    """A briefing-row word (``briefing_*`` in the dashboard catalogue) in mode ``lang``."""
    return both(UI[f"briefing_{key}"], lang)


def download_link(content: bytes, filename: str, label: str, css: str = "jjj-download") -> str:
    """An ``<a download>`` whose target is the file itself (``data:`` URI): the browser
    saves it without asking the server, so it works offline and in Voilà."""
    mime = MIME.get(Path(filename).suffix.lower(), "application/octet-stream")
    data = base64.b64encode(content).decode("ascii")
    return (
        f"<a class='{css}' download='{escape(filename, quote=True)}' "
        f"href='data:{mime};base64,{data}'>{escape(label)}: {escape(filename)}</a>"
    )


def free_file(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem+suffix`` with a Windows-safe stem, numbered (``-2``, ``-3``…) until no
    such file or folder exists: the dashboard proposes a new name, it never replaces."""
    base = Path(file_name(stem)).stem
    path, n = folder / f"{base}{suffix}", 2
    while path.exists() or path.is_symlink():
        path, n = folder / f"{base}-{n}{suffix}", n + 1
    return path


def brief_band(bands: pd.DataFrame | None, outcome: str = "theil_t") -> pd.DataFrame | None:
    """The dashboard's quantile bands (columns (outcome, quantile), index year) as the
    briefing's 5–95% band of ``outcome`` (columns ``low``, ``high``); None when off."""
    if bands is None or len(bands) == 0:
        return None
    one = bands[outcome]
    return pd.DataFrame({"low": one[0.05], "high": one[0.95]}, index=one.index)


def write_new_file(content: bytes, path: Path, kind: str, inputs: list[Path]) -> Path:
    """Write ``content`` to ``path`` atomically through the one output policy; an existing
    file is refused (the caller proposed a free name), an input is never written."""
    from jjjplan.excel.safety import atomic_save
    from jjjplan.output_policy import check_output

    target = check_output(path, kind, inputs=inputs, existing="refuse").path
    return atomic_save(lambda tmp: Path(tmp).write_bytes(content), target, verify=False)


def plotly_images(figures: Mapping[str, object], folder: Path, scale: float = 2) -> list[Path]:
    """Each plotly figure as PNG and SVG in ``folder`` (one kaleido browser session for
    all); raises ImportError/RuntimeError when kaleido or its browser is missing."""
    import kaleido  # noqa: F401  (ImportError when the images extra is not installed)
    import plotly.io as pio

    figs, paths = [], []
    for name, fig in figures.items():
        for fmt in ("png", "svg"):
            figs.append(fig)
            paths.append(folder / f"{name}.{fmt}")
    pio.write_images(figs, paths, scale=scale)
    return paths


class BriefingPanel:
    """Two buttons, a status line and the download links of the last files written."""

    def __init__(self, lang: Lang) -> None:
        self.caption = widgets.HTML()
        self.brief_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.brief_button.add_class("jjj-brief")
        self.images_button = widgets.Button(layout=widgets.Layout(width="auto"))
        self.images_button.add_class("jjj-images")
        self.status = widgets.HTML()
        self.status.add_class("jjj-brief-status")
        self.links = widgets.HTML()
        self.links.add_class("jjj-brief-links")
        self.widget = widgets.VBox(
            [
                self.caption,
                widgets.HBox(
                    [self.brief_button, self.images_button, self.status],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
                self.links,
            ]
        )
        self.relabel(lang)

    def relabel(self, lang: Lang) -> None:
        self.lang = lang
        self.caption.value = f"<b>{escape(word('caption', lang))}</b>"
        self.brief_button.description = word("brief", lang)
        self.images_button.description = word("images", lang)

    def busy(self, key: str | None) -> Callable[[], None]:
        """Show a busy message and disable the buttons; returns the function that ends it."""
        self.status.value = f"<small>{escape(word(key, self.lang))}</small>" if key else ""
        self.brief_button.disabled = self.images_button.disabled = True

        def done() -> None:
            self.status.value = ""
            self.brief_button.disabled = self.images_button.disabled = False

        return done

    def offer(self, files: list[tuple[Path, bytes | None]], note: str = "") -> None:
        """List the files written: each with its download link (when small enough) and
        where it was saved."""
        lang, items = self.lang, []
        for path, content in files:
            saved = f"{escape(word('saved', lang))}: <code>{escape(str(path))}</code>"
            if content is not None and len(content) <= MAX_LINK_BYTES:
                link = download_link(content, path.name, word("download", lang))
                items.append(f"<li>{link} <small>({saved})</small></li>")
            else:
                items.append(f"<li><small>{saved}</small></li>")
        extra = f"<div><small>{escape(note)}</small></div>" if note else ""
        self.links.value = f"{extra}<ul style='margin:2px 0'>{''.join(items)}</ul>"


def output_folder(source: str | None, workdir: Path) -> Path:
    """Beside the scenario workbook it came from, else the dashboard's working folder."""
    if source and Path(source).is_absolute() and Path(source).parent.is_dir():
        return Path(source).parent
    return workdir


def environment_allows_images() -> bool:
    """False when ``JJJPLAN_NO_KALEIDO=1`` (tests of the fallback; a machine without Chrome)."""
    return os.environ.get("JJJPLAN_NO_KALEIDO") != "1"
