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
