"""``jjjplan brief``: checks on the output paths and the missing-extra message, kept out of
cli.py so the command there is only its options."""

from __future__ import annotations

from pathlib import Path

from jjjplan.errors import Issue, ValidationError

INSTALL_HINT = (
    '简报需要 brief 扩展：pip install "jjjplan[brief]" / the briefing needs the brief extra: '
    'pip install "jjjplan[brief]"'
)


def _refuse(out: Path, expected: str, zh: str, en: str) -> ValidationError:
    return ValidationError([Issue(out.name, None, None, None, expected, str(out), zh, en)])


def check_targets(
    source: Path, out: Path, charts_dir: Path | None, data_file: Path | None = None
) -> None:
    """The one output policy (a .pdf, never an input, a device or an existing file); the
    chart folder must exist."""
    from jjjplan.output_policy import check_output

    inputs = [source] if data_file is None else [source, data_file]
    check_output(out, "pdf", inputs=inputs, existing="refuse")
    if charts_dir is not None and not charts_dir.is_dir():
        raise _refuse(
            charts_dir,
            "an existing folder",
            f"图片输出文件夹不存在：{charts_dir}",
            f"the chart folder does not exist: {charts_dir}",
        )


def run_brief(
    source: Path,
    out: Path,
    lang: str,
    charts_dir: Path | None,
    draws: int = 0,
    seed: int = 0,
    data_file: Path | None = None,
    data_vintage: str | None = None,
) -> list[str]:
    """Write the briefing (and chart images); returns the lines to print. ``data_file`` /
    ``data_vintage`` are ``--data`` / ``--data-vintage``, handled as by ``jjjplan run``."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise SystemExit(INSTALL_HINT) from exc
    from jjjplan.brief import write_brief
    from jjjplan.brief.fonts import FontMissingError

    check_targets(source, out, charts_dir, data_file)
    try:
        written = write_brief(
            source,
            out,
            lang=lang,
            charts_dir=charts_dir,
            draws=draws,
            seed=seed,
            data=data_file,
            data_vintage=data_vintage,
        )
    except FontMissingError as exc:
        raise SystemExit(str(exc)) from exc
    lines = [f"已写出简报 / briefing written: {written[0]}"]
    lines += [f"已写出图片 / chart image: {image}" for image in written[1:]]
    return lines
