"""Sweeps at scale: bulk-built members equal the one-by-one ones, outcomes read at the
outcome years equal the full indicators, the bounded runner loses and repeats no chunk,
and discovery reads chunk by chunk and subsamples PRIM above its cap (and says so)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

import jjjplan.explore.discovery as discovery
from jjjplan.batch import project_many
from jjjplan.excel import read_workbook
from jjjplan.explore import explore, parse_where, read_samples
from jjjplan.explore.members import MemberBuilder, _milestones
from jjjplan.explore.outcomes import at_years, outcome_columns
from jjjplan.explore.runner import ChunkJob, evaluate_chunk, in_flight, run_local
from jjjplan.explore.sampling import chunk_inputs, sweep_space
from jjjplan.explore.storage import SAMPLES, ChunkStore, part_path, read_metadata
from jjjplan.goalseek.levers import lift, ramp
from jjjplan.scenario import Milestones, Scenario, validate

WORKBOOK = "workbooks/05-coordinated.xlsx"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return read_workbook(WORKBOOK)


@pytest.fixture(scope="module")
def space(scenario):
    return sweep_space(scenario)


def test_bulk_members_equal_one_by_one_and_validate(space):
    """Column-wise lever arithmetic gives exactly the scalar ramp/lift of goal seek."""
    x = chunk_inputs(space, seed=11, chunk=3, size=40)
    x[0, : len(space.levers.variables)] = space.levers.x0  # a member at the start: no change
    builder = MemberBuilder(space)
    members = builder.build(x)
    assert len(members) == 40 and builder.build(x[:0]) == []
    start = space.levers.start
    for row, member in zip(x, members, strict=True):
        for j, var in enumerate(space.levers.variables):
            if var.lever == "innovation.share":
                assert member.innovation.share == ramp(start.innovation.share, row[j], 0, 0.6)
            if var.lever == "chains.presence.TJ":
                tj = [k for k in start.chains.presence if k.endswith("/TJ")]
                assert len(tj) == 35
                for key in tj:
                    assert member.chains.presence[key] == lift(start.chains.presence[key], row[j])
    assert members[0].chains.presence == start.chains.presence
    assert all(validate(m) == [] for m in members[:5])
    # the 2030 half-step is clipped to the lever's range, as ramp does
    assert ramp(Milestones(0.1, 0.5, 0.5), 0.0, 0.0, 1.0).y2030 == 0.25


def test_fast_milestones_and_copies_equal_the_dataclass_way(space):
    """members._milestones writes Milestones' three fields directly and skips no
    __post_init__: if Milestones gains a field or a check, this fails first."""
    assert [f.name for f in dataclasses.fields(Milestones)] == ["y2025", "y2030", "y2035"]
    assert not hasattr(Milestones, "__post_init__")
    made = _milestones(0.1, [0.2, 0.3], [0.4, 0.5])
    assert made == [Milestones(0.1, 0.2, 0.4), Milestones(0.1, 0.3, 0.5)]
    assert all(type(m) is Milestones and hash(m) == hash(Milestones(*m.values())) for m in made)
    x = chunk_inputs(space, seed=3, chunk=1, size=4)
    for member, row in zip(MemberBuilder(space).build(x), x, strict=True):
        assert type(member.assumptions) is type(space.levers.start.assumptions)
        assert list(member.assumptions) == list(space.levers.start.assumptions)  # key order
        drawn = dict(zip(space.columns, row, strict=True))
        for a in space.assumptions:
            assert member.assumptions[a.id] == drawn["assumptions." + a.id]
        with pytest.raises(TypeError, match="read-only"):
            member.assumptions.update(x=1.0)


def test_build_restores_the_garbage_collector(space):
    import gc

    x = chunk_inputs(space, seed=1, chunk=0, size=3)
    assert gc.isenabled()
    MemberBuilder(space).build(x)
    assert gc.isenabled()
    gc.disable()
    try:
        MemberBuilder(space).build(x)
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()


def test_outcomes_at_the_outcome_years_equal_the_full_indicators(space):
    # 110 members x ~20 years > 2,048 rows: the full indicators span several of the gap
    # measures' row blocks, the restricted ones one block; the numbers must not differ
    x = chunk_inputs(space, seed=2, chunk=0, size=110)
    batch = project_many(space.scenarios(x))
    full = batch.indicators
    years = (2025, 2030, 2035)
    cut = at_years(batch, years).indicators
    for year in years:
        np.testing.assert_array_equal(
            cut.xs(year, level="year").to_numpy(), full.xs(year, level="year").to_numpy()
        )
    columns = outcome_columns(batch, (2030, 2035))
    assert list(columns)[:2] == [f"{full.columns[0]}@2030", f"{full.columns[1]}@2030"]
    np.testing.assert_array_equal(
        columns["bj_he_ratio@2035"], full.xs(2035, level="year")["bj_he_ratio"].to_numpy()
    )
    with pytest.raises(ValueError, match="outside the projection"):
        at_years(batch, (2040,))


def test_bounded_runner_returns_every_chunk_once(space):
    job = ChunkJob(space, seed=4, samples=35, chunk_size=5, outcome_years=(2030, 2035))
    assert in_flight(2) == 4 and job.n_chunks == 7
    got = dict(run_local(job, range(7), workers=2))
    assert sorted(got) == list(range(7))
    for chunk in (0, 6):
        assert got[chunk].equals(evaluate_chunk(job, chunk))


def test_local_workers_store_their_own_chunks(space, tmp_path):
    """With a store, worker processes write complete chunk files (with the sweep's
    metadata) and hand back only the index; the files hold what evaluate_chunk returns."""
    job = ChunkJob(space, seed=4, samples=25, chunk_size=5, outcome_years=(2030, 2035))
    meta = {"spec": {"seed": 4}}
    got = list(run_local(job, range(5), workers=2, store=ChunkStore(tmp_path, meta)))
    assert sorted(got) == [(c, None) for c in range(5)]
    assert sorted(p.name for p in (tmp_path / SAMPLES).iterdir()) == [
        f"part-{c:06d}.parquet" for c in range(5)
    ]  # no temp files left
    for chunk in (0, 4):
        path = part_path(tmp_path, chunk)
        assert read_metadata(path) == meta
        stored = pq.read_table(path).replace_schema_metadata(None)
        assert stored.equals(evaluate_chunk(job, chunk))


def test_prim_rows_capped_seeded_sorted(monkeypatch):
    assert discovery.prim_rows(discovery.PRIM_ROWS, 0) is None
    monkeypatch.setattr(discovery, "PRIM_ROWS", 50)
    rows = discovery.prim_rows(200, 3)
    assert len(rows) == 50 == len(np.unique(rows)) and np.all(np.diff(rows) > 0)
    assert rows.min() >= 0 and rows.max() < 200
    np.testing.assert_array_equal(rows, discovery.prim_rows(200, 3))
    assert not np.array_equal(rows, discovery.prim_rows(200, 4))


def test_discovery_above_the_cap_subsamples_prim_and_says_so(tmp_path, scenario, monkeypatch):
    kw = dict(
        samples=240,
        seed=2,
        chunk_size=80,
        levers=["reform.origin_share", "poles.relocation", "innovation.share"],
        assumptions=["gap_persistence"],
        workers=1,
    )
    sweep = explore(scenario, out=tmp_path / "plain", **kw)
    frame = sweep.samples
    some = read_samples(tmp_path / "plain", ["bj_he_ratio@2035"])  # Parquet column projection
    assert list(some.columns) == ["sample", "bj_he_ratio@2035"]
    np.testing.assert_array_equal(some.to_numpy(), frame[some.columns].to_numpy())
    cut = float(frame["bj_he_ratio@2035"].quantile(0.4))
    where = f"bj_he_ratio@2035<={cut!r}"
    monkeypatch.setattr(discovery, "PRIM_ROWS", 100)
    found = explore(scenario, out=tmp_path / "capped", where=where, **kw)
    d = found.discovery
    assert (d.samples, d.prim_samples, d.subsampled) == (240, 100, True)
    # the share meeting the condition and the sampled ranges count ALL samples
    met = frame["bj_he_ratio@2035"] <= cut
    assert d.share_met == pytest.approx(met.mean())
    for r in d.box.itertuples():
        assert r.sampled_low == frame[r.input].min() and r.sampled_high == frame[r.input].max()
    # PRIM peeled exactly the chosen rows: its first box holds all of them
    rows = discovery.prim_rows(240, 2)
    assert d.trajectory["n"].iloc[0] == 100
    assert d.trajectory["k"].iloc[0] == met.to_numpy()[rows].sum()
    inside = np.ones(100, bool)
    sub = frame.iloc[rows]
    for r in d.box.itertuples():
        inside &= sub[r.input].between(r.box_low, r.box_high).to_numpy()
    assert inside.sum() == d.trajectory["n"].iloc[d.chosen]
    # words name a side only when PRIM moved it from the range of the rows it peeled
    for r in d.box.itertuples():
        low_cut, high_cut = r.box_low > sub[r.input].min(), r.box_high < sub[r.input].max()
        assert ("between" in r.words) == (low_cut and high_cut)
        assert ("at least" in r.words) == (low_cut and not high_cut)
        assert ("at most" in r.words) == (high_cut and not low_cut)
    assert "100 of 240" in d.prim_note
    sheet = load_workbook(tmp_path / "capped" / "discovery.xlsx")["发现 Discovery"]
    assert d.prim_note in [c.value for c in sheet["B"]]
    # in memory (no folder) reads the same rows and finds the same box
    mem = explore(scenario, where=where, **kw).discovery
    pd.testing.assert_frame_equal(mem.box, d.box)


def test_discovery_reads_inputs_as_float64_for_prim(scenario):
    """EMA 2.5's PRIM silently drops float32 columns, so PRIM's inputs must stay float64."""
    sweep = explore(
        scenario, samples=30, seed=1, chunk_size=10, levers=["reform.origin_share"], workers=1
    )
    target = parse_where("bj_he_ratio@2035<=3")
    data = discovery.read_prim_data(sweep, "bj_he_ratio@2035", target.met)
    assert (data.x.dtypes == np.float64).all() and list(data.x.columns) == list(sweep.inputs)
    assert data.samples == 30 and len(data.x) == 30


def _assert_same_projection(got, want) -> None:
    """Every array of two batch projections equal to the last bit."""
    for f in dataclasses.fields(want.projection):
        a, b = getattr(got.projection, f.name), getattr(want.projection, f.name)
        if isinstance(b, dict):
            assert a.keys() == b.keys(), f.name
            for key in b:
                np.testing.assert_array_equal(a[key], b[key], err_msg=f"{f.name}.{key}")
        elif isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)


def test_a_chunk_from_lever_arrays_equals_projecting_its_scenarios(space):
    """The sweep enters the engine with lever arrays (MemberBuilder.levers): a real chunk —
    pole weights, milestone ramps, the three chain lifts, integer and real reform levers,
    every uncertain assumption, a member at the start, a member with no chain lift —
    projects exactly as project_many of its Scenarios."""
    from jjjplan.explore.runner import project_chunk

    columns = set(space.columns)
    assert {"poles.weights.TJ", "chains.presence.HE", "innovation.share"} <= columns
    assert {"reform.share_years", "reform.origin_share", "assumptions.beta_conv"} <= columns
    x = chunk_inputs(space, seed=5, chunk=2, size=60)
    n_lever = len(space.levers.variables)
    x[0, :n_lever] = space.levers.x0  # at the start: no lever moved
    x[1, [space.columns.index(f"chains.presence.{p}") for p in ("BJ", "TJ", "HE")]] = 0.0
    got = project_chunk(space, x)
    want = project_many(space.scenarios(x))
    _assert_same_projection(got, want)
    np.testing.assert_array_equal(got.indicator_values[0], want.indicator_values[0])
    # the members themselves are built only when asked for, and are the same Scenarios
    assert len(got.scenarios) == 60 and got.scenarios[7] == want.scenarios[7]
    assert got.scenarios[-1] == want.scenarios[-1] and got.scenarios[2:4] == want.scenarios[2:4]


def test_lever_arrays_keep_switched_off_pathways_overrides_and_start_year(scenario):
    """A narrower sweep around a start with a pathway switched off (current policy there),
    a later policy start and a baseline override still projects as its Scenarios."""
    from jjjplan.explore.runner import project_chunk
    from jjjplan.scenario import Pathways

    start = scenario.replace(
        pathways=Pathways(growth_poles=True, chain_filling=False, innovation=True, reform=True),
        policy_start_year=2027,
        baseline_overrides={"TJ": {"gdp": 17_000.0}},
    )
    narrow = sweep_space(start, ["reform.cap_multiple", "innovation.absorption"], ["d_decay"])
    x = chunk_inputs(narrow, seed=6, chunk=0, size=12)
    got = project_chunk(narrow, x)
    _assert_same_projection(got, project_many(narrow.scenarios(x)))
    assert not got.projection.chain_va.any()  # chain filling off: current policy


def test_the_engine_takes_lever_arrays_only_with_their_data(space):
    from jjjplan.explore.members import MemberBuilder
    from jjjplan.model.engine import END_YEAR, resolve_data, run

    bd = resolve_data([space.levers.start])
    years = tuple(range(bd.years[0], END_YEAR + 1))
    levers = MemberBuilder(space).levers(chunk_inputs(space, 1, 0, 3), bd.units, 2024, years)
    with pytest.raises(TypeError, match="BaseData"):
        run(levers)
    with pytest.raises(ValueError, match="other units or years"):
        run(dataclasses.replace(levers, years=years[:-1]), bd)
