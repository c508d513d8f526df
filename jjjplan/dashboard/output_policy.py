"""Where the dashboard may write: one decision for "Save as" and "Export comparison".

A planner's file is never replaced without asking, and some files are never replaced at all:

* the name must end in ``.xlsx`` (what is written is an .xlsx package);
* never an input (a workbook loaded in this session) nor, for an export, another scenario
  workbook; never a folder, device, FIFO or symbolic link;
* saving over an existing scenario workbook is allowed after confirmation only when the file
  holds nothing but the template's sheets (the save rebuilds it from the template, so a
  planner's own extra sheet would be lost: refused, listing the sheets);
* an existing file that is not a readable workbook is refused, never replaced;
* any other existing file needs confirmation (:class:`ConfirmReplace`).

Then the package-wide output policy (:func:`jjjplan.output_policy.check_output`: missing
folder, Windows device names, links to inputs, file open in Excel) applies. The
dashboard's stricter rules and its tested messages come first.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

Kind = Literal["scenario", "comparison"]


class OutputRefused(ValueError):
    """The target may not be written (message in Chinese and English)."""


class ConfirmReplace(Exception):
    """The target exists: the planner must confirm before it is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"文件已存在：{path.name}。确认替换吗？ / {path.name} already exists. Replace it?"
        )


def _refuse(zh: str, en: str) -> OutputRefused:
    return OutputRefused(f"{zh} / {en}")


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _sheet_names(path: Path) -> tuple[str, ...]:
    """Sheet names of an existing file through the guarded pre-flight (never openpyxl)."""
    from jjjplan.errors import ValidationError
    from jjjplan.excel.guard.preflight import preflight

    try:
        return preflight(path).sheet_names
    except (ValidationError, OSError) as err:
        raise _refuse(
            f"{path.name} 已存在且不是可读取的工作簿，不会被替换；请另选文件名",
            f"{path.name} exists and is not a readable workbook; it will not be replaced: "
            "choose another name",
        ) from err


def decide(
    path: Path,
    kind: Kind,
    inputs: Iterable[Path] = (),
    replace: bool = False,
) -> Path:
    """The absolute path to write, or :class:`OutputRefused` / :class:`ConfirmReplace`.

    ``replace=True`` is the planner's confirmation that an existing file may be replaced.
    """
    from jjjplan.excel.layout import SHEETS
    from jjjplan.output_policy import check_output

    target = Path(os.path.abspath(path))
    if target.suffix.lower() != ".xlsx":
        raise _refuse(
            f"文件名应以 .xlsx 结尾：{target.name}",
            f"the file name must end in .xlsx: {target.name}",
        )
    for source in inputs:
        if _same(target, Path(source)):
            raise _refuse(
                f"{target.name} 是已读取的输入工作簿，不会被替换；请另选文件名",
                f"{target.name} is a workbook loaded as input and will not be replaced; "
                "choose another name",
            )
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise _refuse(f"无法访问 {target}", f"cannot access {target}: {err}") from err
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise _refuse(
                f"{target.name} 不是普通文件（文件夹、设备或链接），不会被写入",
                f"{target.name} is not a regular file (folder, device or link); nothing written",
            )
        sheets = _sheet_names(target)
        scenario_sheets = set(SHEETS[1:5])  # the lever sheets mark a scenario workbook
        if kind == "comparison" and scenario_sheets & set(sheets):
            raise _refuse(
                f"{target.name} 是情景工作簿，比较结果不能写在它上面；请另选文件名",
                f"{target.name} is a scenario workbook; a comparison may not replace it: "
                "choose another name",
            )
        if kind == "scenario":
            extra = [s for s in sheets if s not in SHEETS]
            if extra:
                raise _refuse(
                    f"{target.name} 含有模板以外的工作表（{'、'.join(extra)}），保存会丢失它们；"
                    "请另选文件名",
                    f"{target.name} has sheets the template does not write ({', '.join(extra)}) "
                    "that saving would lose; choose another name",
                )
        if not replace:
            raise ConfirmReplace(target)
    # then the package-wide output policy (device names, links to inputs, open files…)
    return check_output(target, kind, inputs=inputs, existing="replace").path
