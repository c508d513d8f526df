"""``jjjplan seek`` and ``jjjplan code``, and the ``--code`` helper of template/run.

Kept out of :mod:`jjjplan.cli` so that module only registers commands; the messages follow
the CLI's conventions (bilingual, one ``ValidationError`` naming the option, exit 1).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from jjjplan.data.commands import data_options, echo_data
from jjjplan.errors import Issue, ValidationError

__all__ = ["code_command", "scenario_from_code", "seek_command"]


def _option_error(option: str, expected: str, found: str, message: str) -> ValidationError:
    """A bad option value as a ValidationError naming the option (message already zh / en)."""
    zh, _, en = message.partition(" / ")
    return ValidationError([Issue("", None, None, option, expected, found, zh, en or zh)])


def scenario_from_code(code: str):
    """The Scenario of a ``JJJ1-…`` code, or a ValidationError naming ``--code``."""
    from jjjplan.codes import CodeError, decode

    try:
        return decode(code)
    except CodeError as err:
        text = str(err)
        shown = code if len(code) <= 24 else code[:20] + "…"
        raise _option_error("--code", "JJJ1-…", shown, text) from None


def _targets(texts: tuple[str, ...]):
    from jjjplan.targets import TargetError, parse_target

    out, issues = [], []
    for text in texts:
        try:
            out.append(parse_target(text))
        except TargetError as err:
            zh, _, en = str(err).partition(" / ")
            issues.append(Issue("", None, None, "--target", "indicator@year<=value", text, zh, en))
    if issues:
        raise ValidationError(issues)
    return out


@click.command("seek")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--target",
    "target_texts",
    multiple=True,
    metavar="EXPR",
    help='A target such as "bj_he_ratio@2035<=3.0" or "gdp_per_capita[HE/TJ]@2030>=0.6" '
    "(repeatable; default: the workbook's Targets sheet).",
)
@click.option(
    "--free", "free", multiple=True, metavar="LEVER", help="A lever to search (repeatable)."
)
@click.option(
    "--lock", "lock", multiple=True, metavar="LEVER", help="A lever to keep (repeatable)."
)
@click.option(
    "--objective",
    type=click.Choice(["min-change", "min-fiscal-cost", "min-investment"]),
    default="min-change",
    show_default=True,
)
@click.option(
    "--robust",
    type=click.FloatRange(0.5, 0.99),
    default=None,
    help="Meet every target in at least this share of assumption draws (e.g. 0.8).",
)
@click.option("--draws", type=click.IntRange(4, 256), default=16, show_default=True)
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="New scenario workbook with the found levers and a 求解 Seek sheet.",
)
@data_options
def seek_command(
    workbook: Path,
    target_texts: tuple[str, ...],
    free: tuple[str, ...],
    lock: tuple[str, ...],
    objective: str,
    robust: float | None,
    draws: int,
    out: Path,
    data_file: Path | None,
    data_vintage: str | None,
) -> None:
    """Find lever settings that meet targets; write them as a NEW scenario workbook.

    \b
    Example:
      jjjplan seek workbooks/00-baseline.xlsx --target "bj_he_ratio@2035<=3.0" -o found.xlsx
      jjjplan seek plan.xlsx --free poles.investment --free poles.relocation -o f.xlsx
      jjjplan seek plan.xlsx --data my-data.xlsx -o f.xlsx   # search on your own data
    Exit 1 (and the closest achievable values) when the targets cannot be met.
    """
    from jjjplan.cli import _read_inputs, _refuse_existing
    from jjjplan.excel.safety import check_output_path
    from jjjplan.excel.write.seek_sheet import write_found
    from jjjplan.goalseek import SeekError, seek

    check_output_path(out, [p for p in (workbook, data_file) if p is not None])
    _refuse_existing(out)
    targets = _targets(target_texts)
    [scenario], data = _read_inputs([workbook], data_file, data_vintage)
    echo_data(data)
    if not targets:
        targets = list(getattr(scenario, "targets", ()) or ())
    if not targets:
        raise _option_error(
            "--target",
            "indicator@year<=value",
            "无 none",
            "请用 --target 给出目标，或填写工作簿的“目标 Targets”工作表 / give targets with "
            "--target or fill the workbook's 目标 Targets sheet",
        )
    try:
        result = seek(
            scenario,
            targets,
            free=list(free) or None,
            objective=objective,
            robust=robust,
            lock=lock,
            n_draws=draws,
            data=data,
        )
    except SeekError as err:
        option = "--free" if free or lock else "--objective"
        raise _option_error(option, "", "", str(err)) from None
    if hasattr(result.scenario, "targets"):
        result = _with_targets(result, targets)
    if data is not None:
        result = _with_vintage(result, data)
    write_found(result, out, source_path=workbook)
    click.echo(result.message)
    table = result.table.drop(columns=["indicator", "value"])
    click.echo(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if not result.changes.empty:
        click.echo("\n改动的杠杆 / levers changed:")
        click.echo(result.changes.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    click.echo(
        f"\n累计新增投资 / extra pole investment 2024-2035: {result.investment:,.0f} 亿元; "
        f"财政成本 / fiscal cost: {result.fiscal_cost:,.0f} 亿元 "
        f"({result.evaluations} projections, {result.seconds:.1f} s)"
    )
    click.echo(f"已写出情景 / scenario written: {out}")
    if not result.met:
        sys.exit(1)


def _with_targets(result, targets):
    """The found scenario carries the targets it was sought for (Targets sheet)."""
    import dataclasses

    return dataclasses.replace(result, scenario=result.scenario.replace(targets=tuple(targets)))


def _with_vintage(result, data):
    """The found scenario names the bundled vintage its data was built on, so ``jjjplan run
    FOUND`` (plus the same ``--data`` file, if one was given) reproduces the search."""
    import dataclasses

    from jjjplan import baseline

    vintage = data.vintage if data.vintage in baseline.VINTAGES else None
    found = result.scenario.replace(data_vintage=vintage)
    return dataclasses.replace(result, scenario=found)


@click.command("code")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
def code_command(workbook: Path) -> None:
    """Print the scenario's short code (JJJ1-…) to share or rebuild it exactly.

    \b
    Example:
      jjjplan code workbooks/05-coordinated.xlsx
      jjjplan template --code JJJ1-… rebuilt.xlsx
    """
    from jjjplan.codes import encode
    from jjjplan.excel import read_workbook

    click.echo(encode(read_workbook(workbook)))
