"""The ``jjjplan`` command line (Click).

Exit codes: 0 success, 1 input problems (every problem listed, with sheet!cell, no traceback),
2 usage errors (Click's own). Set ``JJJPLAN_DEBUG=1`` to see a traceback for internal errors.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import jjjplan
from jjjplan.data.commands import data_options, echo_data, load_data, write_data_template

REPO_WORKBOOKS = Path(__file__).resolve().parents[1] / "workbooks"
KEY_COLUMNS = (
    "theil_t",
    "theil_t_between",
    "theil_t_within",
    "cv_weighted",
    "gini_weighted",
    "bj_he_ratio",
    "tj_he_ratio",
)


def gap_table(results: jjjplan.Results, years=(2022, 2025, 2030, 2035)) -> str:
    """A short table of the key gap measures for the given years."""
    g = results.gaps.join(results.ratios)
    table = g.loc[[y for y in years if y in g.index], list(KEY_COLUMNS)]
    return table.to_string(float_format=lambda v: f"{v:.4f}")


def planner_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn input problems into a listed message and exit 1, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from jjjplan.errors import ValidationError

        try:
            return fn(*args, **kwargs)
        except ValidationError as err:
            click.echo(str(err), err=True)
            sys.exit(1)
        except jjjplan.ScenarioError as err:
            click.echo(str(err), err=True)
            sys.exit(1)
        except OSError as err:
            click.echo(
                f"文件错误 / file error: {err.strerror or err} ({err.filename or ''})", err=True
            )
            sys.exit(1)
        except KeyboardInterrupt:  # Ctrl-C: saves are atomic, so say so and stop quietly
            click.echo(
                "\n已中断 / interrupted (已写出的文件完整，未写完的不会留下 / files already "
                "written are complete; nothing half-written is left)",
                err=True,
            )
            sys.exit(130)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except Exception as err:  # an internal error: one line unless debugging
            if os.environ.get("JJJPLAN_DEBUG"):
                raise
            click.echo(
                f"内部错误 / internal error: {type(err).__name__}: {err}\n"
                "(set JJJPLAN_DEBUG=1 for the traceback and report it)",
                err=True,
            )
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(jjjplan.__version__, prog_name="jjjplan")
def main() -> None:
    """jjjplan — 京津冀产业协同情景规划 / JJJ scenario-planning workbench.

    \b
    Example:
      jjjplan template my-scenario.xlsx       # write a scenario workbook to edit
      jjjplan validate my-scenario.xlsx       # check it, every problem with sheet!cell
      jjjplan run my-scenario.xlsx -o r.xlsx  # project to 2035, write the results workbook
    """
    _stop_cleanly_on_signals()
    _show_warnings_briefly()


def _show_warnings_briefly() -> None:
    """Library warnings (e.g. openpyxl's "extension is not supported") as one plain line,
    without a source path and code line; JJJPLAN_DEBUG=1 keeps Python's full format."""
    import warnings

    if os.environ.get("JJJPLAN_DEBUG"):
        return
    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        click.echo(f"注意 / warning: {message}", err=True)

    warnings.showwarning = show
    click.get_current_context().call_on_close(
        functools.partial(setattr, warnings, "showwarning", previous)
    )


def _stop_cleanly_on_signals() -> None:
    """Turn SIGTERM/SIGHUP (a closed terminal, a killed job) into SystemExit while a command
    runs, so a save in progress deletes its temporary file; the target keeps the old file."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    ctx = click.get_current_context()
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        previous = signal.signal(signum, stop)
        ctx.call_on_close(functools.partial(signal.signal, signum, previous))


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@planner_errors
def template(out: Path) -> None:
    """Write the scenario template (current-policy values) to OUT.

    \b
    Example:
      jjjplan template 我的情景.xlsx
    """
    from jjjplan.excel import make_template

    _refuse_existing(out)
    _output(out, "template")
    path = make_template(out)
    click.echo(f"已写出模板 / template written: {path}")


def _refuse_output(out: Path, expected: str, found: str, zh: str, en: str) -> None:
    from jjjplan.errors import Issue, ValidationError

    raise ValidationError([Issue(out.name, None, None, None, expected, found, zh, en)])


def _refuse_existing(out: Path) -> None:
    """A template never replaces a file: it may be a planner's filled-in workbook."""
    if out.exists() or out.is_symlink():
        _refuse_output(
            out,
            "a new file name",
            f"existing file {out}",
            "文件已存在；为避免覆盖已填写的工作簿，模板不会替换它——请另选文件名，或先删除/改名该文件",
            "the file already exists; a template never replaces a file (it may be a "
            "filled-in workbook) — choose another name, or delete/rename the file first",
        )


def _output(out: Path, kind: str, inputs=(), overwrite: bool = False) -> Path:
    """The one output policy (jjjplan.output_policy): refuse inputs, scenario workbooks,
    devices, wrong extensions, open files, and an existing file unless --overwrite."""
    from jjjplan.output_policy import check_output

    existing = "replace" if overwrite else "refuse"
    return check_output(out, kind, inputs=inputs, existing=existing).path


OVERWRITE = click.option(
    "--overwrite", is_flag=True, help="Replace the output file if it exists (never an input)."
)


@main.command()
@click.argument(
    "workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--annotate",
    "annotate_out",
    type=click.Path(path_type=Path),
    help="Write a copy with offending cells marked red and an Errors sheet "
    "(a folder when several workbooks are given).",
)
@OVERWRITE
@data_options
@planner_errors
def validate(
    workbooks: tuple[Path, ...],
    annotate_out: Path | None,
    overwrite: bool,
    data_file: Path | None,
    data_vintage: str | None,
) -> None:
    """Check scenario workbooks; list every problem with sheet!cell.

    \b
    Example:
      jjjplan validate workbooks/01-growth-poles.xlsx
      jjjplan validate plan.xlsx --annotate plan-checked.xlsx
    """
    from jjjplan.errors import ValidationError
    from jjjplan.excel.read.reader import read_workbook_report

    if annotate_out is not None and len(workbooks) > 1 and not annotate_out.is_dir():
        raise click.UsageError(
            "--annotate must name an existing folder when several workbooks are validated"
        )
    failed = 0
    for wb in workbooks:
        try:
            reading = read_workbook_report(wb)
            if reading.issues or reading.scenario is None:
                raise ValidationError(reading.issues, reading.notices)
        except ValidationError as err:
            failed += 1
            click.echo(f"✗ {wb}", err=True)
            click.echo(str(err), err=True)
            if annotate_out is not None:
                target = (
                    annotate_out / f"{wb.stem}-annotated.xlsx"
                    if annotate_out.is_dir()
                    else annotate_out
                )
                _annotate(wb, err, target, overwrite)
            continue
        click.echo(f"✓ {wb}: 情景 / scenario '{reading.scenario.name}' 有效 / valid")
        for notice in reading.notices:
            click.echo(f"  提示 / notice: {notice}")
        if annotate_out is not None:
            click.echo("  (no problems: no annotated copy written)")
    if data_file is not None or data_vintage is not None:
        try:
            data = load_data(data_file, data_vintage)
        except ValidationError as err:
            failed += 1
            click.echo(f"x {data_file or data_vintage}", err=True)
            click.echo(str(err), err=True)
        else:
            click.echo(f"{data_file or data_vintage}: 基期数据有效 / baseline data valid")
            echo_data(data)
    if failed:
        sys.exit(1)


def _annotate(wb: Path, err, target: Path, overwrite: bool) -> None:
    from jjjplan.errors import ValidationError, WorkbookRejected
    from jjjplan.excel.read.annotate import annotate_copy

    if isinstance(err, WorkbookRejected):
        click.echo("  (the file could not be opened, so no annotated copy was written)", err=True)
        return
    from jjjplan.excel.guard.preflight import run_isolated

    try:  # the planner's file is loaded in full by openpyxl: isolate it like any parse
        kind = "annotated"
        target = _output(target, kind, [wb], overwrite)
        result = run_isolated(annotate_copy, wb, err, target, workbook=wb.name)
    except ValidationError as problem:
        click.echo(f"  annotated copy not written: {problem}", err=True)
        return
    click.echo(f"  已写出标注副本 / annotated copy: {result.path}", err=True)
    for feature in result.dropped:
        click.echo(f"  注意 / note: the copy lacks {feature} (the original is unchanged)", err=True)


@main.command()
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results workbook to write.",
)
@OVERWRITE
@data_options
@planner_errors
def run(
    workbook: Path, out: Path, overwrite: bool, data_file: Path | None, data_vintage: str | None
) -> None:
    """Project one scenario workbook to 2035 and write its results workbook.

    \b
    Example:
      jjjplan run workbooks/01-growth-poles.xlsx -o results.xlsx
      jjjplan run workbooks/00-baseline.xlsx --data d.xlsx -o r.xlsx
    """
    from jjjplan.excel import write_results

    _output(out, "results", [workbook, *([data_file] if data_file else [])], overwrite)
    [scenario], data = _read_inputs([workbook], data_file, data_vintage)
    echo_data(data)
    results = jjjplan.project(scenario, data=data)
    write_results(results, out, source_path=workbook)
    click.echo(f"已写出结果 / results written: {out}")
    click.echo(gap_table(results))


@main.command()
@click.argument(
    "workbooks", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Comparison workbook to write.",
)
@click.option(
    "--baseline",
    "baseline_wb",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The scenario the others are compared with (default: the one named "
    "'baseline', else the first).",
)
@OVERWRITE
@data_options
@planner_errors
def compare(
    workbooks: tuple[Path, ...],
    out: Path,
    baseline_wb: Path | None,
    overwrite: bool,
    data_file: Path | None,
    data_vintage: str | None,
) -> None:
    """Compare scenario workbooks side by side in one comparison workbook.

    \b
    Example:
      jjjplan compare workbooks/*.xlsx -o comparison.xlsx
      jjjplan compare a.xlsx b.xlsx -o c.xlsx --baseline a.xlsx
    """
    from jjjplan.excel.safety import same_file

    paths = list(workbooks)
    base_at = None
    if baseline_wb is not None:  # the same file, however it is spelt, is the listed one
        listed = [i for i, p in enumerate(paths) if same_file(Path(baseline_wb), Path(p))]
        base_at = listed[0] if listed else 0
        if not listed:
            paths.insert(0, baseline_wb)
    _output(out, "comparison", [*paths, *([data_file] if data_file else [])], overwrite)
    results = _read_and_project(paths, data_file, data_vintage)
    _refuse_duplicate_names(paths, results)
    base = results[base_at] if base_at is not None else None
    from jjjplan.excel import write_comparison

    write_comparison(results, out, baseline=base, source_paths=paths)
    click.echo(f"已写出对比 / comparison written: {out} ({len(results)} scenarios)")


def _refuse_duplicate_names(paths: list[Path], results: list[jjjplan.Results]) -> None:
    """Scenario names label the comparison's columns, so they must differ as planners read
    them (jjjplan.names.name_key: width, case, spaces and invisible characters ignored);
    name every clash at its cell, and show invisible characters."""
    from jjjplan.errors import Issue, ValidationError
    from jjjplan.excel.read.reader import scenario_cells
    from jjjplan.names import describe_invisible, name_key

    first: dict[str, Path] = {}
    issues = []
    for path, res in zip(paths, results, strict=True):
        name = res.scenario.name
        key = name_key(name)
        if key not in first:
            first[key] = path
            continue
        other = first[key].name
        hidden = describe_invisible(name) or describe_invisible(
            results[paths.index(first[key])].scenario.name
        )
        extra = f" (invisible: {hidden})" if hidden else ""
        extra_zh = f"（含不可见字符：{hidden}）" if hidden else ""
        where = scenario_cells(path).get("name", "")
        sheet, _, cell = where.partition("!")
        issues.append(
            Issue(
                path.name,
                sheet or None,
                cell or None,
                "name",
                f"a name different from {other}",
                repr(name) + extra,
                f"情景名称 {name!r} 与 {other} 的情景名称相同{extra_zh}；"
                "对比表按名称区分情景，请修改其中一个",
                f"scenario name {name!r} is also the name in {other}{extra}; the comparison "
                "tells scenarios apart by name, so rename one",
            )
        )
    if issues:
        raise ValidationError(issues)


def _read_inputs(
    paths: list[Path], data_file: Path | None, data_vintage: str | None
) -> tuple[list[jjjplan.Scenario], jjjplan.baseline.Dataset | None]:
    """Read every workbook and the data file first, so all problems of all files are
    reported together; with no data option, the scenarios must name one vintage."""
    from jjjplan.errors import Issue, ValidationError
    from jjjplan.excel import read_workbook
    from jjjplan.excel.layout import ABOUT

    scenarios, issues = [], []
    for p in paths:
        try:
            scenarios.append(read_workbook(p))
        except ValidationError as err:
            issues.extend(err.issues)
    data = None
    try:
        data = load_data(data_file, data_vintage)
    except ValidationError as err:
        issues.extend(err.issues)
    named = {s.data_vintage or jjjplan.baseline.DEFAULT_VINTAGE for s in scenarios}
    if data is None and not issues and len(named) > 1:
        for p, s in zip(paths, scenarios, strict=True):
            v = s.data_vintage or jjjplan.baseline.DEFAULT_VINTAGE
            issues.append(
                Issue(
                    p.name,
                    ABOUT,
                    None,
                    "data_vintage",
                    "one vintage for the whole run",
                    v,
                    f"一次运行只能使用一个数据版本，这些工作簿分别为 {', '.join(sorted(named))}；"
                    "请统一“基期数据版本”，或使用 --data-vintage",
                    f"one run uses one data vintage, but the workbooks name "
                    f"{', '.join(sorted(named))}; make them agree or pass --data-vintage",
                )
            )
    if issues:
        raise ValidationError(issues)
    if data is not None:  # the run's data overrides each workbook's vintage field
        scenarios = [s.replace(data_vintage=None) for s in scenarios]
    return scenarios, data


def _read_and_project(
    paths: list[Path], data_file: Path | None = None, data_vintage: str | None = None
) -> list[jjjplan.Results]:
    """Read every input, then project all scenarios in one batch on one dataset."""
    scenarios, data = _read_inputs(paths, data_file, data_vintage)
    echo_data(data)
    batch = jjjplan.project_many(scenarios, data=data)
    return [batch[k] for k in range(len(batch))]


@main.command()
@click.option(
    "--out",
    "out_dir",
    default="out",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the results and comparison workbooks.",
)
@click.option(
    "--workbooks",
    "wb_dir",
    default=None,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of scenario workbooks (default: the shipped workbooks/).",
)
@data_options
@planner_errors
def demo(
    out_dir: Path, wb_dir: Path | None, data_file: Path | None, data_vintage: str | None
) -> None:
    """Run every shipped scenario workbook: results workbooks + one comparison workbook.

    \b
    Example:
      jjjplan demo --out out/
    """
    from jjjplan.excel import write_comparison, write_results

    wb_dir = wb_dir or REPO_WORKBOOKS
    paths = sorted(wb_dir.glob("*.xlsx"))
    paths = [p for p in paths if not p.name.startswith(("~$", ".~lock"))]
    if not paths:
        raise click.UsageError(f"no scenario workbooks in {wb_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    from jjjplan.errors import ValidationError
    from jjjplan.output_policy import OutputRefused, check_output

    # the demo folder is jjjplan's own: earlier demo outputs are replaced, nothing else
    targets = [out_dir / f"{p.stem}-results.xlsx" for p in paths]
    comparison = out_dir / "comparison.xlsx"
    refused = []
    for target, kind in [*((t, "results") for t in targets), (comparison, "comparison")]:
        try:
            check_output(target, kind, inputs=paths, existing="replace-own")
        except OutputRefused as err:
            refused.extend(err.issues)
    if refused:
        raise ValidationError(refused)
    results = _read_and_project(paths, data_file, data_vintage)
    for path, res, target in zip(paths, results, targets, strict=True):
        write_results(res, target, source_path=path)
        click.echo(f"✓ {path.name} → {target}")
    write_comparison(results, comparison, source_paths=paths)
    click.echo(f"✓ 情景对比 / comparison → {comparison}\n")
    click.echo("2035年区域差距 / regional gaps in 2035:")
    rows = {r.scenario.name: r.gaps.join(r.ratios).loc[2035, list(KEY_COLUMNS)] for r in results}
    import pandas as pd

    click.echo(pd.DataFrame(rows).T.to_string(float_format=lambda v: f"{v:.4f}"))


@main.command()
@planner_errors
def baseline() -> None:
    """Project the baseline (current policy) and print the gap measures 2022–2035.

    \b
    Example:
      jjjplan baseline
    """
    results = jjjplan.project(jjjplan.Scenario.baseline())
    click.echo("基准情景区域差距 / Baseline regional gaps (13 units, province groups)")
    click.echo(gap_table(results, years=tuple(int(y) for y in results.years)))


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--port", default=8866, show_default=True, help="Port on 127.0.0.1.")
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@data_options
@planner_errors
def dashboard(
    workbook: Path | None,
    port: int,
    no_browser: bool,
    data_file: Path | None,
    data_vintage: str | None,
) -> None:
    """Serve the planning dashboard (Voilà) on localhost and print its address.

    \b
    Example:
      jjjplan dashboard workbooks/05-coordinated.xlsx --port 8866
    """
    if workbook is not None:
        from jjjplan.excel import read_workbook

        read_workbook(workbook)  # refuse a bad workbook here, with sheet!cell, not in a browser
    # refuse a bad data file here too; the dashboard reads the same options from the
    # environment (JJJPLAN_DATA, JJJPLAN_DATA_VINTAGE) when it supports them
    load_data(data_file, data_vintage)
    if data_file is not None:
        os.environ["JJJPLAN_DATA"] = str(data_file.resolve())
    if data_vintage is not None:
        os.environ["JJJPLAN_DATA_VINTAGE"] = data_vintage
    from jjjplan.dashboard.serve import serve_dashboard

    serve_dashboard(str(workbook) if workbook else None, port, not no_browser)


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--samples", default=100_000, show_default=True, type=click.IntRange(min=1))
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for samples.parquet (and discovery.xlsx); a rerun resumes.")
@click.option("--levers", default=None, help="Comma-separated levers to sweep (default: all).")
@click.option("--no-assumptions", is_flag=True, help="Keep assumptions at their values.")
@click.option("--where", default=None, help='Condition for discovery: "bj_he_ratio@2035<=3.0".')
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT", help="Dask scheduler.")
@click.option("--chunk-size", default=2_000, show_default=True, type=click.IntRange(min=1))
@click.option("--workers", default=None, type=click.IntRange(min=1), help="Local processes.")
@data_options
@planner_errors
def explore(workbook: Path | None, data_file: Path | None, data_vintage: str | None, **opts):
    """Sweep levers and assumptions (Latin hypercube) and find where a condition holds (PRIM).

    \b
    Example:
      jjjplan explore workbooks/05-coordinated.xlsx --samples 20000 --seed 3 --out ex
          --where "bj_he_ratio@2035<=3.0"
    """
    from jjjplan.explore.commands import run_explore

    def scenario_and_data():
        if workbook is None:
            return jjjplan.Scenario.baseline(), load_data(data_file, data_vintage)
        [scenario], data = _read_inputs([workbook], data_file, data_vintage)
        return scenario, data

    run_explore(workbook, scenario_and_data=scenario_and_data, **opts)


@main.group()
def data() -> None:
    """Baseline data: a workbook to fill with your own yearbook figures (use with --data)."""


@data.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--data-vintage",
    "data_vintage",
    metavar="ID",
    default=None,
    help="Bundled vintage to prefill (default: the default vintage).",
)
@planner_errors
def data_template(out: Path, data_vintage: str | None) -> None:
    """Write a baseline-data workbook prefilled with the bundled values and their sources.

    \b
    Example:
      jjjplan data template d.xlsx
      jjjplan run workbooks/00-baseline.xlsx --data d.xlsx -o r.xlsx
    """
    write_data_template(out, data_vintage)


if __name__ == "__main__":  # pragma: no cover
    main()
