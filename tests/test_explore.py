"""Sweeps: sampling on the simplex and in range, determinism per chunk, members equal to
goal seek's LeverSpace, Parquet chunks with metadata, resumption, Ctrl-C, --where, PRIM."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from jjjplan.assumptions import ASSUMPTION_BY_ID
from jjjplan.baseline import DEFAULT_VINTAGE
from jjjplan.cli import main
from jjjplan.errors import ValidationError
from jjjplan.excel import read_workbook
from jjjplan.explore import ExploreError, SweepFolderError, explore, parse_where, read_samples
from jjjplan.explore.discovery import box_words, density_goal
from jjjplan.explore.sampling import chunk_inputs, sweep_space
from jjjplan.explore.storage import META_KEY, SAMPLES
from jjjplan.scenario import Scenario, validate

WORKBOOK = "workbooks/05-coordinated.xlsx"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return read_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def space(scenario):
    return sweep_space(scenario)


def test_levers_in_range_weights_on_simplex_assumptions_in_range(space):
    x = chunk_inputs(space, seed=7, chunk=0, size=500)
    lv = space.levers
    n = len(lv.variables)
    assert np.all(x[:, :n] >= lv.low - 1e-12) and np.all(x[:, :n] <= lv.high + 1e-12)
    w = lv.weight_index()
    assert len(w) == 6
    np.testing.assert_allclose(x[:, w].sum(axis=1), 1.0, atol=1e-12)
    # uniform on the simplex (Dirichlet(1)): every weight has mean 1/6
    np.testing.assert_allclose(x[:, w].mean(axis=0), 1 / 6, atol=0.03)
    ints = lv.integer
    assert np.all(x[:, :n][:, ints] == np.round(x[:, :n][:, ints]))
    for j, a in enumerate(space.assumptions, n):
        assert a.low - 1e-12 <= x[:, j].min() and x[:, j].max() <= a.high + 1e-12


def test_inputs_do_not_depend_on_the_order_of_the_weights_mapping(scenario, space):
    """Workbook reading may order pole weights differently between processes; the sweep
    must map the same LHS column to the same pole regardless."""
    weights = dict(reversed(list(scenario.poles.weights.items())))
    shuffled = scenario.replace(poles=dataclasses.replace(scenario.poles, weights=weights))
    other = sweep_space(shuffled)
    assert other.columns == space.columns
    np.testing.assert_array_equal(
        chunk_inputs(other, seed=3, chunk=0, size=20), chunk_inputs(space, seed=3, chunk=0, size=20)
    )


def test_chunks_deterministic_and_distinct(space):
    a = chunk_inputs(space, seed=3, chunk=1, size=50)
    np.testing.assert_array_equal(a, chunk_inputs(space, seed=3, chunk=1, size=50))
    assert not np.allclose(a, chunk_inputs(space, seed=3, chunk=2, size=50))
    assert not np.allclose(a, chunk_inputs(space, seed=4, chunk=1, size=50))


def test_members_equal_lever_space_and_validate(space):
    x = chunk_inputs(space, seed=1, chunk=0, size=6)
    members = space.scenarios(x)
    n = len(space.levers.variables)
    ids = [a.id for a in space.assumptions]
    for row, member in zip(x, members, strict=True):
        assert validate(member) == []
        slow = space.levers.scenario(row[:n])
        drawn = dict(zip(ids, row[n:], strict=True))
        slow = slow.replace(assumptions={**slow.assumptions, **drawn})
        # LeverSpace renormalises the weights once more: equal to the last bit or two
        w = member.poles.weights
        assert slow.poles.weights == pytest.approx(dict(w), rel=1e-12)
        slow = slow.replace(poles=dataclasses.replace(slow.poles, weights=w))
        assert member == slow


def test_sweep_parquet_metadata_resume_and_spec_guard(tmp_path, scenario):
    kw = dict(samples=30, seed=5, chunk_size=10, levers=["poles.weights", "reform.origin_share"])
    first = explore(scenario, out=tmp_path, workers=1, **kw)
    parts = sorted((tmp_path / SAMPLES).glob("part-*.parquet"))
    assert [p.name for p in parts] == [f"part-{i:06d}.parquet" for i in range(3)]
    meta = json.loads(pq.read_schema(parts[0]).metadata[META_KEY])
    assert meta["spec"]["seed"] == 5 and meta["spec"]["samples"] == 30
    assert meta["spec"]["data_vintage"] == (scenario.data_vintage or DEFAULT_VINTAGE)
    assert {"jjjplan", "pyarrow", "numpy"} <= set(meta["versions"])
    frame = first.samples
    assert list(frame["sample"]) == list(range(30))
    for col in ("bj_he_ratio@2035", "theil_t@2030", "fiscal_theil_t@2035"):
        assert col in frame and frame[col].notna().all()
    # the levers not swept stay at the scenario's values: outcomes vary only through these
    assert frame["poles.weights.BJ"].std() > 0
    # resume: remove one chunk, rerun → only it is recomputed, identical result
    parts[1].unlink()
    again = explore(scenario, out=tmp_path, workers=1, **kw)
    assert (again.chunks_run, again.chunks_skipped) == (1, 2)
    assert again.samples.equals(frame)
    # in memory (no folder) gives the same samples
    mem = explore(scenario, workers=1, **kw)
    np.testing.assert_array_equal(mem.samples.to_numpy(), frame.to_numpy())
    with pytest.raises(SweepFolderError, match="another --out"):
        explore(scenario, out=tmp_path, workers=1, **{**kw, "seed": 6})


def test_interrupt_leaves_only_complete_chunks(tmp_path, scenario):
    kw = dict(samples=30, seed=2, chunk_size=10, levers=["reform.origin_share"], workers=1)
    calls = []

    def stop_after_first(done, total):
        calls.append(done)
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        explore(scenario, out=tmp_path, progress=stop_after_first, **kw)
    files = sorted(p.name for p in (tmp_path / SAMPLES).iterdir())
    assert files == ["part-000000.parquet"]  # no temp files, no partial chunk
    done = explore(scenario, out=tmp_path, **kw)
    assert (done.chunks_run, done.chunks_skipped) == (2, 1)
    fresh = explore(scenario, **kw)
    np.testing.assert_array_equal(done.samples.to_numpy(), fresh.samples.to_numpy())


def test_interrupt_with_worker_processes_leaves_only_complete_chunks(tmp_path, scenario):
    """Local workers write their own chunks: after an interrupt, explore has waited for the
    chunks being written, so the folder holds complete, readable files only."""
    kw = dict(samples=60, seed=2, chunk_size=10, levers=["reform.origin_share"], workers=2)

    def stop_after_first(done, total):
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        explore(scenario, out=tmp_path, progress=stop_after_first, **kw)
    files = sorted((tmp_path / SAMPLES).iterdir())
    assert 1 <= len(files) < 6
    assert all(re.fullmatch(r"part-\d{6}\.parquet", p.name) for p in files)  # no temp files
    assert all(pq.read_table(p).num_rows == 10 for p in files)
    done = explore(scenario, out=tmp_path, **kw)
    assert (done.chunks_run, done.chunks_skipped) == (6 - len(files), len(files))
    fresh = explore(scenario, **{**kw, "workers": 1})
    np.testing.assert_array_equal(done.samples.to_numpy(), fresh.samples.to_numpy())


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("bj_he_ratio@2035=3", "use <=, >=, < or >"),
        ("bj_he_ratio 2035 <= 3", "cannot read target"),
        ("nope@2035<=3", "unknown indicator"),
        ("bj_he_ratio@1990<=3", "year"),
        ("gdp[HE]@2035>=1", "region-wide"),
        ("bj_he_ratio@2035<=x", "cannot read target"),
    ],
)
def test_bad_where_is_a_clear_error(text, match):
    with pytest.raises(ExploreError, match=match):
        parse_where(text)


def test_where_strict_operators_read_as_inclusive():
    assert parse_where("bj_he_ratio@2035<3.0").key == "bj_he_ratio@2035<=3"
    assert parse_where(" theil_t@2030 > 0.05 ").op == ">="


def test_box_words_and_density_goal():
    assert density_goal(0.2) == 0.8 and density_goal(0.9) == pytest.approx(0.95)
    words = box_words("reform.origin_share", 0.3, 1.0, 0.0, 1.0)
    assert "不低于 30.0%" in words and "at least 30.0%" in words
    a = ASSUMPTION_BY_ID["gap_persistence"]
    words = box_words("assumptions.gap_persistence", a.low, 0.9, a.low, a.high)
    assert "at most 0.9" in words and a.name_en in words


def test_discovery_finds_the_box_of_a_planted_rule(tmp_path, scenario):
    """Sweep only the origin share and relocation: PRIM's box must restrict a swept lever,
    its trajectory must trade coverage for density, and discovery.xlsx must hold it."""
    kw = dict(
        samples=200,
        seed=1,
        chunk_size=100,
        levers=["reform.origin_share", "poles.relocation", "innovation.share"],
        assumptions=False,
        workers=1,
    )
    # condition: the lower third of the outcome, so PRIM has something to separate
    cut = float(explore(scenario, **kw).samples["bj_he_ratio@2035"].quantile(1 / 3))
    sweep = explore(scenario, where=f"bj_he_ratio@2035<={cut!r}", out=tmp_path, **kw)
    d = sweep.discovery
    met = sweep.samples["bj_he_ratio@2035"] <= cut
    assert d.share_met == pytest.approx(met.mean())
    assert 0 < d.share_met < 1
    t = d.trajectory
    assert t["coverage"].iloc[0] == pytest.approx(1.0)
    assert t["density"].iloc[0] == pytest.approx(d.share_met)
    assert t["density"].iloc[d.chosen] > d.share_met
    assert len(d.box) >= 1 and set(d.box["input"]) <= set(sweep.inputs)
    # the box limits really select the samples PRIM counted
    inside = np.ones(len(sweep.samples), bool)
    for r in d.box.itertuples():
        inside &= sweep.samples[r.input].between(r.box_low, r.box_high).to_numpy()
    assert inside.sum() == t["n"].iloc[d.chosen]
    assert met[inside].sum() == t["k"].iloc[d.chosen]
    assert set(d.scores["input"]) == set(sweep.inputs)
    assert d.scores["score"].sum() == pytest.approx(1.0)
    wb = load_workbook(tmp_path / "discovery.xlsx")
    assert wb.sheetnames == [
        "发现 Discovery",
        "剥离轨迹 Trajectory",
        "重要性 Feature scores",
        "来源 Provenance",
    ]
    assert len(wb["剥离轨迹 Trajectory"]._charts) == 1
    words = [c.value for c in wb["发现 Discovery"]["A"] if c.value]
    assert d.box["words"].iloc[0] in words
    # a rerun replaces its own discovery.xlsx but never a planner's file of that name
    again = explore(scenario, where=f"bj_he_ratio@2035<={cut!r}", out=tmp_path, **kw)
    assert again.chunks_skipped == 2 and (tmp_path / "discovery.xlsx").exists()
    other = tmp_path / "other"
    other.mkdir()
    Workbook().save(other / "discovery.xlsx")
    with pytest.raises(ValidationError):
        explore(scenario, where="bj_he_ratio@2035<=3", out=other, **kw)
    assert not (other / SAMPLES).exists()


def test_cli_explore_and_errors(tmp_path):
    runner = CliRunner()
    out = tmp_path / "ex"
    args = ["explore", WORKBOOK, "--samples", "40", "--seed", "3", "--out", str(out)]
    args += ["--chunk-size", "20", "--workers", "1", "--levers", "reform.origin_share"]
    res = runner.invoke(main, [*args, "--where", "bj_he_ratio@2035<=3.0"])
    assert res.exit_code == 0, res.output
    assert (out / "discovery.xlsx").exists() and len(read_samples(out)) == 40
    assert "samples written" in res.output
    res.output.encode("gbk")  # survives a Chinese Windows console
    bad = runner.invoke(main, [*args, "--where", "bj_he_ratio@2035==3"])
    assert bad.exit_code == 1 and "use <=, >=, < or >" in bad.output
    bad = runner.invoke(main, [*args, "--levers", "poles.nope"])
    assert bad.exit_code == 1 and "unknown lever" in bad.output


def test_ema_model_declares_levers_uncertainties_outcomes_and_runs():
    import warnings

    import jjjplan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator

    model = jjjplan.ema_model(
        levers=["reform.origin_share", "poles.weights", "reform.share_years"],
        assumptions=["gap_persistence"],
    )
    names = {p.name for p in model.levers}
    assert {"reform.origin_share", "reform.share_years", "poles.weights.BJ"} <= names
    assert [u.name for u in model.uncertainties] == ["assumptions.gap_persistence"]
    assert "bj_he_ratio@2035" in {o.name for o in model.outcomes}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=1)
    # EMA's outcome equals jjjplan's own projection of the same inputs
    row = experiments.iloc[0]
    scenario = jjjplan.Scenario.baseline()
    from jjjplan.explore.sampling import sweep_space

    space = sweep_space(
        scenario,
        ["reform.origin_share", "poles.weights", "reform.share_years"],
        ["gap_persistence"],
    )
    x = np.array([float(row[c]) for c in space.columns])
    w = space.levers.weight_index()
    x[w] = x[w] / x[w].sum()
    [member] = space.scenarios(x[None, :])
    expected = jjjplan.project(member).ratios.loc[2035, "bj_he_ratio"]
    assert outcomes["bj_he_ratio@2035"][0] == pytest.approx(expected, rel=1e-12)


def test_explore_notebook_runs_and_ships_without_outputs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    root = Path(__file__).resolve().parents[1]
    path = root / "notebooks" / "explore.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.setenv("JJJPLAN_ROOT", str(root))
    monkeypatch.setenv("JJJPLAN_EXPLORE_SAMPLES", "300")
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "of samples meet it" in text
    assert (tmp_path / "explore-out" / "discovery.xlsx").exists()
