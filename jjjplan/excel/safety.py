"""File-safety helpers that every workbook writer uses.

Three failure modes from the reliability research (§8 F–G) are handled here once:

* a failed in-place ``wb.save(path)`` destroys the original and can break a concurrent
  reader, so :func:`atomic_save` writes a temp file next to the target and ``os.replace``-s it;
* writing next to, or over, a planner's input or a file open in Excel loses work, so
  :func:`check_output_path` refuses those targets with a message a planner understands;
* openpyxl turns text starting with ``=`` into a formula and ``"#N/A"`` into an error cell,
  so :func:`write_text_cell` always stores planner text as text, or refuses it (never
  silently changes it).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import glob
import os
import re
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell

from jjjplan.errors import Issue, ValidationError

__all__ = [
    "ERROR_CODES",
    "MAX_TEXT_LENGTH",
    "QUOTE_PREFIX_STARTS",
    "atomic_save",
    "check_output_path",
    "lock_files_for",
    "lock_owner",
    "needs_quote_prefix",
    "safe_text",
    "same_file",
    "write_text_cell",
]

MAX_TEXT_LENGTH = 32_767  # Excel's limit per cell, counted in UTF-16 code units here

# Text equal to one of these is written by openpyxl as an *error* cell unless forced to "s".
ERROR_CODES = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#PYTHON!",
    }
)

# OWASP CSV/formula-injection lead characters. quotePrefix makes Excel keep the cell as text
# even when a planner later re-enters it; the full-width forms are cheap insurance for CJK
# input methods.
QUOTE_PREFIX_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")

# Characters an XML 1.0 file cannot hold (openpyxl raises IllegalCharacterError mid-save for
# the C0 ones and silently writes a corrupt file for U+FFFE/U+FFFF), plus lone surrogates.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Excel decodes _xHHHH_ inside cell text, so such text would display differently in Excel.
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")

_XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


# ---------------------------------------------------------------------------------------------
# Text cells
# ---------------------------------------------------------------------------------------------
def safe_text(value: str, *, normalize_newlines: bool = False) -> str:
    """Return ``value`` unchanged if Excel stores and returns it exactly, else raise ValueError.

    Refused (never silently changed): empty text (Excel reads it back as an empty cell),
    control characters XML cannot hold, U+FFFE/U+FFFF and lone surrogates, a carriage return
    (read back as ``\\n``; pass ``normalize_newlines=True`` to convert CR/CRLF to LF
    explicitly and report that yourself), ``_xHHHH_`` sequences (Excel shows them as the
    escaped character) and text over 32,767 UTF-16 units.
    """
    if not isinstance(value, str):
        raise TypeError(f"text must be str, not {type(value).__name__}")
    if value == "":
        raise ValueError(
            "empty text cannot be stored as text in Excel (it reads back as an empty cell); "
            "write None to leave the cell empty"
        )
    if normalize_newlines:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    bad = _ILLEGAL.search(value)
    if bad:
        ch = bad.group()
        raise ValueError(
            f"text contains the control/invalid character U+{ord(ch):04X} at position "
            f"{bad.start()}, which an Excel file cannot hold; remove it "
            f"(text starts {value[:40]!r})"
        )
    cr = value.find("\r")
    if cr >= 0:
        raise ValueError(
            f"text contains a carriage return (\\r) at position {cr}, which Excel files "
            "return as \\n; normalise line breaks to \\n first "
            "(safe_text(..., normalize_newlines=True))"
        )
    esc = _EXCEL_ESCAPE.search(value)
    if esc:
        raise ValueError(
            f"text contains {esc.group()!r} at position {esc.start()}, which Excel displays "
            "as an escaped character code, not as written; change the text"
        )
    units = len(value.encode("utf-16-le")) // 2
    if units > MAX_TEXT_LENGTH:
        raise ValueError(
            f"text is {units:,} characters (UTF-16 units); Excel allows {MAX_TEXT_LENGTH:,} "
            "per cell and openpyxl would cut it silently"
        )
    return value


@functools.lru_cache(maxsize=4096)
def _checked_text(value: str, normalize_newlines: bool) -> tuple[str, bool]:
    """:func:`safe_text` and :func:`needs_quote_prefix` of ``value``, remembered: a
    workbook repeats the same labels (regions, statuses, sources) thousands of times.
    Refusals raise and are not remembered."""
    text = safe_text(value, normalize_newlines=normalize_newlines)
    return text, needs_quote_prefix(text)


def needs_quote_prefix(text: str) -> bool:
    """True if Excel could read ``text`` as a formula or an error when the cell is re-entered."""
    return text.startswith(QUOTE_PREFIX_STARTS) or text in ERROR_CODES


def write_text_cell(cell: Any, value: str | None, *, normalize_newlines: bool = False) -> None:
    """Write planner text into an openpyxl cell as a string cell, never as formula or error.

    ``None`` clears the cell. Text is checked with :func:`safe_text` (ValueError on refusal),
    the cell type is forced to ``"s"`` and ``quotePrefix`` is set for text starting with
    ``= + - @`` / tab / newline or equal to an Excel error code, so Excel keeps it as text too.
    """
    if value is None:
        cell.value = None
        return
    if not isinstance(value, str):
        raise TypeError(f"text must be str, not {type(value).__name__}")
    text, quote = _checked_text(value, normalize_newlines)
    if type(cell) is Cell:
        # What openpyxl's value setter ends with for checked text (its checks are a subset of
        # safe_text's), minus its formula/error typing, which "s" overrides: set directly,
        # it runs for every text cell of a workbook.
        cell._value = text
        cell.data_type = "s"
    else:
        cell.value = text  # openpyxl may type this "f" or "e" ...
        cell.data_type = "s"  # ... so force text
        if cell.value != text:  # pragma: no cover - guards an openpyxl behaviour change
            raise ValueError(f"openpyxl changed the text {text[:40]!r} while writing it")
    if quote or cell.quotePrefix:
        cell.quotePrefix = quote


# ---------------------------------------------------------------------------------------------
# Output paths and lock files
# ---------------------------------------------------------------------------------------------
def lock_files_for(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """The Excel owner file and LibreOffice lock file that exist while ``path`` is open."""
    p = Path(path)
    return p.with_name(f"~${p.name}"), p.with_name(f".~lock.{p.name}#")


def lock_owner(lock: Path) -> str:
    """Best-effort user name from a lock file ('' if unknown); never raises."""
    try:
        with open(lock, "rb") as fh:
            data = fh.read(4096)
    except OSError:
        return ""
    try:
        if lock.name.startswith(".~lock."):
            # LibreOffice: "user,host,profile,date,..." — the first field may be empty
            fields = data.decode("utf-8", "replace").split(",")
            return (fields[0] or (fields[1] if len(fields) > 1 else "")).strip()
        # MS Office owner file (layout as reverse-engineered in LibreOffice's
        # svl/source/misc/msodocumentlockfile.cxx): byte 0 = length of the name in the ANSI
        # code page, the name, padding; then a 2-byte length at 54 (Word) or 55 (Excel) and
        # the name again in UTF-16-LE.
        if len(data) >= 162 and 0 < data[0] <= 52:
            pos = 54
            if data[54] == 0x20 and (data[53] or data[52]):
                pos = 55
            n = data[pos]
            if 0 < n <= 52:
                name = data[pos + 2 : pos + 2 + 2 * n].decode("utf-16-le")
                if name.isprintable():
                    return name.strip()
        return ""
    except (UnicodeDecodeError, IndexError):
        return ""


def same_file(a: Path, b: Path) -> bool:
    """True if ``a`` and ``b`` name the same file (also through links, or by spelling)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def open_elsewhere(path: Path) -> tuple[str, str, str, str] | None:
    """(zh, en, expected, found) when an Excel/WPS/LibreOffice lock file says ``path`` is
    open in another program; ``None`` otherwise. One wording for every write path."""
    for lock in lock_files_for(path):
        if lock.exists():
            owner = lock_owner(lock)
            by_zh = f"（由 {owner} 打开）" if owner else ""
            by_en = f" (by {owner})" if owner else ""
            return (
                f"文件正在 Excel/LibreOffice 中打开{by_zh}；请关闭后重试"
                f"（如果没有人打开它，请删除锁定文件 {lock.name}）",
                f"the file is open in Excel/LibreOffice{by_en}; close it and try again "
                f"(if nobody has it open, delete the lock file {lock.name})",
                "the file closed in Excel/LibreOffice",
                f"lock file {lock.name}",
            )
    return None


def check_not_an_input(
    out_path: Path, inputs: Iterable[str | os.PathLike[str]], refuse: Callable[..., None]
) -> None:
    """``refuse(zh, en, expected, found)`` for every input that ``out_path`` would overwrite
    (shared by :func:`check_output_path` and :mod:`jjjplan.output_policy`)."""
    for inp in inputs:
        in_path = Path(os.path.abspath(os.fspath(inp)))
        if same_file(out_path, in_path):
            refuse(
                f"输出文件与输入文件 {in_path.name} 是同一个文件；为避免覆盖输入，请另选文件名",
                f"the output file is the same file as the input {in_path.name}; choose another "
                "name so the input is not overwritten",
                "an output file different from every input",
                str(in_path),
            )


def check_folder(out_path: Path, refuse: Callable[..., None]) -> None:
    """``refuse(zh, en, expected, found)`` unless ``out_path``'s folder exists and is one."""
    parent = out_path.parent
    if not parent.exists():
        refuse(
            f"输出文件夹不存在：{parent}",
            f"the output folder does not exist: {parent}",
            "an existing folder",
            str(parent),
        )
    elif not parent.is_dir():
        refuse(
            f"输出位置 {parent} 不是文件夹",
            f"the output location {parent} is not a folder",
            "an existing folder",
            str(parent),
        )


def check_output_path(
    out: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Refuse an output path that would overwrite an input, cannot be created, or is open.

    Returns the absolute output path. Raises :class:`ValidationError` listing every problem.
    """
    out_path = Path(os.path.abspath(os.fspath(out)))
    name = out_path.name
    issues: list[Issue] = []

    def problem(zh: str, en: str, expected: str, found: str) -> None:
        issues.append(Issue(name, None, None, None, expected, found, zh, en))

    check_not_an_input(out_path, inputs, problem)
    check_folder(out_path, problem)
    if out_path.is_dir():
        problem(
            "输出路径是一个文件夹，请给出文件名（如 结果.xlsx）",
            "the output path is a folder; give a file name (e.g. results.xlsx)",
            "a file name",
            f"folder {out_path}",
        )
    locked = open_elsewhere(out_path)
    if locked is not None:
        problem(*locked)
    if issues:
        raise ValidationError(issues)
    return out_path


# ---------------------------------------------------------------------------------------------
# Atomic save
# ---------------------------------------------------------------------------------------------
def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _fsync_path(path: str | Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if directory else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if directory:  # Windows cannot open folders; the rename is durable enough there
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def _verify_xlsx(path: str) -> None:
    """Re-open what was written: a readable zip with every CRC right and a manifest."""
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise RuntimeError(f"the written file is not a valid .xlsx: {exc}") from exc
    if bad is not None:
        raise RuntimeError(f"the written file is damaged: bad CRC in {bad}")
    if "[Content_Types].xml" not in names:
        raise RuntimeError("the written file is not a spreadsheet package ([Content_Types].xml)")


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs. psutil, because ``os.kill(pid, 0)`` on Windows does not
    probe: it sends Ctrl-C to the process (and to ours, when pid is our console group)."""
    import psutil

    try:
        return psutil.pid_exists(pid)
    except (OSError, ValueError):  # unknown: treat as alive, never delete its temp file
        return True


def sweep_stale_temps(folder: Path, prefix: str) -> list[Path]:
    """Delete temp files of earlier saves to this target whose process is gone.

    A save killed outright (SIGKILL, power loss) cannot clean up after itself; its hidden
    ``.{stem}.tmp-{pid}-*`` file is removed by the next save of the same target, but only
    when that pid no longer runs, so a concurrent writer's temp file is never touched."""
    removed = []
    for tmp in folder.glob(f"{glob.escape(prefix)}*"):
        pid_text = tmp.name[len(prefix) :].split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(FileNotFoundError, PermissionError):
            tmp.unlink()
            removed.append(tmp)
    return removed


#: Pauses between attempts to replace a file another program holds for a moment (antivirus,
#: OneDrive/WPS cloud sync, a viewer's preview): 0.05 s doubling, about 3 s in all.
REPLACE_RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6)
#: Windows errors of a file held open by another process: access denied, sharing and lock
#: violations; errno EACCES/EBUSY elsewhere.
_TRANSIENT_WINERRORS = frozenset({5, 32, 33})


def _transient(exc: OSError) -> bool:
    """True if ``exc`` is another program holding the file, worth retrying shortly."""
    winerror = getattr(exc, "winerror", None)
    if winerror is not None:
        return winerror in _TRANSIENT_WINERRORS
    return isinstance(exc, PermissionError) or exc.errno == errno.EBUSY


def replace_with_retries(tmp: str, target: Path) -> None:
    """``os.replace`` that waits out a transient lock; a lock that persists becomes the
    planner's message "open in Excel/WPS?" (ValidationError); other errors are raised."""
    for delay in (*REPLACE_RETRY_DELAYS, None):
        try:
            os.replace(tmp, target)
            return
        except OSError as exc:
            if not _transient(exc):
                raise
            if delay is None:
                raise _locked(target, exc) from exc
            time.sleep(delay)


def _locked(target: Path, exc: OSError) -> ValidationError:
    return ValidationError(
        [
            Issue(
                target.name,
                None,
                None,
                None,
                "a writable, closed file",
                f"{type(exc).__name__}: {exc.strerror or exc}",
                "无法替换文件：它可能正在 Excel/WPS 中打开，或被同步/杀毒程序占用，或文件夹为只读；"
                "请关闭该文件后重试（原文件保持不变）",
                "cannot replace the file: it may be open in Excel/WPS, held by a sync or "
                "antivirus program, or the folder is read-only; close it and try again (the "
                "file is unchanged)",
            )
        ]
    )


def _unwritable_folder(folder: Path, exc: OSError) -> ValidationError:
    """The folder (not our hidden temp file) is what a planner can act on."""
    return ValidationError(
        [
            Issue(
                folder.name or str(folder),
                None,
                None,
                None,
                "a folder you may write to",
                f"{type(exc).__name__}: {exc.strerror or exc}",
                f"输出文件夹 {folder} 不可写入（只读、无权限或磁盘已满）；请选择其他文件夹",
                f"the output folder {folder} is not writable (read-only, no permission or "
                "disk full); choose another folder",
            )
        ]
    )


def atomic_save(
    workbook_or_callable: Any | Callable[[str], object],
    path: str | os.PathLike[str],
    *,
    verify: bool = True,
) -> Path:
    """Save so that ``path`` holds either the old file or the complete new one, never a mix.

    Writes ``.{stem}.tmp-{pid}-{random}{suffix}`` in the target's folder (same file system;
    an .xlsx-family target keeps its suffix because openpyxl wants one, any other target —
    CSV, Parquet, PDF — its own) via ``workbook.save(tmp)`` or ``callable(tmp)``, fsyncs it,
    re-opens a workbook to check every CRC (``verify``; other formats are the writer's to
    check), keeps the old file's permission bits, ``os.replace``-s it over the target (waiting
    out a transient lock by antivirus or cloud sync, :func:`replace_with_retries`) and fsyncs
    the folder. On any exception the temp file is deleted and the exception re-raised; the
    original stays byte-identical. A symlink target is followed: the file it points to is
    replaced, the link is kept. Returns the path written. Decide *whether* to write with
    :func:`jjjplan.output_policy.check_output` first.
    """
    target = Path(os.path.realpath(os.fspath(path)))
    folder = target.parent
    is_book = target.suffix.lower() in _XLSX_SUFFIXES
    suffix = target.suffix if is_book or target.suffix else ".xlsx"
    if hasattr(workbook_or_callable, "save"):
        writer: Callable[[str], object] = workbook_or_callable.save
    elif callable(workbook_or_callable):
        writer = workbook_or_callable
    else:
        raise TypeError("atomic_save needs an openpyxl Workbook or a callable taking a path")
    prefix = f".{target.stem[:100]}.tmp-"
    sweep_stale_temps(folder, prefix)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{prefix}{os.getpid()}-", suffix=suffix, dir=folder)
    except (PermissionError, OSError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise _unwritable_folder(folder, exc) from exc
    os.close(fd)
    try:
        writer(tmp)
        _fsync_path(tmp)
        if verify and (is_book or not target.suffix):
            _verify_xlsx(tmp)
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp, mode)
        replace_with_retries(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_path(folder, directory=True)
    return target
