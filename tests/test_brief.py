"""``jjjplan brief``: a one-page A4 PDF with the Chinese key-figure labels, the map, embedded
fonts and hashed inputs; chart images for slides; clear messages for every refusal."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from jjjplan import project
from jjjplan.brief import fonts as brief_fonts
from jjjplan.brief.content import GAP_MEASURE, gather
from jjjplan.brief.page import compose_page, display_width, wrap
from jjjplan.cli import main
from jjjplan.excel.read.reader import read_workbook
from jjjplan.excel.write.provenance import file_sha256
from jjjplan.maps.geometry import BOUNDARY_SOURCE

ROOT = Path(__file__).resolve().parents[1]
COORDINATED = ROOT / "workbooks" / "05-coordinated.xlsx"
_PAGE = re.compile(rb"/Type\s*/Page\b")


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


def pdf_text(require_binary, pdf: Path) -> str:
    exe = require_binary("pdftotext")
    done = subprocess.run([exe, "-layout", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.fixture(scope="module")
def chinese_brief(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("brief") / "b.pdf"
    result = invoke("brief", COORDINATED, "-o", out)
    assert result.exit_code == 0, result.output
    return out


def test_brief_is_one_a4_page_with_embedded_fonts(chinese_brief):
    data = chinese_brief.read_bytes()
    assert 1 <= len(_PAGE.findall(data)) <= 2
    assert b"/MediaBox [ 0 0 595.44 841.68 ]" in data  # A4 portrait, points
    assert b"/FontFile" in data  # glyphs embedded (subset), never referenced


def test_brief_text_has_chinese_key_figures_map_and_inputs(chinese_brief, require_binary):
    text = pdf_text(require_binary, chinese_brief)
    for label in ("关键指标", "泰尔指数T（GDP加权）", "京冀人均GDP比", "河北人均地区生产总值"):
        assert label in text, label
    # the map: its title, unit names drawn on it and the boundary source line
    assert "人均GDP较基准变化" in text
    assert "保定" in text and "张家口" in text
    assert BOUNDARY_SOURCE[0][:8] in text
    assert "假设与说明" in text and "财政账户" in text
    assert file_sha256(COORDINATED) in text.replace(" ", "")
    assert "Key figure" not in text  # Chinese by default
    # footer: data vintage and base year of the run, and the code that rebuilds the scenario
    from jjjplan.codes import decode, encode

    scenario = read_workbook(COORDINATED)
    flat = text.replace(" ", "").replace("\n", "")
    assert "2024-census5" in flat and "基期2024年" in flat
    code = encode(scenario)
    assert code in flat
    start = flat.index(code[:20])
    assert project(decode(flat[start : start + len(code)])).gaps.equals(
        project(scenario).gaps
    )  # the printed code rebuilds the scenario's results exactly


def test_english_and_bilingual_modes(tmp_path, require_binary):
    en = tmp_path / "en.pdf"
    both = tmp_path / "both.pdf"
    assert invoke("brief", COORDINATED, "-o", en, "--lang", "en").exit_code == 0
    assert invoke("brief", COORDINATED, "-o", both, "--lang", "both").exit_code == 0
    text_en = pdf_text(require_binary, en)
    assert "Key figure" in text_en and "关键指标" not in text_en
    text_both = pdf_text(require_binary, both)
    assert "关键指标" in text_both and "Key figure" in text_both
    assert len(_PAGE.findall(both.read_bytes())) <= 2


def test_chart_images_for_slides(tmp_path):
    pdf = tmp_path / "b.pdf"
    result = invoke("brief", COORDINATED, "-o", pdf, "--charts", tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("gaps", "contributions", "map"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        svg = (tmp_path / f"{name}.svg").read_text("utf-8")
        assert "<svg" in svg and "<text" not in svg  # text as paths: no font needed on a slide


def test_results_workbook_is_briefed_from_its_unchanged_scenario(tmp_path, require_binary):
    scenario = tmp_path / "plan.xlsx"
    shutil.copy(COORDINATED, scenario)
    results = tmp_path / "plan-results.xlsx"
    assert invoke("run", scenario, "-o", results).exit_code == 0
    pdf = tmp_path / "b.pdf"
    assert invoke("brief", results, "-o", pdf).exit_code == 0
    text = pdf_text(require_binary, pdf).replace(" ", "")
    assert file_sha256(results) in text and file_sha256(scenario) in text
    # the scenario changes after the run: refuse, naming the Provenance cell
    with scenario.open("ab") as fh:
        fh.write(b"\0")
    refused = invoke("brief", results, "-o", tmp_path / "c.pdf")
    assert refused.exit_code == 1
    assert "来源 Provenance" in refused.output and "changed after these results" in refused.output
    assert not (tmp_path / "c.pdf").exists()


@pytest.mark.parametrize(
    ("out", "message"),
    [("b.xlsx", "a PDF briefing is .pdf"), ("missing/b.pdf", "output folder does not exist")],
)
def test_bad_output_paths_are_clear_errors(tmp_path, out, message):
    result = invoke("brief", COORDINATED, "-o", tmp_path / out)
    assert result.exit_code == 1
    assert message in result.output


def test_missing_cjk_font_is_a_clear_message_not_boxes(tmp_path, monkeypatch):
    monkeypatch.setattr(brief_fonts, "cjk_family", lambda: None)
    result = invoke("brief", COORDINATED, "-o", tmp_path / "b.pdf")
    assert result.exit_code == 1
    assert "jjjplan[brief]" in result.output and "--lang en" in result.output
    assert not (tmp_path / "b.pdf").exists()
    # English needs no CJK font
    assert invoke("brief", COORDINATED, "-o", tmp_path / "en.pdf", "--lang", "en").exit_code == 0


@pytest.fixture(scope="module")
def content():
    return gather(project(read_workbook(COORDINATED)))


def test_gap_axis_is_scaled_to_the_data_not_from_zero(content):
    fig = compose_page(content)
    gap_ax = next(ax for ax in fig.axes if "泰尔指数T（GDP加权）" in ax.get_title(loc="left"))
    low, high = gap_ax.get_ylim()
    assert low > 0.5 * content.gap_scenario.min()
    assert low <= min(content.gap_scenario.min(), content.gap_baseline.min()) <= high


def test_bands_are_drawn_when_draws_exist(content):
    years = content.gap_scenario.index
    bands = pd.DataFrame(
        {"low": content.gap_scenario * 0.95, "high": content.gap_scenario * 1.05}, index=years
    )
    with_bands = gather(content.results, bands=bands)
    fig = compose_page(with_bands)
    gap_ax = next(ax for ax in fig.axes if "泰尔指数T" in ax.get_title(loc="left") and ax.lines)
    assert len(gap_ax.collections) == 1  # the filled band
    assert "情景不确定区间" in [t.get_text() for t in gap_ax.get_legend().get_texts()]


def test_gap_band_from_draws_is_the_ensembles_5_to_95_band(content):
    """``--draws``: the band drawn is the ensemble's own 5–95% band of Theil T."""
    from jjjplan.brief import gap_band
    from jjjplan.uncertainty import ensemble

    band = gap_band(content.results, draws=16, seed=2)
    b = ensemble(content.results.scenario, draws=16, seed=2).bands((0.05, 0.95))
    b = b[(b.variable == GAP_MEASURE) & (b.region == "JJJ")]
    assert list(band.index) == sorted(set(b.year))
    assert band.loc[2035, "low"] == b[(b.year == 2035) & (b["quantile"] == 0.05)].value.item()
    assert (band.high >= band.low).all() and (band.loc[2035].high > band.loc[2035].low)


def test_key_figures_match_the_results_workbook_definitions(content):
    theil = next(k for k in content.key_figures if k.indicator.key == GAP_MEASURE)
    assert theil.scenario[2035] == pytest.approx(float(content.results.gaps[GAP_MEASURE][2035]))
    assert theil.delta(2035) == pytest.approx(
        float(content.results.gaps[GAP_MEASURE][2035] - content.base.gaps[GAP_MEASURE][2035])
    )
    assert content.contributions.sum() == pytest.approx(theil.delta(2035), abs=1e-9)


def test_wrap_counts_chinese_as_double_width():
    assert display_width("京津冀ab") == 8
    wrapped = wrap("京津冀产业协同情景简报 and a long English tail", 12)
    assert all(display_width(line) <= 12 for line in wrapped.splitlines())
    assert "English" in wrapped.replace("\n", " ").split()


def test_pdf_bytes_for_a_dashboard_download(content):
    from jjjplan.brief import brief_pdf_bytes

    data = brief_pdf_bytes(content.results, lang="en")
    assert data.startswith(b"%PDF") and len(_PAGE.findall(data)) == 1
