"""One output policy for every file jjjplan writes: may this path be written, and how?

Why: the CLI, the dashboard's Save and Export, ``validate --annotate``, ``seek``, ``brief``,
``data template`` and the exports (CSV/Parquet) must all refuse the same dangerous targets,
so no write path can lose a planner's file (issue 16 §1). Call :func:`check_output` before
building the output, then write it with ``atomic_save`` to ``decision.path``::

    from jjjplan.output_policy import check_output

    # CLI: refuse an existing file unless the planner passed --overwrite
    decision = check_output(out, "results", inputs=[workbook],
                            existing="replace" if overwrite else "refuse")
    # dashboard: never refuse just because the file exists -- ask first
    decision = check_output(path, "comparison", existing="ask")
    if decision.needs_confirmation:
        show(decision.question_zh, decision.question_en)   # write only after "yes"
    # dashboard Save onto the loaded workbook (kind "scenario"): refused, listing the
    # planner's sheets and features that rewriting the file would drop, when there are any

Always refused (:class:`OutputRefused`, a ``ValidationError`` naming the file, Chinese and
English, every problem listed): an extension that does not match what is written
(``results.xlsm`` or ``results.csv`` for a workbook); a Windows device name (``NUL``,
``COM1``…); a missing output folder; a folder, device, FIFO, socket or dangling link at the
path; any input of the run, also through a symbolic or hard link; another scenario workbook
(an input) when writing anything but a scenario; a file open in Excel/WPS/LibreOffice.

``existing`` says what to do when a regular file is already there: ``"refuse"`` (the CLI's
default: the message names ``--overwrite``), ``"ask"`` (the dashboard: the decision carries a
question), ``"replace"`` (an explicit flag or a confirmed question) or ``"replace-own"``
(``jjjplan demo``: replace only an earlier jjjplan output, refuse anything else).
"""

from __future__ import annotations

import functools
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jjjplan.errors import Issue, ValidationError
from jjjplan.excel.safety import check_folder, check_not_an_input, open_elsewhere

__all__ = [
    "OUTPUT_KINDS",
    "OutputDecision",
    "OutputRefused",
    "check_output",
    "is_jjjplan_output",
    "is_scenario_workbook",
    "writeback_losses",
]

Existing = Literal["refuse", "ask", "replace", "replace-own"]

#: kind → (allowed extensions, Chinese name, English name). Add a kind here for a new output.
OUTPUT_KINDS: dict[str, tuple[tuple[str, ...], str, str]] = {
    "results": ((".xlsx",), "结果工作簿", "a results workbook"),
    "comparison": ((".xlsx",), "对比工作簿", "a comparison workbook"),
    "template": ((".xlsx",), "情景模板", "a scenario template"),
    "scenario": ((".xlsx",), "情景工作簿", "a scenario workbook"),
    "annotated": ((".xlsx", ".xlsm"), "标注副本", "an annotated copy"),
    "data": ((".xlsx",), "基期数据工作簿", "a baseline-data workbook"),
    "seek": ((".xlsx",), "目标求解工作簿", "a goal-seek workbook"),
    "sweep": ((".xlsx",), "情景扫描工作簿", "a sweep workbook"),
    "ensemble": ((".xlsx",), "不确定性工作簿", "an uncertainty workbook"),
    "csv": ((".csv",), "CSV 文件", "a CSV file"),
    "parquet": ((".parquet",), "Parquet 文件", "a Parquet file"),
    "iamc": ((".csv", ".xlsx"), "IAMC 格式表", "an IAMC-format table"),
    "pdf": ((".pdf",), "PDF 简报", "a PDF briefing"),
    "png": ((".png",), "PNG 图片", "a PNG image"),
    "svg": ((".svg",), "SVG 图片", "an SVG image"),
    "html": ((".html", ".htm"), "HTML 页面", "an HTML page"),
    "json": ((".json",), "JSON 文件", "a JSON file"),
}

#: Names Windows reserves for devices, with any extension (``nul.xlsx`` is the NUL device).
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"COM{i}" for i in "123456789¹²³"}
    | {f"LPT{i}" for i in "123456789¹²³"}
)

#: The sheet every jjjplan results/comparison workbook has.
_PROVENANCE_SHEET = "来源 Provenance"


class OutputRefused(ValidationError):
    """The output path was refused before anything was written."""

    header_zh = "未写出文件（{n} 个问题）"
    header_en = "nothing was written ({n} problem(s))"


@dataclass(frozen=True)
class OutputDecision:
    """What :func:`check_output` allows. Write to ``path`` (absolute; a link is followed)."""

    path: Path
    kind: str
    exists: bool
    needs_confirmation: bool = False
    question_zh: str = ""
    question_en: str = ""

    @property
    def question(self) -> str:
        """The confirmation question, Chinese first ("" when none is needed)."""
        return f"{self.question_zh} / {self.question_en}" if self.needs_confirmation else ""


def check_output(
    path: str | os.PathLike[str],
    kind: str,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    existing: Existing = "refuse",
) -> OutputDecision:
    """Decide whether ``path`` may receive an output of ``kind`` (a key of OUTPUT_KINDS).

    Raises :class:`OutputRefused` listing every problem; returns an :class:`OutputDecision`
    otherwise (``needs_confirmation`` only with ``existing="ask"``).
    """
    if kind not in OUTPUT_KINDS:
        raise ValueError(f"unknown output kind {kind!r}; one of {', '.join(OUTPUT_KINDS)}")
    given = Path(os.fspath(path))
    absolute = Path(os.path.abspath(given))
    problems: list[Issue] = []

    def refuse(zh: str, en: str, expected: str, found: str) -> None:
        problems.append(Issue(absolute.name, None, None, None, expected, found, zh, en))

    _check_name(absolute, kind, refuse)
    check_folder(absolute, refuse)
    target, exists = _check_target(absolute, refuse)
    check_not_an_input(absolute, inputs, refuse)
    if exists and not problems:
        _check_existing(target, kind, existing, refuse)
    _check_locks(absolute, refuse)
    if problems:
        raise OutputRefused(problems)
    if exists and existing == "ask":
        return OutputDecision(
            target,
            kind,
            True,
            True,
            f"文件 {absolute.name} 已存在，是否替换？",
            f"{absolute.name} already exists; replace it?",
        )
    return OutputDecision(target, kind, exists)


# --- the checks, in the order a planner would fix them ------------------------------------------
def _check_name(path: Path, kind: str, refuse) -> None:
    suffixes, zh_kind, en_kind = OUTPUT_KINDS[kind]
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        wanted = " / ".join(suffixes)
        better = path.with_suffix(suffixes[0]).name if path.stem else f"output{suffixes[0]}"
        shown = suffix or "（无）"
        shown_en = suffix or "none"
        refuse(
            f"扩展名 {shown} 与写出的内容不符：{zh_kind}的扩展名应为 {wanted}"
            f"（否则 Excel/WPS 会拒绝打开或误读）；请改用 {better}",
            f"the extension ({shown_en}) does not match what is written: {en_kind} is "
            f"{wanted} (Excel/WPS would refuse or misread it otherwise); use {better}",
            wanted,
            shown_en,
        )
    stem = path.name.split(".", 1)[0].rstrip(" ").upper()
    if stem in _WINDOWS_DEVICES:
        refuse(
            f"文件名 {path.name} 在 Windows 上是设备名，不能作为文件；请另选文件名",
            f"the name {path.name} is a device on Windows, not a file; choose another name",
            "an ordinary file name",
            path.name,
        )
    elif path.name != path.name.rstrip(" ."):
        refuse(
            "文件名以空格或句点结尾，Windows 无法打开；请去掉它们",
            "the file name ends in a space or a dot, which Windows cannot open; remove it",
            "a name without a trailing space or dot",
            repr(path.name),
        )


def _check_target(path: Path, refuse) -> tuple[Path, bool]:
    """(path to write, whether a file is there). Refuses anything but a regular file."""
    link = path.is_symlink()
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError:  # a link loop, or a path we may not inspect
        refuse(
            f"{path.name} 是一个无法解析的链接或路径；请另选文件名",
            f"{path.name} is a link or path that cannot be resolved; choose another name",
            "a regular file or a new name",
            "unresolvable path",
        )
        return path, False
    if link and info is None:
        refuse(
            f"{path.name} 是一个指向不存在位置的链接（{os.readlink(path)}）；"
            "请另选文件名或删除该链接",
            f"{path.name} is a link to a place that does not exist ({os.readlink(path)}); "
            "choose another name or delete the link",
            "a regular file or a new name",
            "dangling link",
        )
        return path, False
    if info is None:
        return path, False
    if stat.S_ISDIR(info.st_mode):
        refuse(
            "输出路径是一个文件夹，请给出文件名（如 结果.xlsx）",
            "the output path is a folder; give a file name (e.g. results.xlsx)",
            "a file name",
            f"folder {path}",
        )
        return path, False
    if not stat.S_ISREG(info.st_mode):
        what_zh, what_en = _special_file(info.st_mode)
        refuse(
            f"{path.name} 不是普通文件，而是{what_zh}；jjjplan 只写普通文件，请另选文件名",
            f"{path.name} is not a regular file but {what_en}; jjjplan writes only regular "
            "files — choose another name",
            "a regular file or a new name",
            what_en,
        )
        return path, False
    return Path(os.path.realpath(path)), True


def _special_file(mode: int) -> tuple[str, str]:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备", "a device"
    if stat.S_ISFIFO(mode):
        return "管道 (FIFO)", "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "套接字", "a socket"
    return "特殊文件", "a special file"


def _check_existing(target: Path, kind: str, existing: Existing, refuse) -> None:
    scenario = is_scenario_workbook(target)
    if scenario and kind != "scenario":
        refuse(
            "输出文件是一个情景工作簿（输入文件），不会被覆盖；请另选输出文件名",
            "the output file is a scenario workbook (an input), so it will not be "
            "replaced; choose another output name",
            "a new output name",
            "a scenario workbook",
        )
        return
    if kind == "scenario" and scenario:
        lost = writeback_losses(target)
        if lost:
            shown = "; ".join(lost)
            refuse(
                f"保存会重写该工作簿，并丢失 jjjplan 不负责写出的内容：{shown}；"
                "请另存为新文件名（原文件保持不变）",
                f"saving rewrites this workbook and would lose what jjjplan does not write: "
                f"{shown}; save under a new name instead (the file is left unchanged)",
                "a workbook with only jjjplan's sheets, or a new name",
                shown,
            )
            return
    if existing == "refuse":
        refuse(
            "文件已存在，不会被替换；请另选文件名，或加上 --overwrite 明确替换它",
            "the file already exists and is not replaced; choose another name, or add "
            "--overwrite to replace it",
            "a new file name (or --overwrite)",
            f"existing file {target.name}",
        )
    elif existing == "replace-own" and not is_jjjplan_output(target):
        refuse(
            "文件已存在且不是 jjjplan 之前写出的结果，不会被替换；请移走它或另选输出文件夹",
            "the file already exists and is not an earlier jjjplan output, so it is not "
            "replaced; move it away or choose another output folder",
            "an earlier jjjplan output or a new name",
            f"existing file {target.name}",
        )


def _check_locks(path: Path, refuse) -> None:
    locked = open_elsewhere(path)
    if locked is not None:
        refuse(*locked)


# --- what is in an existing file ---------------------------------------------------------------
def _workbook_xml(path: Path) -> bytes:
    """``xl/workbook.xml`` of an .xlsx (b"" if not a readable package or unreasonably big)."""
    try:
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 8 * 1024 * 1024:
                return b""
            return zf.read(info)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, ValueError, EOFError):
        return b""


def is_scenario_workbook(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is an .xlsx whose workbook part defines jjjplan's TemplateVersion."""
    p = Path(path)
    return p.is_file() and b'name="TemplateVersion"' in _workbook_xml(p)


def is_jjjplan_output(path: str | os.PathLike[str]) -> bool:
    """True if ``path`` is a workbook jjjplan wrote as a result (it has the Provenance sheet
    and is not a scenario workbook)."""
    p = Path(path)
    if not p.is_file():
        return False
    xml = _workbook_xml(p)
    return _PROVENANCE_SHEET.encode() in xml and b'name="TemplateVersion"' not in xml


def writeback_losses(path: str | os.PathLike[str]) -> list[str]:
    """What rewriting the scenario workbook ``path`` from the template would drop: the
    planner's own sheets, and features the writer does not keep (pictures, text boxes, VBA,
    sparklines, more comments or formulas than the template has…), as bilingual phrases.
    Empty: nothing would be lost."""
    from jjjplan.excel import layout as L
    from jjjplan.excel.guard.preflight import preflight

    report = preflight(path)
    lost = [f"工作表 sheet '{name}'" for name in report.sheet_names if name not in L.SHEETS]
    written = _template_features()
    lost += [str(f) for f in report.lossy_features if f.count > written.get(f.key, 0)]
    return lost


@functools.lru_cache(maxsize=1)
def _template_features() -> dict[str, int]:
    """The lossy-feature counts of a fresh template: what the writer itself produces."""
    from jjjplan.excel.guard.preflight import preflight
    from jjjplan.excel.write.template import make_template

    with tempfile.TemporaryDirectory() as tmp:
        report = preflight(make_template(Path(tmp) / "template.xlsx"))
    return {f.key: f.count for f in report.lossy_features}
