"""The ``jjjplan`` command line (Click).

Exit codes: 0 success, 1 input problems (every problem listed, with sheet!cell, no traceback),
2 usage errors (Click's own), 3 internal errors (``JJJPLAN_DEBUG=1`` shows the traceback).
Shared conventions (-v/-q, --json, exit codes, GBK-safe output) live in
:mod:`jjjplan.cli_support`; a new command gets them with ``@command_conventions()``. Heavy
libraries are imported inside the commands so ``jjjplan --help`` starts fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import jjjplan
from jjjplan.cli_support import (
    command_conventions,
    current_report,
    install_hint,
    prepare_console,
    say,
    verbosity_options,
)
from jjjplan.data.commands import data_options, echo_data, load_data, write_data_template
from jjjplan.uncertainty.commands import (
    band_table,
    draws_options,
    probability_table,
    run_comparison,
    run_ensemble,
    sensitivity_command,
)

if TYPE_CHECKING:
    from jjjplan.results import Results
KEY_COLUMNS = (
    "theil_t",
    "theil_t_between",
    "theil_t_within",
    "cv_weighted",
    "gini_weighted",
    "bj_he_ratio",
    "tj_he_ratio",
)


def key_figures(results: Results, years=(2022, 2025, 2030, 2035)):
    """The key gap measures for the given years (rows = years)."""
    g = results.gaps.join(results.ratios)
    return g.loc[[y for y in years if y in g.index], list(KEY_COLUMNS)]


def gap_table(results: Results, years=(2022, 2025, 2030, 2035)) -> str:
    """A short table of the key gap measures for the given years."""
    return key_figures(results, years).to_string(float_format=lambda v: f"{v:.4f}")


def _figures_dict(table) -> dict[str, dict[str, float]]:
    """{row label: {measure: value}} for --json (plain floats, string keys)."""
    return {
        str(row): {str(k): float(v) for k, v in values.items()} for row, values in table.iterrows()
    }


#: The shared conventions without ``--json`` (kept under its old name for existing commands).
planner_errors = command_conventions()


class _Group(click.Group):
    """The ``jjjplan`` group: console output made GBK-safe before anything is printed."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        prepare_console()
        return super().main(*args, **kwargs)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: the program version and the vintage of its bundled data."""
    if not value or ctx.resilient_parsing:
        return
    from jjjplan import baseline

    vintage = getattr(baseline, "DEFAULT_VINTAGE", None)
    data = f"data vintage {vintage}" if vintage else f"base year {baseline.BASE_YEAR}"
    click.echo(f"jjjplan {jjjplan.__version__} ({data})")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and the data vintage, then exit.",
)
@verbosity_options
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
    """Turn SIGTERM/SIGHUP/SIGBREAK (a closed terminal, a killed job, Ctrl+Break or a closed
    console on Windows) into SystemExit while a command runs, so a save in progress deletes
    its temporary file; the target keeps the old file."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    ctx = click.get_current_context()
    for name in ("SIGTERM", "SIGHUP", "SIGBREAK"):  # SIGBREAK: Ctrl+Break on Windows
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        previous = signal.signal(signum, stop)
        ctx.call_on_close(functools.partial(signal.signal, signum, previous))


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--code", "code", metavar="CODE", help="Rebuild the scenario of a JJJ1-… code.")
@planner_errors
def template(out: Path, code: str | None) -> None:
    """Write the scenario template (current-policy values) to OUT.

    \b
    Example:
      jjjplan template 我的情景.xlsx
      jjjplan template --code JJJ1-… rebuilt.xlsx
    """
    from jjjplan.excel import make_template

    _refuse_existing(out)
    _output(out, "template")
    path = make_template(out, _code_scenario(code) if code else None)
    say(f"已写出模板 / template written: {path}")


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
@command_conventions(json_output=True)
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
      jjjplan validate plan.xlsx --json       # machine-readable problems
    """
    from jjjplan.errors import ValidationError
    from jjjplan.excel.read.reader import read_workbook_report

    if annotate_out is not None and len(workbooks) > 1 and not annotate_out.is_dir():
        raise click.UsageError(
            "--annotate must name an existing folder when several workbooks are validated"
        )
    failed = 0
    report = current_report()
    for wb in workbooks:
        try:
            reading = read_workbook_report(wb)
            if reading.issues or reading.scenario is None:
                raise ValidationError(reading.issues, reading.notices)
        except ValidationError as err:
            failed += 1
            report.add_issues(err)
            report.details.append({"workbook": str(wb), "valid": False})
            click.echo(f"× {wb}", err=True)
            click.echo(str(err), err=True)
            if annotate_out is not None:
                target = (
                    annotate_out / f"{wb.stem}-annotated.xlsx"
                    if annotate_out.is_dir()
                    else annotate_out
                )
                _annotate(wb, err, target, overwrite)
            continue
        report.add_issues(ValidationError((), reading.notices))
        report.details.append(
            {"workbook": str(wb), "valid": True, "scenario": reading.scenario.name}
        )
        say(f"√ {wb}: 情景 / scenario '{reading.scenario.name}' 有效 / valid")
        for notice in reading.notices:
            say(f"  提示 / notice: {notice}")
        if annotate_out is not None:
            say("  (no problems: no annotated copy written)")
    if data_file is not None or data_vintage is not None:
        try:
            data = load_data(data_file, data_vintage)
        except ValidationError as err:
            failed += 1
            report.add_issues(err)
            click.echo(f"× {data_file or data_vintage}", err=True)
            click.echo(str(err), err=True)
        else:
            say(f"{data_file or data_vintage}: 基期数据有效 / baseline data valid")
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
    current_report().add_output(result.path)
    click.echo(f"  已写出标注副本 / annotated copy: {result.path}", err=True)
    for feature in result.dropped:
        click.echo(f"  注意 / note: the copy lacks {feature} (the original is unchanged)", err=True)


def default_results_path(workbook: Path) -> Path:
    """``<input>-results.xlsx`` beside the input; ``-2``, ``-3``, ... when that name is taken,
    so a default name never replaces a file."""
    base = workbook.with_name(f"{workbook.stem}-results")
    candidate = base.with_suffix(".xlsx")
    n = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = base.with_name(f"{base.name}-{n}.xlsx")
        n += 1
    return candidate


@main.command()
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Results workbook to write (default: INPUT-results.xlsx beside the input, never "
    "replacing a file: -2, -3, ... are added).",
)
@click.option("--code", "code", metavar="CODE", help="Project the scenario of a JJJ1-… code.")
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the tidy table as CSV (UTF-8 with BOM, opens in Excel).",
)
@click.option(
    "--parquet",
    "parquet_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Also write the tidy table as Parquet (needs pyarrow: {install_hint('parquet')}).",
)
@click.option(
    "--iamc",
    "iamc_out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the IAMC table pyam reads (.csv, or .xlsx with a 'data' sheet).",
)
@OVERWRITE
@data_options
@draws_options
@command_conventions(json_output=True)
def run(
    workbook: Path | None,
    out: Path | None,
    code: str | None,
    csv_out: Path | None,
    parquet_out: Path | None,
    iamc_out: Path | None,
    overwrite: bool,
    data_file: Path | None,
    data_vintage: str | None,
    draws: int,
    seed: int,
) -> None:
    """Project one scenario workbook to 2035 and write its results workbook.

    \b
    Example:
      jjjplan run workbooks/01-growth-poles.xlsx              # -> 01-growth-poles-results.xlsx
      jjjplan run workbooks/01-growth-poles.xlsx -o results.xlsx
      jjjplan run workbooks/00-baseline.xlsx --data d.xlsx -o r.xlsx
      jjjplan run plan.xlsx -o r.xlsx --csv r.csv --iamc r-iamc.csv --json
      jjjplan run workbooks/05-coordinated.xlsx -o r.xlsx --draws 500 --seed 1
      jjjplan run --code JJJ1-… -o results.xlsx
    """
    from jjjplan import exports
    from jjjplan.excel import write_results

    if (workbook is None) == (code is None):
        raise click.UsageError("give a WORKBOOK or --code CODE (one of the two)")
    if out is None:
        if workbook is None:
            raise click.UsageError("--code needs -o/--out (there is no input file to write beside)")
        out = default_results_path(workbook)
    inputs = [p for p in (workbook, data_file) if p is not None]
    _output(out, "results", inputs, overwrite)
    extra = {csv_out: exports.write_csv, parquet_out: exports.write_parquet}
    extra[iamc_out] = exports.write_iamc
    extra.pop(None, None)
    for target in extra:
        kind = {csv_out: "csv", parquet_out: "parquet", iamc_out: "iamc"}[target]
        _output(target, kind, inputs, overwrite)
    if parquet_out is not None:
        _require_module("pyarrow", "parquet")
    if workbook is not None:
        [scenario], data = _read_inputs([workbook], data_file, data_vintage)
    else:
        scenario = _code_scenario(code)
        data = load_data(data_file, data_vintage)
    echo_data(data)
    results = jjjplan.project(scenario, data=data)
    bands = run_ensemble(scenario, draws, seed, data)
    report = current_report()
    write_results(results, out, source_path=workbook, ensemble=bands)
    report.add_output(out)
    say(f"已写出结果 / results written: {out}")
    for target, write in extra.items():
        write(results, target)
        report.add_output(target)
        say(f"已写出 / written: {target}")
    table = key_figures(results)
    report.figures = {"scenario": results.scenario.name, "gaps": _figures_dict(table)}
    say(gap_table(results))
    if bands is not None:
        say(band_table(bands))


def _require_module(module: str, extra: str) -> None:
    """Refuse early (exit 1, install hint) when an optional extra is not installed."""
    from importlib.util import find_spec

    if find_spec(module) is None:
        _refuse_output(
            Path(module),
            f"the {module!r} package",
            "not installed",
            f"需要安装可选组件：{install_hint(extra)}",
            f"this needs an optional extra: {install_hint(extra)}",
        )


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
@draws_options
@command_conventions(json_output=True)
def compare(
    workbooks: tuple[Path, ...],
    out: Path,
    baseline_wb: Path | None,
    overwrite: bool,
    data_file: Path | None,
    data_vintage: str | None,
    draws: int,
    seed: int,
) -> None:
    """Compare scenario workbooks side by side in one comparison workbook.

    \b
    Example:
      jjjplan compare workbooks/*.xlsx -o comparison.xlsx
      jjjplan compare a.xlsx b.xlsx -o c.xlsx --baseline a.xlsx --json
      jjjplan compare workbooks/*.xlsx -o c.xlsx --draws 500
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

    robust = run_comparison(
        {r.scenario.name: r.scenario for r in results},
        draws,
        seed,
        _baseline_name(results, base),
        load_data(data_file, data_vintage) if draws else None,
    )
    write_comparison(results, out, baseline=base, source_paths=paths, robust=robust)
    report = current_report()
    report.add_output(out)
    report.figures = {"gaps_2035": _figures_dict(_table_2035(results))}
    say(f"已写出对比 / comparison written: {out} ({len(results)} scenarios)")
    if robust is not None:
        say(probability_table(robust))


def _baseline_name(results: list[Results], base: Results | None) -> str:
    """The comparison's baseline: the chosen one, else the one named 'baseline', else the
    first (the rule of the comparison workbook)."""
    if base is not None:
        return base.scenario.name
    names = [r.scenario.name for r in results]
    return "baseline" if "baseline" in names else names[0]


def _table_2035(results: list[Results]):
    """Scenarios × key gap measures in 2035."""
    import pandas as pd

    rows = {r.scenario.name: r.gaps.join(r.ratios).loc[2035, list(KEY_COLUMNS)] for r in results}
    return pd.DataFrame(rows).T


def _refuse_duplicate_names(paths: list[Path], results: list[Results]) -> None:
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
    from jjjplan.excel.layout import ABOUT
    from jjjplan.excel.read import read_workbooks

    scenarios, issues = [], []
    for read in read_workbooks(paths):  # in parallel, each file isolated
        if isinstance(read, ValidationError):
            issues.extend(read.issues)
        else:
            scenarios.append(read)
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
) -> list[Results]:
    """Read every input, then project all scenarios in one batch on one dataset."""
    scenarios, data = _read_inputs(paths, data_file, data_vintage)
    echo_data(data)
    batch = jjjplan.project_many(scenarios, data=data)
    return [batch[k] for k in range(len(batch))]


@main.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="PDF."
)
@click.option("--lang", type=click.Choice(["zh", "en", "both"]), default="zh", show_default=True)
@click.option(
    "--charts",
    "charts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each chart as PNG and SVG into this folder (for slides).",
)
@data_options
@draws_options
@planner_errors
def brief(
    source: Path,
    out: Path,
    lang: str,
    charts_dir: Path | None,
    data_file: Path | None,
    data_vintage: str | None,
    draws: int,
    seed: int,
) -> None:
    """One-page A4 briefing (PDF) of a scenario or results workbook.

    \b
    Example:
      jjjplan brief workbooks/05-coordinated.xlsx -o brief.pdf
      jjjplan brief results.xlsx -o brief.pdf --lang both --charts slides/
      jjjplan brief workbooks/05-coordinated.xlsx -o brief.pdf --draws 200
      jjjplan brief plan.xlsx -o brief.pdf --data d.xlsx        # your own baseline data
    """
    from jjjplan.brief.command import run_brief

    for line in run_brief(source, out, lang, charts_dir, draws, seed, data_file, data_vintage):
        click.echo(line)


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
    help="Folder of scenario workbooks (default: the shipped example workbooks).",
)
@data_options
@draws_options
@planner_errors
def demo(
    out_dir: Path,
    wb_dir: Path | None,
    data_file: Path | None,
    data_vintage: str | None,
    draws: int,
    seed: int,
) -> None:
    """Run every shipped scenario workbook: results workbooks + one comparison workbook.

    \b
    Example:
      jjjplan demo --out out/
    """
    from jjjplan.bundled import bundled_dir
    from jjjplan.excel import write_comparison, write_results

    wb_dir = wb_dir or bundled_dir("workbooks")
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
    robust = run_comparison(
        {r.scenario.name: r.scenario for r in results},
        draws,
        seed,
        _baseline_name(results, None),
        load_data(data_file, data_vintage) if draws else None,
    )
    for path, res, target in zip(paths, results, targets, strict=True):
        bands = robust.ensembles[res.scenario.name] if robust is not None else None
        write_results(res, target, source_path=path, ensemble=bands)
        say(f"{path.name} → {target}")
    write_comparison(results, comparison, source_paths=paths, robust=robust)
    say(f"情景对比 / comparison → {comparison}\n")
    say("2035年区域差距 / regional gaps in 2035:")
    say(_table_2035(results).to_string(float_format=lambda v: f"{v:.4f}"))
    if robust is not None:
        say(probability_table(robust))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@planner_errors
def examples(folder: Path) -> None:
    """Copy the example workbooks, the template and the notebooks into FOLDER.

    Existing files are never replaced (nothing is copied if one would be).

    \b
    Example:
      jjjplan examples 我的情景
    """
    from jjjplan.bundled import copy_examples

    copies = copy_examples(folder)
    for path in copies:
        say(f"  {path}")
    say(f"已复制 {len(copies)} 个文件 / copied {len(copies)} files to {folder}")


@main.command()
@data_options
@planner_errors
def baseline(data_file: Path | None, data_vintage: str | None) -> None:
    """Project the baseline (current policy) and print the gap measures from the base year to 2035.

    \b
    Example:
      jjjplan baseline
      jjjplan baseline --data-vintage 2022-initial
      jjjplan baseline --data d.xlsx
    """
    data = load_data(data_file, data_vintage)
    echo_data(data)
    results = jjjplan.project(jjjplan.Scenario.baseline(), data=data)
    say("基准情景区域差距 / Baseline regional gaps (13 units, province groups)")
    say(gap_table(results, years=tuple(int(y) for y in results.years)))


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
    for module in ("voila", "ipywidgets"):
        _require_module(module, "dashboard")
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
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for samples.parquet (and discovery.xlsx); a rerun resumes.",
)
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


sensitivity_command.callback = planner_errors(sensitivity_command.callback)
main.add_command(sensitivity_command)


def _code_scenario(code: str):
    from jjjplan.goalseek.command import scenario_from_code

    return scenario_from_code(code)


def _register_seek_commands() -> None:
    """``jjjplan seek`` and ``jjjplan code`` (logic in :mod:`jjjplan.goalseek.command`)."""
    from jjjplan.goalseek.command import code_command, seek_command

    for command in (seek_command, code_command):
        command.callback = planner_errors(command.callback)
        main.add_command(command)


_register_seek_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
