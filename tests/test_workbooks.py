"""The shipped scenario workbooks: each reads, projects, matches its example scenario and
follows the article section it names; and they survive a spreadsheet application's save."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import jjjplan
from jjjplan.chains import CHAINS
from jjjplan.excel import layout as L
from jjjplan.excel import read_workbook
from jjjplan.excel.write.examples import EXAMPLE_FILES, WEAK_IC_SEGMENTS, example_scenarios
from jjjplan.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = sorted((ROOT / "workbooks").glob("*.xlsx"))
EXAMPLES = dict(zip(EXAMPLE_FILES, example_scenarios(), strict=True))
SEED = Path("/work/shared/seed/jjj-industrial-coordination-2023.txt")


def test_the_shipped_set():
    assert [p.name for p in WORKBOOKS] == list(EXAMPLE_FILES)
    assert len(EXAMPLE_FILES) >= 6


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.name)
def test_workbook_reads_and_projects(path):
    scenario = read_workbook(path)
    assert scenario == EXAMPLES[path.name]
    results = jjjplan.project(scenario)
    assert np.isfinite(results.gaps.to_numpy(dtype=float)).all()


@pytest.mark.parametrize("scenario", example_scenarios()[1:], ids=lambda s: s.name)
def test_description_cites_the_article_and_says_illustrative(scenario):
    enabled = scenario.pathways.enabled()
    assert all(L.ARTICLE_SECTIONS[p] in scenario.description for p in enabled)
    assert "illustrative" in scenario.description and "示意" in scenario.description


@pytest.mark.skipif(not SEED.exists(), reason="the shared article is not available")
def test_cited_headings_are_quoted_exactly():
    text = SEED.read_text(encoding="utf-8")
    assert L.ARTICLE_PART in text
    assert all(heading in text for heading in L.ARTICLE_SECTIONS.values())


def test_example_directions():
    base = Scenario.baseline()
    poles, chains, innov, reform, both = example_scenarios()[1:]
    for unit in ("SJZ", "BD", "TS", "HD"):
        assert poles.poles.weights[unit] > base.poles.weights[unit]
    assert poles.poles.relocation.y2035 > base.poles.relocation.y2035
    ic = next(c for c in CHAINS if c.id == "ic")
    for seg in ic.segments:
        for prov in ("TJ", "HE"):
            ms = chains.chains.presence[f"ic/{seg.id}/{prov}"]
            base_ms = base.chains.presence[f"ic/{seg.id}/{prov}"]
            assert ms.y2035 > base_ms.y2035 and ms.y2025 <= ms.y2030 <= ms.y2035
            if seg.id in WEAK_IC_SEGMENTS:
                assert ms.y2035 - base_ms.y2035 >= 0.3 - 1e-9
    assert (innov.innovation.share.y2030, innov.innovation.share.y2035) == (0.15, 0.20)
    assert innov.innovation.absorption.y2035 > base.innovation.absorption.y2035
    assert reform.reform.origin_share == 0.3 and not reform.reform.government_led_only
    assert reform.reform.share_years > base.reform.share_years
    assert reform.reform.eligibility_threshold < base.reform.eligibility_threshold
    assert both.pathways.enabled() == ("growth_poles", "chain_filling", "innovation", "reform")
    assert (both.poles, both.chains, both.innovation, both.reform) == (
        poles.poles,
        chains.chains,
        innov.innovation,
        reform.reform,
    )


@pytest.mark.libreoffice
def test_survives_a_libreoffice_save(tmp_path, require_binary):
    """A planner's app rewrites the file: Tables, names and inputs must still be found, and the
    pole-weight total formula gets a cached value."""
    src = ROOT / "workbooks" / "05-coordinated.xlsx"
    out = tmp_path / "out"
    profile = (tmp_path / "profile").as_uri()
    cmd = [
        require_binary("soffice"),
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        str(src),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=180)
    saved = out / src.name
    assert read_workbook(saved) == EXAMPLES[src.name]
    ws = openpyxl.load_workbook(saved, data_only=True)[L.POLES]
    label = next(c for row in ws.iter_rows() for c in row if c.value == "合计 Total")
    assert ws.cell(label.row, label.column + 1).value == pytest.approx(1.0)
