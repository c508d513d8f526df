"""CLI pieces for uncertainty: ``--draws/--seed`` options, runs with a progress line, short
tables for the console, and the ``jjjplan sensitivity`` command. ``jjjplan/cli.py`` only
registers them. Console text stays inside GBK (Windows consoles)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from jjjplan.uncertainty.progress import StderrProgress

if TYPE_CHECKING:  # numpy/pandas load only when a command runs (fast `jjjplan --help`)
    from jjjplan.scenario import Scenario
    from jjjplan.uncertainty.compare import RobustComparison
    from jjjplan.uncertainty.ensembles import Ensemble

F = TypeVar("F", bound=Callable[..., Any])
CONSOLE_OUTCOMES = ("theil_t", "bj_he_ratio")
METHODS = ("sobol", "morris")  # as jjjplan.uncertainty.gsa.METHODS (a test checks they agree)
INTERRUPTED = "已中断，未写出任何文件 / interrupted: nothing was written"


def draws_options(fn: F) -> F:
    """``--draws N`` (0 = no uncertainty, the default) and ``--seed S``."""
    fn = click.option(
        "--seed",
        default=0,
        show_default=True,
        type=click.IntRange(min=0),
        help="Seed of the assumption draws (same seed, same numbers).",
    )(fn)
    return click.option(
        "--draws",
        default=0,
        show_default=True,
        type=click.IntRange(min=0),
        help="Assumption draws for uncertainty bands and probabilities (0 = off).",
    )(fn)


def _with_progress(label: str, total: int, compute: Callable[[Any], Any]) -> Any:
    """Run ``compute(progress)`` under a progress line; Ctrl-C says nothing was written."""
    try:
        with StderrProgress(label, total) as bar:
            return compute(bar)
    except KeyboardInterrupt:
        click.echo("\n" + INTERRUPTED, err=True)
        raise


def run_ensemble(scenario: Scenario, draws: int, seed: int, data: Any = None) -> Ensemble | None:
    """The scenario's ensemble for ``jjjplan run --draws``; ``None`` when draws is 0."""
    if not draws:
        return None
    from jjjplan.uncertainty.ensembles import ensemble

    return _with_progress(
        "模拟 runs", draws, lambda bar: ensemble(scenario, draws, seed, progress=bar, data=data)
    )


def run_comparison(
    scenarios: Mapping[str, Scenario],
    draws: int,
    seed: int,
    baseline: str | None,
    data: Any = None,
) -> RobustComparison | None:
    """All scenarios on common draws for ``compare``/``demo --draws``; ``None`` when 0."""
    if not draws:
        return None
    from jjjplan.uncertainty.compare import compare_ensembles

    return _with_progress(
        "模拟 runs",
        draws * len(scenarios),
        lambda bar: compare_ensembles(
            scenarios, draws, seed, baseline=baseline, progress=bar, data=data
        ),
    )


def band_table(e: Ensemble, year: int = 2035) -> str:
    """5–95% bands of Theil T and the Beijing/Hebei ratio in ``year``, for the console."""
    b = e.bands()
    b = b[(b.year == year) & (b.region == "JJJ") & b.variable.isin(CONSOLE_OUTCOMES)]
    table = b.pivot(index="variable", columns="quantile", values="value")
    table.columns = [f"P{round(q * 100)}" for q in table.columns]
    head = f"{year}年不确定性区间 / {year} bands ({len(e)} draws, seed {e.seed}):"
    return head + "\n" + table.to_string(float_format=lambda v: f"{v:.4f}")


def probability_table(c: RobustComparison, year: int = 2035, outcome: str = "theil_t") -> str:
    """P(lowest) and P(better than baseline) per scenario, for the console."""
    import pandas as pd

    low = c.lowest
    low = low[(low.year == year) & (low.outcome == outcome)].set_index("scenario")
    vb = c.vs_baseline
    vb = vb[(vb.year == year) & (vb.outcome == outcome)].set_index("scenario")
    table = pd.DataFrame(
        {
            "P(lowest)": low["probability"],
            "P(better than baseline)": vb["probability"],
            "verdict": vb["verdict"],
        }
    )
    head = (
        f"{year}年 {outcome}：排名概率 / rank probabilities ({c.draws} common draws, "
        f"baseline {c.baseline!r}):"
    )
    return head + "\n" + table.to_string(float_format=lambda v: f"{v:.3f}")


def _outcome_option(_ctx: Any, _param: Any, value: str) -> tuple[str, int]:
    from jjjplan.uncertainty.compare import OUTCOMES
    from jjjplan.uncertainty.gsa import parse_outcome

    try:
        name, year = parse_outcome(value)
    except ValueError as err:
        raise click.BadParameter(str(err)) from None
    known = (*OUTCOMES, "jjj_share_national")
    if name not in known:
        raise click.BadParameter(
            f"未知结果指标 / unknown outcome {name!r}; expected one of {', '.join(known)}"
        )
    return name, year


@click.command("sensitivity")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="Sensitivity workbook to write.",
)  # fmt: skip
@click.option("--method", type=click.Choice(METHODS), default="sobol", show_default=True,
              help="sobol: S1/ST indices (Saltelli design); morris: screening.")  # fmt: skip
@click.option("--outcome", default="theil_t@2035", show_default=True,
              callback=_outcome_option, help="Outcome and year, NAME@YEAR.")  # fmt: skip
@click.option("--n", "n", default=1024, show_default=True, type=click.IntRange(min=2),
              help="Base sample size (Sobol: n*(d+2) projections; Morris: n*(d+1)).")  # fmt: skip
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0),
              help="Seed of the design.")  # fmt: skip
def sensitivity_command(
    workbook: Path, out: Path, method: str, outcome: tuple[str, int], n: int, seed: int
) -> None:
    """Global sensitivity of one outcome to every uncertain assumption (SALib).

    \b
    Example:
      jjjplan sensitivity workbooks/04-tax-sharing-reform.xlsx -o s.xlsx
      jjjplan sensitivity my-plan.xlsx -o s.xlsx --method morris --n 64 --outcome bj_he_ratio@2030
    """
    from jjjplan.cli import _output
    from jjjplan.excel.read import read_workbook
    from jjjplan.excel.write.sensitivity import write_sensitivity
    from jjjplan.results import project
    from jjjplan.uncertainty.design import held_fixed, uncertain_assumptions
    from jjjplan.uncertainty.gsa import runs_needed, sensitivity

    _output(out, "ensemble", [workbook])  # the one output policy: an uncertainty workbook
    name, year = outcome
    scenario = read_workbook(workbook)
    years = [int(y) for y in project(scenario).years]
    if year not in years:
        raise click.BadParameter(
            f"年份 {year} 不在预测期 {years[0]}–{years[-1]} 内 / year {year} is outside "
            f"{years[0]}-{years[-1]}",
            param_hint="--outcome",
        )
    table = uncertain_assumptions()
    runs = runs_needed(method, len(table) - len(held_fixed(scenario, table)), n)
    click.echo(f"{method}: {runs:,} 次预测 / projections", err=True)
    table = _with_progress(
        "模拟 runs",
        runs,
        lambda bar: sensitivity(scenario, name, year, method, n, seed, progress=bar),
    )
    write_sensitivity(
        table, out, scenario=scenario, outcome=name, year=year, method=method, n=n, seed=seed,
        runs=runs, source_path=workbook,
    )  # fmt: skip
    click.echo(f"已写出敏感性 / sensitivity written: {out}")
    key = "ST" if method == "sobol" else "mu_star"
    click.echo(table.head(5).to_string(float_format=lambda v: f"{v:.4f}", columns=[key]))
