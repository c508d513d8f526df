"""File- and zip-level checks: everything decided before any XML is parsed.

Why: zipfile has no decompression limits and answers damage with raw tracebacks. These
checks look at the file itself (exists, not a folder or lock file, size), its first bytes
(zip, not OLE2/encrypted, CSV or HTML renamed to .xlsx), the zip end record (entry count,
before zipfile builds one object per entry), the sizes and compression ratios declared in
the central directory (zip bombs), and read each part in bounded chunks with its CRC
checked, so a lying header ends as "damaged", never as a huge allocation.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from jjjplan.errors import WorkbookRejected
from jjjplan.excel.guard.rejection import CheckContext, looks_like_text, mib, show_bytes

__all__ = [
    "OLE2_MAGIC",
    "ZIP_MAGICS",
    "check_end_record",
    "check_magic",
    "check_sizes",
    "is_lock_file_name",
    "iter_part",
    "open_path",
    "too_big",
]

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_LOCK_RE = re.compile(r"^\.~lock\..*#$")


def is_lock_file_name(name: str) -> bool:
    """True for Excel owner files (``~$a.xlsx``) and LibreOffice locks (``.~lock.a.xlsx#``)."""
    base = os.path.basename(name)
    return base.startswith("~$") or bool(_LOCK_RE.match(base))


def _not_zip_hint(sample: bytes) -> tuple[str, str]:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" export
        return (
            "看起来是文本/CSV 文件（UTF-16 编码、制表符分隔，例如 Excel 的“Unicode 文本”导出），"
            "只是扩展名为 .xlsx；请在 Excel 中打开并“另存为” Excel 工作簿 (.xlsx)",
            "it looks like a text/CSV export (tab-separated, UTF-16, such as Excel's 'Unicode "
            "Text') renamed to .xlsx; open it in Excel and Save As Excel Workbook (.xlsx)",
        )
    low = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith(b"<"):
        return (
            "看起来是网页 (HTML/XML) 导出文件，只是扩展名为 .xls/.xlsx；"
            "请在 Excel 中打开并“另存为” .xlsx",
            "it looks like an HTML/XML export with an Excel extension; open it in Excel and "
            "Save As .xlsx",
        )
    if low.startswith(b"%pdf"):
        return "看起来是 PDF 文件", "it looks like a PDF file"
    if not looks_like_text(sample):
        return "", ""
    return (
        "看起来是文本/CSV 文件，只是扩展名为 .xlsx；请在 Excel 中打开并“另存为” .xlsx",
        "it looks like a text/CSV file renamed to .xlsx; open it in Excel and Save As .xlsx",
    )


def too_big(ctx: CheckContext, size: int) -> WorkbookRejected:
    """Refuse a file larger than ``limits.max_file_bytes``."""
    return ctx.reject(
        f"文件过大：{mib(size)}，上限为 {mib(ctx.limits.max_file_bytes)}",
        f"the file is too large: {mib(size)}; the limit is {mib(ctx.limits.max_file_bytes)}",
        expected=f"≤ {mib(ctx.limits.max_file_bytes)}",
        found=mib(size),
    )


def open_path(ctx: CheckContext, path: str) -> IO[bytes]:
    """Open a path for reading, refusing missing files, folders, lock files and devices."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ctx.reject(
            "找不到文件，请检查路径和文件名",
            "file not found; check the folder and the file name",
            expected="an existing .xlsx file",
            found=path,
        ) from None
    except OSError as exc:
        raise ctx.reject(
            f"无法访问文件：{exc.strerror}",
            f"cannot access the file: {exc.strerror}",
            expected="a readable .xlsx file",
            found=path,
        ) from None
    if stat.S_ISDIR(st.st_mode):
        raise ctx.reject(
            "这是一个文件夹，不是 Excel 文件",
            "this is a folder, not an Excel file",
            expected="an .xlsx file",
            found=f"folder {path}",
        )
    if is_lock_file_name(path):
        base = os.path.basename(path)
        real = base[2:] if base.startswith("~$") else base[len(".~lock.") : -1]
        raise ctx.reject(
            f"这是 Excel/LibreOffice 的锁定文件（表示 {real} 正被打开），不是工作簿；"
            f"请选择 {real} 本身",
            f"this is an Excel/LibreOffice lock file (it means {real} is open), not a workbook; "
            f"choose {real} itself",
            expected="a workbook",
            found=f"lock file {base}",
        )
    if not stat.S_ISREG(st.st_mode):
        raise ctx.reject(
            "不是普通文件（可能是管道或设备）",
            "not a regular file (a pipe or a device?)",
            expected="a regular .xlsx file",
            found=path,
        )
    if st.st_size > ctx.limits.max_file_bytes:
        raise too_big(ctx, st.st_size)
    try:
        return open(path, "rb")  # closed by the caller's with-block
    except OSError as exc:
        raise ctx.reject(
            f"无法打开文件：{exc.strerror}",
            f"cannot open the file: {exc.strerror}",
            expected="a readable .xlsx file",
            found=path,
        ) from None


def check_magic(ctx: CheckContext, fh: IO[bytes], size: int) -> None:
    """Refuse empty, OLE2 (encrypted or .xls) and non-zip files by their first bytes."""
    fh.seek(0)
    sample = fh.read(512)
    head = sample[:8]
    fh.seek(0)
    if size == 0 or not head:
        raise ctx.reject(
            "文件为空（0 字节），可能保存或复制未完成",
            "the file is empty (0 bytes); saving or copying it may not have finished",
            expected="an .xlsx file",
            found="0 bytes",
        )
    if size > ctx.limits.max_file_bytes:
        raise too_big(ctx, size)
    hex_text, text = show_bytes(head)
    shown = f'{hex_text} "{text}"'
    if head.startswith(OLE2_MAGIC):
        raise ctx.reject(
            "工作簿已加密（设置了打开密码）或为旧版 .xls 格式；"
            "请在 Excel 中取消密码，或“另存为” .xlsx",
            "the workbook is encrypted (password-protected) or in the old .xls format; "
            "remove the password / Save As .xlsx in Excel",
            expected="an unencrypted .xlsx (zip) file",
            found=f"OLE2 file, first bytes {shown}",
        )
    if not head.startswith(ZIP_MAGICS):
        hint_zh, hint_en = _not_zip_hint(sample)
        raise ctx.reject(
            f"{ctx.name} 不是有效的 Excel (.xlsx) 文件（前 8 个字节：{shown}）"
            + (f"；{hint_zh}" if hint_zh else ""),
            f"{ctx.name} is not a valid Excel .xlsx file (first 8 bytes: {shown})"
            + (f"; {hint_en}" if hint_en else ""),
            expected='an .xlsx zip package starting with 50 4B 03 04 "PK.."',
            found=shown,
        )


def check_end_record(ctx: CheckContext, fh: IO[bytes], size: int) -> None:
    """Refuse a huge zip directory before zipfile builds one object per entry."""
    tail_len = min(size, 22 + 65_535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    fh.seek(0)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + 22 > len(tail):
        return  # zipfile will report the damage
    entries, cd_size = struct.unpack("<HI", tail[pos + 10 : pos + 16])
    loc = pos - 20
    zip64 = entries == 0xFFFF or cd_size == 0xFFFFFFFF
    if zip64 and loc >= 0 and tail[loc : loc + 4] == b"PK\x06\x07":
        # zip64 locator -> zip64 end record, which holds the real counts
        (offset,) = struct.unpack("<Q", tail[loc + 8 : loc + 16])
        if offset < size:
            fh.seek(offset)
            record = fh.read(56)
            fh.seek(0)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack("<QQ", record[32:48])
    # each entry is 46 bytes + its name; names of parts are short (1 KiB is generous)
    if entries != 0xFFFF and entries > ctx.limits.max_parts:
        raise _too_many_parts(ctx, entries)
    if cd_size != 0xFFFFFFFF and cd_size > ctx.limits.max_parts * (46 + 1024):
        raise _too_many_parts(ctx, cd_size // 46)


def _too_many_parts(ctx: CheckContext, n: int) -> WorkbookRejected:
    return ctx.reject(
        f"文件包内部件过多（{n:,} 个），上限为 {ctx.limits.max_parts:,}",
        f"too many parts in the package ({n:,}); the limit is {ctx.limits.max_parts:,}",
        expected=f"≤ {ctx.limits.max_parts:,} parts",
        found=f"{n:,} parts",
    )


def check_sizes(ctx: CheckContext, infos: list[zipfile.ZipInfo], size: int) -> int:
    """Check the declared sizes and ratios of every part (zip bombs); return the total."""
    lim = ctx.limits
    if len(infos) > lim.max_parts:
        raise _too_many_parts(ctx, len(infos))
    seen: dict[str, str] = {}  # OPC part names compare case-insensitively (ISO 29500-2 §9.1.1.1)
    total = 0
    for info in infos:
        part = info.filename
        if part in seen.values():
            raise ctx.damaged(part, f"two parts are named {part}")
        twin = seen.get(part.casefold())
        if twin is not None:
            raise ctx.reject(
                f"两个部件的名称仅大小写不同（{twin} 与 {part}）；Excel 视之为同一部件，"
                "无法确定应读取哪一个（文件已损坏或被恶意构造）",
                f"two parts have names that differ only in letter case ({twin} and {part}); "
                "Excel treats them as one part, so which one holds the data is ambiguous "
                "(file damaged or crafted)",
                expected="part names unique regardless of case",
                found=f"{twin}, {part}",
            )
        seen[part.casefold()] = part
        if info.flag_bits & 0x1:
            raise ctx.reject(
                f"部件 {part} 被加密，无法读取；请在 Excel 中取消密码后另存为 .xlsx",
                f"part {part} is encrypted; remove the password in Excel and Save As .xlsx",
                expected="unencrypted parts",
                found="zip encryption",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ctx.damaged(part, f"unsupported zip compression method {info.compress_type}")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > lim.max_part_bytes:
            ctx.issue(
                f"部件 {part} 声明的解压后大小为 {mib(info.file_size)}，超过单个部件上限 "
                f"{mib(lim.max_part_bytes)}（可能是压缩炸弹，或工作表异常巨大）",
                f"part {part} declares {mib(info.file_size)} uncompressed, above the per-part "
                f"limit of {mib(lim.max_part_bytes)} (possible zip bomb, or an unusually "
                "large sheet)",
                expected=f"≤ {mib(lim.max_part_bytes)}",
                found=f"{mib(info.file_size)} from {mib(info.compress_size)} compressed",
            )
        elif info.file_size > lim.ratio_min_bytes and ratio > lim.max_ratio:
            ctx.issue(
                f"部件 {part} 的压缩比为 {ratio:,.0f}:1（{mib(info.compress_size)} 解压为 "
                f"{mib(info.file_size)}），超过上限 {lim.max_ratio:,.0f}:1（可能是压缩炸弹）",
                f"part {part} has a compression ratio of {ratio:,.0f}:1 "
                f"({mib(info.compress_size)} expands to {mib(info.file_size)}), above the "
                f"limit of {lim.max_ratio:,.0f}:1 (possible zip bomb)",
                expected=f"≤ {lim.max_ratio:,.0f}:1",
                found=f"{ratio:,.0f}:1",
            )
    ctx.raise_if_issues()
    if total > lim.max_total_bytes:
        largest = sorted(infos, key=lambda i: i.file_size, reverse=True)[:3]
        names = ", ".join(f"{i.filename} {mib(i.file_size)}" for i in largest)
        raise ctx.reject(
            f"所有部件声明的解压后总大小为 {mib(total)}，超过上限 {mib(lim.max_total_bytes)}"
            f"（可能是压缩炸弹）；最大的部件：{names}",
            f"all parts together declare {mib(total)} uncompressed, above the limit of "
            f"{mib(lim.max_total_bytes)} (possible zip bomb); largest parts: {names}",
            expected=f"≤ {mib(lim.max_total_bytes)}",
            found=mib(total),
        )
    overall = total / max(size, 1)
    if total > lim.ratio_min_bytes and overall > lim.max_ratio:
        raise ctx.reject(
            f"文件整体压缩比为 {overall:,.0f}:1（{mib(size)} 解压为 {mib(total)}），超过上限 "
            f"{lim.max_ratio:,.0f}:1（可能是压缩炸弹）",
            f"the file as a whole has a compression ratio of {overall:,.0f}:1 ({mib(size)} "
            f"expands to {mib(total)}), above the limit of {lim.max_ratio:,.0f}:1 "
            "(possible zip bomb)",
            expected=f"≤ {lim.max_ratio:,.0f}:1",
            found=f"{overall:,.0f}:1",
        )
    return total


def iter_part(
    ctx: CheckContext, zf: zipfile.ZipFile, info: zipfile.ZipInfo, chunk_bytes: int
) -> Iterator[bytes]:
    """Decompress one part in bounded chunks; zipfile checks the CRC when the part ends.

    The output can never exceed the size declared in the central directory (zipfile stops
    there), and that size was already checked against the limits, so a lying header ends as a
    CRC failure, never as a huge allocation.
    """
    total = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(chunk_bytes)
                if not chunk:
                    break
                total += len(chunk)
                if total > info.file_size:
                    raise ctx.damaged(info.filename, "more data than the declared size")
                yield chunk
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as exc:
        raise ctx.damaged(info.filename, f"{type(exc).__name__}: {exc}") from None
    if total != info.file_size:
        raise ctx.damaged(
            info.filename, f"{total:,} bytes instead of the declared {info.file_size:,}"
        )
