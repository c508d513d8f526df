"""Scenario codes: a whole scenario as one short, checksummed line, e.g. ``JJJ1-…``.

Why: like the 2050 Calculator's pathway codes, a planner can paste a scenario into an e-mail
or a chat and anyone rebuilds exactly the same levers with ``jjjplan template --code``.

Format ``JJJ1-<body>``: the scenario's differences from :meth:`Scenario.baseline` (name,
national path, switches, every lever and milestone, chain presence, non-default assumptions,
baseline overrides, targets and any other scenario field such as a data vintage) as
canonical JSON (sorted keys, no spaces; floats written by ``repr`` so they read back
bit-for-bit), raw-deflate compressed, followed by its CRC-32, in Crockford base32 (no
0/O or 1/I/L confusion, case-insensitive; dashes and spaces are ignored when reading).
Description and author are not encoded, to keep codes short.

The version digit is tied to the reference values the differences are taken from:
``tests/test_codes.py`` pins their fingerprint, so changing a current-policy default forces
a new version (and old codes are refused rather than silently read differently).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import zlib
from collections.abc import Mapping
from typing import Any

from jjjplan.scenario import (
    PATHWAYS,
    ChainFilling,
    GrowthPoles,
    Innovation,
    Milestones,
    Pathways,
    Reform,
    Scenario,
    ScenarioError,
)

__all__ = ["PREFIX", "CodeError", "decode", "encode", "reference_fingerprint"]

PREFIX = "JJJ1"
_RFC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TO_CROCKFORD = str.maketrans(_RFC, _CROCKFORD)
_FROM_CROCKFORD = str.maketrans(_CROCKFORD, _RFC)
_READ_ALIASES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
#: Scenario fields handled explicitly; any other field is encoded as a plain value.
_NOT_ENCODED = {"description", "author"}
_GROUPS = {"poles": GrowthPoles, "innovation": Innovation, "reform": Reform}


class CodeError(ValueError):
    """A code that cannot be read; the message says why, in Chinese and English."""


def _value(v: Any) -> Any:
    if isinstance(v, Milestones):
        return list(v.values())
    if isinstance(v, Mapping):
        return {str(k): _value(x) for k, x in v.items()}
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _differences(s: Scenario) -> dict[str, Any]:
    """The scenario as a plain dict of what differs from the reference (current policy)."""
    ref = Scenario.baseline()
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Scenario):
        name = f.name
        if name in _NOT_ENCODED:
            continue
        mine, theirs = getattr(s, name), getattr(ref, name)
        if name == "pathways":
            if mine != theirs:
                out[name] = [bool(getattr(mine, p)) for p in PATHWAYS]
        elif name in _GROUPS:
            diff = {
                g.name: _value(getattr(mine, g.name))
                for g in dataclasses.fields(mine)
                if getattr(mine, g.name) != getattr(theirs, g.name)
            }
            if diff:
                out[name] = diff
        elif name == "chains":  # by position in the reference order: short keys
            diff = {
                str(i): _value(mine.presence[k])
                for i, k in enumerate(theirs.presence)
                if mine.presence[k] != theirs.presence[k]
            }
            if diff:
                out[name] = diff
        elif name == "assumptions":
            diff = {k: v for k, v in mine.items() if theirs.get(k) != v}
            if diff:
                out[name] = _value(diff)
        elif name == "targets":
            if mine:
                out[name] = [
                    [t.indicator, t.region, t.year, t.op, t.value, t.priority] for t in mine
                ]
        elif mine != theirs:
            out[name] = _value(mine)
    return out


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def reference_fingerprint() -> str:
    """CRC-32 of the reference scenario's values: what a code's differences are taken from."""
    ref = Scenario.baseline()
    plain = {
        f.name: _value(dataclasses.asdict(getattr(ref, f.name)))
        if dataclasses.is_dataclass(getattr(ref, f.name))
        else _value(getattr(ref, f.name))
        for f in dataclasses.fields(Scenario)
        if f.name not in _NOT_ENCODED
    }
    plain["chain_order"] = list(ref.chains.presence)  # chain keys are coded by position
    return f"{zlib.crc32(_canonical(plain)):08x}"


def encode(scenario: Scenario) -> str:
    """The scenario's code, ``JJJ1-…``."""
    if not isinstance(scenario, Scenario):
        raise TypeError(f"encode() expects a Scenario, got {type(scenario).__name__}")
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = comp.compress(_canonical(_differences(scenario))) + comp.flush()
    raw = payload + zlib.crc32(payload).to_bytes(4, "big")
    body = base64.b32encode(raw).decode().rstrip("=").translate(_TO_CROCKFORD)
    return f"{PREFIX}-{body}"


def _fail(zh: str, en: str) -> CodeError:
    return CodeError(f"情景代码无效：{zh} / invalid scenario code: {en}")


def decode(code: str) -> Scenario:
    """Rebuild the scenario of ``code``; raises CodeError (bilingual) for a mistyped code."""
    text = "".join(str(code).split()).upper()
    head, sep, body = text.partition("-")
    if not sep or not head.startswith("JJJ"):
        raise _fail("应以 JJJ1- 开头", "a code starts with JJJ1-")
    if head != PREFIX:
        raise _fail(
            f"版本 {head} 不受支持（本版本读取 {PREFIX}）",
            f"version {head} is not supported (this jjjplan reads {PREFIX})",
        )
    body = body.replace("-", "").translate(_READ_ALIASES)
    bad = sorted({c for c in body if c not in _CROCKFORD})
    if bad or not body:
        raise _fail(
            f"含有无效字符 {''.join(bad)!r}" if bad else "内容为空",
            f"it contains invalid characters {''.join(bad)!r}" if bad else "it is empty",
        )
    try:
        padded = body.translate(_FROM_CROCKFORD) + "=" * (-len(body) % 8)
        raw = base64.b32decode(padded)
    except (ValueError, base64.binascii.Error):
        raise _fail("长度不对（可能漏了字符）", "wrong length (a character missing?)") from None
    payload, check = raw[:-4], raw[-4:]
    if len(raw) < 5 or zlib.crc32(payload).to_bytes(4, "big") != check:
        raise _fail(
            "校验和不符——代码可能输错或不完整，请重新复制",
            "checksum mismatch — the code was mistyped or cut short; copy it again",
        )
    try:
        data = json.loads(zlib.decompress(payload, -15))
    except (zlib.error, ValueError):
        raise _fail("内容损坏", "the content is damaged") from None
    try:
        return _rebuild(data)
    except ScenarioError as err:
        raise _fail(f"情景参数无效：{err}", f"invalid scenario values: {err}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as err:
        raise _fail(f"内容无法还原（{err}）", f"content cannot be rebuilt ({err})") from None


def _milestones(v: Any) -> Any:
    return Milestones(*v) if isinstance(v, list) else v


def _rebuild(data: Mapping[str, Any]) -> Scenario:
    ref = Scenario.baseline()
    kwargs: dict[str, Any] = {}
    for name, v in data.items():
        if name == "pathways":
            kwargs[name] = Pathways(*v)
        elif name in _GROUPS:
            kwargs[name] = dataclasses.replace(
                getattr(ref, name), **{k: _milestones(x) for k, x in v.items()}
            )
        elif name == "chains":
            keys = list(ref.chains.presence)
            kwargs[name] = ChainFilling({keys[int(i)]: Milestones(*x) for i, x in v.items()})
        elif name == "targets":
            from jjjplan.targets import Target

            kwargs[name] = tuple(
                Target(ind, year, op, value, region, priority)
                for ind, region, year, op, value, priority in v
            )
        else:
            kwargs[name] = v
    if "name" not in kwargs:
        kwargs["name"] = ref.name
    return Scenario(**kwargs)
