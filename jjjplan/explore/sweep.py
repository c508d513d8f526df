"""``jjjplan.explore``: a Latin-hypercube sweep of levers and assumptions, stored as Parquet."""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from jjjplan.explore.runner import ChunkJob, runner
from jjjplan.explore.sampling import sweep_space
from jjjplan.explore.storage import SAMPLES, ChunkStore, completed_chunks, read_samples
from jjjplan.gaps import DECOMPOSITION_NAMES, FISCAL_GAP_NAMES, GAP_MEASURE_NAMES
from jjjplan.results import RATIO_NAMES
from jjjplan.scenario import Scenario
from jjjplan.targets import INDICATORS, Target, TargetError, parse_target

#: Outcome years stored for every sample (plus the year of a ``where`` condition).
OUTCOME_YEARS = (2030, 2035)
DEFAULT_CHUNK_SIZE = 2_000
#: Indicators stored per outcome year: gap measures (incl. fiscal) and ratios.
INDICATOR_COLUMNS = (*GAP_MEASURE_NAMES, *DECOMPOSITION_NAMES, *FISCAL_GAP_NAMES, *RATIO_NAMES)


class ExploreError(ValueError):
    """A bad sweep request; the message is bilingual (zh / en)."""


@dataclass
class Sweep:
    """A finished sweep: its samples (inputs + outcomes), spec and (with ``where``) discovery.

    With an ``out`` folder the samples are read back from Parquet only when first asked
    for, so a sweep without discovery never holds more than a chunk in memory.
    """

    spec: dict[str, Any]
    inputs: tuple[str, ...]
    folder: Path | None = None
    where: Target | None = None
    discovery: Any = None
    chunks_run: int = 0
    chunks_skipped: int = 0
    frame: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def samples(self) -> pd.DataFrame:
        if self.frame is None and self.folder is not None:
            self.frame = read_samples(self.folder)
        return self.frame

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Outcome columns (``indicator@year``)."""
        return tuple(
            f"{name}@{year}"
            for year in self.spec["outcome_years"]
            for name in self.spec["outcomes"]
        )


_OPERATOR = re.compile(r"(<=|>=|=<|=>|≤|≥|==|<|>|=)")
_STRICT = {"<": "<=", ">": ">="}


def parse_where(text: str | Target | None) -> Target | None:
    """``"bj_he_ratio@2035<=3.0"`` → Target, for a region-wide indicator with <=, >=, < or >.

    ``<`` and ``>`` are read as ``<=`` and ``>=``: outcomes are continuous, so a sample
    exactly on the threshold has probability zero.
    """
    if text is None or isinstance(text, Target):
        return text
    raw = str(text).strip()
    m = _OPERATOR.search(raw)
    if m is not None and m[1] in ("=", "=="):
        raise ExploreError(
            f"--where {raw!r}：请用 <=、>=、< 或 >（例如 bj_he_ratio@2035<=3.0）/ --where "
            f"{raw!r}: use <=, >=, < or > (e.g. bj_he_ratio@2035<=3.0)"
        )
    expr = raw if m is None else raw[: m.start()] + _STRICT.get(m[1], m[1]) + raw[m.end() :]
    try:
        target = parse_target(expr)
    except TargetError as err:
        raise ExploreError(f"--where: {err}") from None
    if target.indicator not in INDICATORS:
        known = ", ".join(INDICATORS)
        raise ExploreError(
            f"--where 只支持全区域指标（{known}）/ --where takes a region-wide indicator: {known}"
        )
    return target


def _vintage(scenario: Scenario, data) -> str:
    """The vintage the sweep projects with: the data's, else the scenario's, else default."""
    from jjjplan.baseline import DEFAULT_VINTAGE

    vintage = getattr(data, "vintage", None) if data is not None else None
    if vintage is None and data is not None:
        vintage = f"workbook {data}"  # a planner's baseline-data workbook path
    return str(vintage or scenario.data_vintage or DEFAULT_VINTAGE)


def _versions() -> dict[str, str]:
    import numpy
    import pyarrow

    import jjjplan

    return {
        "jjjplan": jjjplan.__version__,
        "numpy": numpy.__version__,
        "pandas": pd.__version__,
        "pyarrow": pyarrow.__version__,
        "python": platform.python_version(),
    }


def explore(
    scenario: Scenario,
    samples: int = 100_000,
    seed: int = 0,
    levers: list[str] | tuple[str, ...] | None = None,
    assumptions: bool | list[str] | tuple[str, ...] = True,
    where: str | Target | None = None,
    scheduler: str | None = None,
    out: str | Path | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress=None,
    data=None,
    workers: int | None = None,
) -> Sweep:
    """Sweep ``samples`` points around ``scenario`` (levers in their allowed ranges, pole
    weights on the simplex, assumptions from their distributions) by Latin hypercube in
    chunks of ``chunk_size``, each projected with one engine call (as ``project_many``
    would, from the chunk's lever arrays: :func:`~jjjplan.explore.runner.project_chunk`).

    ``out``: folder for ``samples.parquet`` (and ``discovery.xlsx`` with ``where``); chunks
    already there for the same spec are skipped (resumable). ``scheduler``: a Dask
    ``tcp://host:port`` address; otherwise local processes. ``progress(done, total)`` is
    called after every chunk. With ``where`` (``"bj_he_ratio@2035<=3.0"``), PRIM looks for
    the lever/assumption box where the condition holds (:mod:`jjjplan.explore.discovery`).
    """
    checks = (("samples", samples, 1), ("chunk_size", chunk_size, 1), ("seed", seed, 0))
    for name, value, low in checks:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ExploreError(
                f"{name} 应为不小于 {low} 的整数，实际为 {value!r} / {name} must be a whole "
                f"number >= {low}, found {value!r}"
            )
    target = parse_where(where)
    try:
        space = sweep_space(scenario, levers, assumptions)
    except ValueError as err:
        raise ExploreError(str(err)) from None
    if not space.columns:
        raise ExploreError("没有要抽样的杠杆或参数 / nothing to sweep (no levers, no assumptions)")
    years = tuple(sorted({*OUTCOME_YEARS, *([target.year] if target else [])}))
    job = ChunkJob(space, seed, samples, min(chunk_size, samples), years, data)
    spec = {
        "scenario": scenario.name,
        "samples": samples,
        "seed": seed,
        "chunk_size": job.chunk_size,
        "sampling": "LHS per chunk seeded (seed, chunk); pole weights uniform on the simplex",
        "inputs": list(space.columns),
        "outcome_years": list(years),
        "outcomes": list(INDICATOR_COLUMNS),
        "data_vintage": _vintage(scenario, data),
    }
    meta = {"spec": spec, "versions": _versions(), "where": target.key if target else None}
    folder = Path(out) if out is not None else None
    if folder is not None and target is not None:
        from jjjplan.output_policy import check_output

        folder.mkdir(parents=True, exist_ok=True)
        # discovery.xlsx: refuse a planner's own file there; replace an earlier jjjplan output
        check_output(folder / "discovery.xlsx", "sweep", existing="replace-own")
    done = completed_chunks(folder, spec) if folder else set()
    todo = [c for c in range(job.n_chunks) if c not in done]
    tables: dict[int, pa.Table] = {}
    finished = len(done)
    if progress:
        progress(finished, job.n_chunks)
    store = ChunkStore(folder, meta) if folder else None
    for chunk, table in runner(scheduler, workers)(job, todo, store):
        if table is not None and store:  # from Dask: written here (local workers write)
            store.write(chunk, table)
        elif table is not None:
            tables[chunk] = table
        finished += 1
        if progress:
            progress(finished, job.n_chunks)
    frame = None
    if folder is None:
        frame = pa.concat_tables([tables[c] for c in sorted(tables)]).to_pandas()
    sweep = Sweep(spec, space.columns, folder, target, None, len(todo), len(done), frame)
    if target is not None:
        from jjjplan.explore.discovery import discover

        sweep.discovery = discover(sweep)
        if folder:
            from jjjplan.explore.report import write_discovery

            write_discovery(sweep, folder / "discovery.xlsx")
    return sweep


__all__ = ["OUTCOME_YEARS", "SAMPLES", "ExploreError", "Sweep", "explore", "parse_where"]
