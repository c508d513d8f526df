"""The dashboard's briefing row: the PDF of the current settings as a download link and a
new file beside the scenario (never over one), bands when draws are on, chart images."""

from __future__ import annotations

import base64
import re
import shutil
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jjjplan.dashboard import Dashboard
from jjjplan.dashboard.briefing import brief_band, download_link, free_file, write_new_file
from jjjplan.errors import ValidationError

ROOT = Path(__file__).resolve().parents[1]
COORDINATED = ROOT / "workbooks" / "05-coordinated.xlsx"
_LINK = re.compile(r"download='([^']+)' href='data:([^;]+);base64,([^']+)'")


def links(d: Dashboard) -> list[tuple[str, str, bytes]]:
    """(file name, MIME type, content) of each download link the briefing row shows."""
    html = d.briefing.links.value
    return [(unescape(n), m, base64.b64decode(b)) for n, m, b in _LINK.findall(html)]


@pytest.fixture
def planner(tmp_path) -> tuple[Dashboard, Path]:
    """A dashboard showing a copy of the coordinated scenario in the planner's folder."""
    folder = tmp_path / "plans"
    folder.mkdir()
    wb = folder / "coordinated.xlsx"
    shutil.copy(COORDINATED, wb)
    return Dashboard(workbook=wb, workdir=tmp_path), wb


def test_download_link_carries_the_file_itself():
    html = download_link(b"%PDF-1.4 x", "简报 'a'.pdf", "下载")
    [(n, m, b)] = _LINK.findall(html)
    name, mime, data = unescape(n), m, base64.b64decode(b)
    assert (name, mime, data) == ("简报 'a'.pdf", "application/pdf", b"%PDF-1.4 x")


def test_free_file_numbers_until_nothing_is_there(tmp_path):
    assert free_file(tmp_path, "a/b:c", ".pdf") == tmp_path / "a_b_c.pdf"
    (tmp_path / "p.pdf").write_bytes(b"x")
    (tmp_path / "p-2.pdf").mkdir()  # a folder counts as taken too
    assert free_file(tmp_path, "p", ".pdf") == tmp_path / "p-3.pdf"


def test_write_new_file_never_replaces(tmp_path):
    target = tmp_path / "b.pdf"
    target.write_bytes(b"planner's")
    with pytest.raises(ValidationError):
        write_new_file(b"new", target, "pdf", [])
    assert target.read_bytes() == b"planner's"


def test_brief_band_is_the_5_to_95_band_of_theil_t():
    years = [2030, 2035]
    cols = pd.MultiIndex.from_product([["theil_t", "bj_he_ratio"], [0.05, 0.25, 0.75, 0.95]])
    bands = pd.DataFrame(np.arange(16.0).reshape(2, 8), index=years, columns=cols)
    band = brief_band(bands)
    assert list(band.columns) == ["low", "high"] and list(band.index) == years
    assert band.loc[2035, "low"] == 8.0 and band.loc[2035, "high"] == 11.0
    assert brief_band(None) is None


def test_briefing_button_saves_beside_the_scenario_and_offers_a_download(planner):
    d, wb = planner
    d.briefing.brief_button.click()
    assert "[error]" not in d.log.text, d.log.text
    pdfs = sorted(wb.parent.glob("*.pdf"))
    assert [p.name for p in pdfs] == ["协同推进 Coordinated-简报.pdf"]
    [(name, mime, data)] = links(d)
    assert name == pdfs[0].name and mime == "application/pdf"
    assert data == pdfs[0].read_bytes() and data.startswith(b"%PDF")
    assert not d.briefing.brief_button.disabled and d.briefing.status.value == ""
    # a second briefing gets a new name; the first file is untouched
    first = pdfs[0].read_bytes()
    d.briefing.brief_button.click()
    assert sorted(p.name for p in wb.parent.glob("*.pdf")) == [
        "协同推进 Coordinated-简报-2.pdf",
        "协同推进 Coordinated-简报.pdf",
    ]
    assert pdfs[0].read_bytes() == first


def test_briefing_hashes_the_workbook_only_while_it_is_what_is_shown(planner):
    d, wb = planner
    assert d._brief_inputs() == (wb,)
    d.controls["reform.origin_share"].input.value = 20
    assert d._brief_inputs() == ()  # the settings no longer are the file's


def test_briefing_uses_the_dashboards_bands_and_language(planner, monkeypatch):
    d, _ = planner
    seen = {}

    def fake_pdf(results, lang, inputs, bands):
        seen.update(results=results, lang=lang, inputs=inputs, bands=bands)
        return b"%PDF-1.4 fake"

    monkeypatch.setattr("jjjplan.brief.brief_pdf_bytes", fake_pdf)
    d.set_language("en")
    d.uncertainty.draws.value = 100
    d.write_briefing()
    assert seen["lang"] == "en" and seen["results"] is d.results
    band = seen["bands"]
    assert list(band.columns) == ["low", "high"]
    assert (band["low"] <= band["high"]).all()
    d.uncertainty.draws.value = 0
    d.write_briefing()
    assert seen["bands"] is None


def test_chart_images_without_kaleido_write_the_briefing_charts(planner, monkeypatch):
    d, wb = planner
    monkeypatch.setenv("JJJPLAN_NO_KALEIDO", "1")
    d.briefing.images_button.click()
    assert "[error]" not in d.log.text, d.log.text
    [folder] = [p for p in wb.parent.iterdir() if p.is_dir()]
    assert folder.name == "协同推进 Coordinated-图表"
    names = sorted(p.name for p in folder.iterdir())
    assert "gaps.png" in names and "gaps.svg" in names and "map.svg" in names
    assert "kaleido" in d.log.text  # the notice says why and what to install
    assert {n for n, _, _ in links(d)} == set(names)
    d.briefing.images_button.click()  # a second export goes to a new folder
    assert (wb.parent / "协同推进 Coordinated-图表-2").is_dir()


@pytest.mark.slow
def test_chart_images_with_kaleido_are_the_dashboards_charts(planner, require_binary):
    pytest.importorskip("kaleido")
    require_binary("chromium")
    d, _ = planner
    written = d.write_chart_images()
    names = {p.name for p in written}
    for chart in ("gaps", "ratios", "percap", "map", "ledger"):
        assert {f"{chart}.png", f"{chart}.svg"} <= names
    svg = next(p for p in written if p.name == "gaps.svg").read_text(encoding="utf-8")
    assert "泰尔指数T" in svg  # the dashboard's own (bilingual) chart, not the briefing's
    assert next(p for p in written if p.name == "gaps.png").read_bytes()[:4] == b"\x89PNG"
