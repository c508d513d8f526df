"""Read XML parts safely: a bounded, entity-refusing expat stream, and the defusedxml check.

Why: an XML part is where entity attacks (billion laughs, XXE) and unbounded tokens live.
:func:`consume_part` reads a part exactly once and, in one pass, checks its CRC, scans the
raw bytes for ``<!DOCTYPE``/``<!ENTITY`` (refusing encodings that could hide them), bounds
the longest run without ``>`` and feeds an expat parser that refuses any DTD, calling the
handler of one of the scanners in :mod:`jjjplan.excel.guard.xmlscan`.
:func:`assert_defusedxml_active` guards the second line of defence: openpyxl itself parsing
through defusedxml once the pre-flight has passed.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from typing import Any
from xml.parsers import expat

from jjjplan.errors import WorkbookRejected
from jjjplan.excel.guard.rejection import CheckContext, mib, show_bytes
from jjjplan.excel.guard.zipcheck import iter_part

__all__ = [
    "StopParsing",
    "assert_defusedxml_active",
    "consume_part",
    "is_xml_part",
    "split_name",
]

# Any of these byte strings in an XML part means a DTD; Excel never writes one.
_DTD_PATTERNS = tuple(
    text.encode(enc)
    for text in ("<!DOCTYPE", "<!ENTITY")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
)
_DTD_OVERLAP = max(len(p) for p in _DTD_PATTERNS) - 1
# Every pattern above contains one of these ("<!" in ASCII, "<\0!" in both UTF-16 orders):
# two scans of a chunk rule all six out, the common case, before looking for each.
_DTD_PREFIXES = (b"<!", b"<\x00!")
assert all(any(q in p for q in _DTD_PREFIXES) for p in _DTD_PATTERNS)
_XML_DECL_ENCODING = re.compile(
    rb"<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,40})[\"']"
)
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class StopParsing(Exception):
    """Raised from an expat handler to stop streaming a part early."""


class _DtdFound(Exception):
    """Raised from an expat handler when a DTD or entity declaration appears."""


def _check_xml_start(ctx: CheckContext, part: str, first: bytes) -> None:
    """Refuse encodings in which our byte scan for ``<!DOCTYPE`` could be bypassed."""
    data = first
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc: str | None = "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16: the scan has UTF-16 patterns
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[3:]
        data = data.lstrip(b" \t\r\n")
        if not data or data.startswith((b"<\x00", b"\x00<")):
            return  # empty part, or UTF-16 without a BOM
        if not data.startswith(b"<"):
            hex_text, _ = show_bytes(data[:8])
            raise ctx.reject(
                f"部件 {part} 不是有效的 XML（开头字节 {hex_text}），"
                "文件已损坏或使用了不支持的编码",
                f"part {part} is not valid XML (starts with bytes {hex_text}); the file is "
                "damaged or uses an unsupported encoding",
                expected="XML starting with '<'",
                found=hex_text,
            )
        m = _XML_DECL_ENCODING.match(data)
        if not m:
            return
        enc = m.group(1).decode("ascii")
        try:
            codec = codecs.lookup(enc).name
        except LookupError:
            codec = ""
        if codec in ("utf-16", "utf-16-le", "utf-16-be"):
            return
        if codec and all(
            p.encode(codec, "replace") == p.encode("ascii") for p in ("<!DOCTYPE", "<!ENTITY")
        ):
            return  # ASCII-compatible: the byte scan sees the markup as written
    raise ctx.reject(
        f"部件 {part} 使用了不常见的文本编码 {enc}，出于安全原因拒绝读取",
        f"part {part} uses an unusual text encoding ({enc}), refused for safety",
        expected="UTF-8 or UTF-16",
        found=str(enc),
    )


def _new_parser(handler: Any | None) -> Any:
    """An expat parser that refuses any DTD and never resolves entities."""
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_args: Any) -> Any:
        raise _DtdFound

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    if handler is not None:
        parser.StartElementHandler = handler.start
        if hasattr(handler, "end"):
            parser.EndElementHandler = handler.end
        if hasattr(handler, "comment"):  # markup a byte search could be misled by
            parser.CommentHandler = handler.comment
            parser.StartCdataSectionHandler = handler.cdata
            parser.ProcessingInstructionHandler = handler.instruction
        if hasattr(handler, "chars"):
            parser.CharacterDataHandler = handler.chars
            parser.buffer_text = True  # one call per text run, not per line
    return parser


def consume_part(
    ctx: CheckContext,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    xml: bool,
    handler: Any | None = None,
) -> bool:
    """Read one part exactly once: CRC check, DTD byte scan and (optionally) a streaming parse.

    Returns False when the handler stopped the parse early (a limit was hit). A handler with
    a ``transform`` (``feed(bytes) -> bytes``, ``flush() -> bytes``, e.g. the empty-row
    compactor) sees the transformed stream; the CRC and DTD checks see the stored bytes.
    """
    parser = _new_parser(handler) if handler is not None else None
    transform = getattr(handler, "transform", None)
    tail = b""
    first = True
    token_limit = ctx.limits.max_xml_token_bytes
    chunk_bytes = ctx.limits.chunk_bytes
    if parser is not None:
        chunk_bytes = max(1, min(chunk_bytes, token_limit))  # a long run must cross a chunk edge
    run = 0  # bytes since the last ">"
    try:
        for chunk in iter_part(ctx, zf, info, chunk_bytes):
            if parser is not None:
                first_gt = chunk.find(b">")
                if first_gt < 0:
                    run += len(chunk)
                else:
                    run += first_gt
                if run > token_limit:
                    raise _token_too_long(ctx, info.filename, token_limit)
                if first_gt >= 0:
                    run = len(chunk) - chunk.rfind(b">") - 1
            if xml:
                if first:
                    _check_xml_start(ctx, info.filename, chunk)
                    first = False
                edge = tail + chunk[:_DTD_OVERLAP]
                if any(q in chunk or q in edge for q in _DTD_PREFIXES) and any(
                    p in chunk or p in edge for p in _DTD_PATTERNS
                ):
                    raise ctx.entities(info.filename)
                tail = chunk[-_DTD_OVERLAP:]
            if parser is not None:
                parser.Parse(transform.feed(chunk) if transform else chunk, False)
        if parser is not None:
            parser.Parse(transform.flush() if transform else b"", True)
    except StopParsing:
        return False
    except _DtdFound:
        raise ctx.entities(info.filename) from None
    except expat.ExpatError as exc:
        raise ctx.damaged(info.filename, f"XML error: {exc}") from None
    return True


def _token_too_long(ctx: CheckContext, part: str, limit: int) -> WorkbookRejected:
    return ctx.reject(
        f"部件 {part} 含有超过 {mib(limit)} 的单个 XML 标记、注释或文本（文件已损坏或被恶意构造）",
        f"part {part} contains a single XML tag, comment or text longer than {mib(limit)} "
        "(file damaged or crafted)",
        expected=f"XML tokens ≤ {mib(limit)}",
        found=f"> {mib(limit)} without '>'",
    )


def split_name(name: str) -> tuple[str, str]:
    """Split a name from our parser, ``"namespace}local"``, into (namespace, local name)."""
    ns, _, local = name.rpartition("}")
    return ns, local


def is_xml_part(part: str, content_type: str) -> bool:
    """Whether a part gets the DTD byte scan: an XML name or an XML content type."""
    return part.lower().endswith(_XML_SUFFIXES) or content_type.endswith(("+xml", "/xml"))


def assert_defusedxml_active() -> None:
    """Fail loudly unless openpyxl parses XML through defusedxml (it refuses every DTD).

    openpyxl silently falls back to the stdlib parser when defusedxml is missing or when
    ``OPENPYXL_DEFUSEDXML`` is set to anything but "True"; then only the expat version stands
    between a planner's file and an entity-expansion attack.
    """
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a hard dependency
        raise RuntimeError('openpyxl is not installed: pip install "openpyxl>=3.1.2"') from exc
    if getattr(openpyxl, "DEFUSEDXML", False) is True:
        return
    env = os.environ.get("OPENPYXL_DEFUSEDXML")
    try:
        import defusedxml  # noqa: F401

        have = True
    except ImportError:
        have = False
    steps = []
    if not have:
        steps.append('pip install "defusedxml>=0.7.1"')
    if env is not None and env != "True":
        steps.append(f"unset OPENPYXL_DEFUSEDXML (currently {env!r})")
    steps.append("restart Python / the Jupyter kernel")
    raise RuntimeError(
        "openpyxl 未启用 defusedxml，读取工作簿不安全 / openpyxl is not using defusedxml, so "
        "reading workbooks is unsafe. Fix: " + "; ".join(steps)
    )
