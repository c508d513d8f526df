"""Byte-level surgery on zip packages, shared by the pre-flight and catalogue tests."""

from __future__ import annotations

import io
import struct
import zipfile


def patch_declared_size(data: bytes, part: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``part`` in its local and central headers."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    struct.pack_into("<I", buf, info.header_offset + 22, size)
    raw = part.encode()
    pos = 0
    while True:
        pos = buf.find(b"PK\x01\x02", pos)
        assert pos >= 0, part
        name_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46 : pos + 46 + name_len]) == raw:
            struct.pack_into("<I", buf, pos + 24, size)
            return bytes(buf)
        pos += 4


def rezip(data: bytes, changes: dict[str, object]) -> bytes:
    """Rewrite a zip: each change is new bytes/str, a function of the old bytes, or None
    (delete); names not in the zip are added."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            change = changes.get(info.filename, ...)
            if change is None:
                continue
            body = zin.read(info)
            if callable(change):
                body = change(body)
            elif change is not ...:
                body = change
            zout.writestr(info.filename, body.encode() if isinstance(body, str) else body)
        for name, body in changes.items():
            if name not in zin.namelist() and body is not None and not callable(body):
                zout.writestr(name, body.encode() if isinstance(body, str) else body)
    return out.getvalue()
