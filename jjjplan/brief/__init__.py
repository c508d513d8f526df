"""The one-page briefing a planner takes into a meeting (A4 PDF, Chinese by default), and its
charts as PNG/SVG for slides.

``write_brief(workbook, "brief.pdf")`` reads a scenario workbook (or a results workbook,
through the scenario workbook its Provenance sheet names and hashes), projects it, and writes
the page atomically. Needs the ``brief`` extra (matplotlib and a CJK font package).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from jjjplan.brief.lang import LANGS, check_lang

if TYPE_CHECKING:
    import pandas as pd

    from jjjplan.brief.content import BriefContent
    from jjjplan.results import Results

__all__ = ["LANGS", "brief_pdf_bytes", "brief_results", "write_brief", "write_chart_images"]


def brief_results(
    source: str | os.PathLike[str],
    data: str | os.PathLike[str] | None = None,
    data_vintage: str | None = None,
) -> tuple[Results, tuple[Path, ...]]:
    """Results for a scenario or results workbook, and the input files to hash.

    ``data`` (a baseline-data workbook) and ``data_vintage`` (a bundled vintage) choose the
    data as ``jjjplan run --data/--data-vintage`` do: they override the workbook's vintage
    field, and a data file is hashed into the footer with the scenario. Problems of the
    workbook and of the data file are reported together (one ValidationError).
    """
    from jjjplan.brief.inputs import scenario_source
    from jjjplan.data.commands import load_data
    from jjjplan.errors import ValidationError
    from jjjplan.excel.read.reader import read_workbook
    from jjjplan.results import project

    scenario_path, inputs = scenario_source(Path(source))
    issues, notices, scenario, dataset = [], [], None, None
    try:
        scenario = read_workbook(scenario_path)
    except ValidationError as err:
        issues += err.issues
        notices += err.notices
    try:
        dataset = load_data(Path(data) if data is not None else None, data_vintage)
    except ValidationError as err:
        issues += err.issues
        notices += err.notices
    if issues:
        raise ValidationError(issues, notices)
    assert scenario is not None
    if dataset is not None:  # the run's data overrides the workbook's vintage field
        scenario = scenario.replace(data_vintage=None)
        if data is not None:
            inputs = (*inputs, Path(data))
    return project(scenario, data=dataset), inputs


def write_brief(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    lang: str = "zh",
    bands: pd.DataFrame | None = None,
    charts_dir: str | os.PathLike[str] | None = None,
    draws: int = 0,
    seed: int = 0,
    data: str | os.PathLike[str] | None = None,
    data_vintage: str | None = None,
) -> list[Path]:
    """Write the briefing for ``source`` (an .xlsx) to ``out`` (a PDF), and each chart as PNG
    and SVG into ``charts_dir`` when given; returns the paths written, the PDF first.

    ``bands``: the gap measure's uncertainty band (index year; columns ``low``, ``high``),
    drawn around the scenario path; with ``draws`` > 0 and no ``bands``, the 5–95% band of an
    ensemble of that many assumption draws (:func:`jjjplan.ensemble`, ``seed``).
    ``data`` / ``data_vintage``: the baseline data, as ``jjjplan run --data/--data-vintage``
    (the footer names the vintage, or the data file and its SHA-256).
    """
    from jjjplan.brief.content import gather
    from jjjplan.brief.export import save_figure
    from jjjplan.brief.page import compose_page
    from jjjplan.excel.safety import atomic_save

    check_lang(lang)
    results, inputs = brief_results(source, data, data_vintage)
    if bands is None and draws:
        bands = gap_band(results, draws, seed)
    content = gather(results, inputs, bands)
    page = compose_page(content, lang)
    written = [atomic_save(lambda tmp: save_figure(page, tmp, "pdf", lang), out, verify=False)]
    if charts_dir is not None:
        written += write_chart_images(content, charts_dir, lang)
    return written


def gap_band(results: Results, draws: int, seed: int = 0) -> pd.DataFrame:
    """The 5–95% band of the briefing's gap measure over ``draws`` assumption draws
    (index year; columns ``low``, ``high``)."""
    from jjjplan.brief.content import GAP_MEASURE, dataset_of
    from jjjplan.uncertainty import ensemble

    data = dataset_of(results)
    b = ensemble(results.scenario, draws=draws, seed=seed, data=data).bands((0.05, 0.95))
    b = b[(b.variable == GAP_MEASURE) & (b.region == "JJJ")]
    band = b.pivot(index="year", columns="quantile", values="value")
    return band.rename(columns={0.05: "low", 0.95: "high"})[["low", "high"]]


def write_chart_images(
    content: BriefContent, folder: str | os.PathLike[str], lang: str = "zh"
) -> list[Path]:
    """Each briefing chart as PNG and SVG in ``folder`` (for slides); returns the paths."""
    from jjjplan.brief.charts import chart_figures
    from jjjplan.brief.export import save_figure
    from jjjplan.excel.safety import atomic_save

    written = []
    for name, fig in chart_figures(content, lang).items():
        for fmt in ("png", "svg"):
            target = Path(folder) / f"{name}.{fmt}"
            written.append(
                atomic_save(
                    lambda tmp, f=fig, x=fmt: save_figure(f, tmp, x, lang), target, verify=False
                )
            )
    return written


def brief_pdf_bytes(
    results: Results,
    lang: str = "zh",
    inputs: tuple[str | os.PathLike[str], ...] = (),
    bands: pd.DataFrame | None = None,
) -> bytes:
    """The briefing of in-memory ``results`` as PDF bytes (e.g. a dashboard download button);
    ``inputs`` are files to hash into the footer."""
    import io

    from jjjplan.brief.content import gather
    from jjjplan.brief.export import save_figure
    from jjjplan.brief.page import compose_page

    check_lang(lang)
    buf = io.BytesIO()
    save_figure(compose_page(gather(results, tuple(inputs), bands), lang), buf, "pdf", lang)
    return buf.getvalue()
