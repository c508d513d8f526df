"""``jjjplan explore``: the CLI side of sweeps (``cli.py`` only registers it).

Every problem the planner can fix — a bad ``--where``, an unknown lever, an unreachable
scheduler, an output folder holding another sweep — is one bilingual line and exit 1.
Output is ASCII/GBK-safe (the progress line is ASCII).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jjjplan.explore.runner import SchedulerError
from jjjplan.explore.storage import SAMPLES, SweepFolderError
from jjjplan.explore.sweep import ExploreError, explore, parse_where


def _fail(err: Exception) -> None:
    click.echo(str(err), err=True)
    sys.exit(1)


def run_explore(
    workbook: Path | None,
    samples: int,
    seed: int,
    out: Path,
    levers: str | None,
    no_assumptions: bool,
    where: str | None,
    scheduler: str | None,
    chunk_size: int,
    workers: int | None,
    scenario_and_data,
) -> None:
    """Read, sweep, write and summarise (see ``jjjplan explore --help``)."""
    from jjjplan.uncertainty.progress import StderrProgress

    try:
        parse_where(where)  # a typo stops here, before anything is read or computed
    except ExploreError as err:
        _fail(err)
    if out.exists() and not out.is_dir():
        _fail(OSError(f"--out 应为文件夹 / --out must be a folder: {out}"))
    scenario, data = scenario_and_data()
    names = [n.strip() for n in levers.split(",") if n.strip()] if levers else None
    try:
        with StderrProgress("explore chunks", 1) as progress:
            sweep = explore(
                scenario,
                samples=samples,
                seed=seed,
                levers=names,
                assumptions=not no_assumptions,
                where=where,
                scheduler=scheduler,
                out=out,
                chunk_size=chunk_size,
                progress=progress,
                data=data,
                workers=workers,
            )
    except (ExploreError, SchedulerError, SweepFolderError) as err:
        _fail(err)
    n = sweep.spec["samples"]
    click.echo(
        f"已写出 {n} 个样本 / {n} samples written: "
        f"{out / SAMPLES} (chunks run {sweep.chunks_run}, reused {sweep.chunks_skipped})"
    )
    d = sweep.discovery
    if d is None:
        return
    click.echo(f"情景发现 / discovery: {out / 'discovery.xlsx'}")
    click.echo(
        f"{d.condition}: {d.share_met:.1%} of samples meet it; chosen box covers "
        f"{d.coverage:.1%} of them with density {d.density:.1%}"
    )
    if d.subsampled:
        click.echo(f"PRIM: {d.prim_note}")
    for words in d.box["words"]:
        click.echo(f"  - {words}")
    top = ", ".join(d.scores["input"].head(5))
    click.echo(f"最重要的输入 / most important inputs: {top}")
