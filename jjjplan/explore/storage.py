"""Sweep storage: ``DIR/samples.parquet`` is a folder of one Parquet file per chunk.

Why per chunk: each chunk is written atomically (temp file + ``os.replace`` through the
project's :func:`~jjjplan.excel.safety.atomic_save`), so Ctrl-C or a lost worker leaves only
complete chunks, and a resumed run skips the chunks already on disk. Every file carries
the sweep's spec (seed, sizes, levers, assumptions, where), jjjplan/pyarrow versions and
the data vintage in its schema metadata; a folder written by a different spec is refused
rather than mixed. ``pyarrow.parquet.read_table(DIR/samples.parquet)`` reads them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from jjjplan.excel.safety import atomic_save

SAMPLES = "samples.parquet"
META_KEY = b"jjjplan.explore"
_PART = re.compile(r"^part-(\d{6})\.parquet$")


class SweepFolderError(ValueError):
    """The output folder holds a different sweep; the message is bilingual."""


def part_path(folder: Path, chunk: int) -> Path:
    return folder / SAMPLES / f"part-{chunk:06d}.parquet"


def with_metadata(table: pa.Table, meta: dict[str, Any]) -> pa.Table:
    return table.replace_schema_metadata({META_KEY: json.dumps(meta, sort_keys=True).encode()})


def read_metadata(path: Path) -> dict[str, Any]:
    raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
    return json.loads(raw) if raw else {}


def write_chunk(folder: Path, chunk: int, table: pa.Table) -> Path:
    """Write one chunk atomically (complete file or none).

    No dictionary encoding: nearly every value of a sweep is distinct, so pyarrow's
    dictionary attempt (then fallback) only costs time and bytes (measured on a 2,000-sample
    chunk: 12-23 ms instead of 7-10 ms to write, a 17% larger file)."""
    target = part_path(folder, chunk)
    target.parent.mkdir(parents=True, exist_ok=True)
    return atomic_save(
        lambda tmp: pq.write_table(table, tmp, use_dictionary=False), target, verify=False
    )


@dataclass(frozen=True)
class ChunkStore:
    """A sweep folder and the metadata every chunk file carries: what a worker needs to
    write its own chunks."""

    folder: Path
    meta: dict[str, Any]

    def write(self, chunk: int, table: pa.Table) -> Path:
        return write_chunk(self.folder, chunk, with_metadata(table, self.meta))


def completed_chunks(folder: Path, spec: dict[str, Any]) -> set[int]:
    """Chunks already written for this spec; any file of another spec is an error."""
    parts = folder / SAMPLES
    if not parts.is_dir():
        return set()
    done = set()
    for path in sorted(parts.iterdir()):
        m = _PART.match(path.name)
        if not m:
            continue
        found = read_metadata(path).get("spec")
        if found != spec:
            raise SweepFolderError(
                f"{parts} 中已有另一组设置的抽样（{path.name}），请换一个输出目录 / {parts} "
                f"already holds a sweep with other settings ({path.name}); choose another --out"
            )
        done.add(int(m[1]))
    return done


def read_samples(folder: str | Path, columns: list[str] | None = None):
    """All chunks of a sweep as one DataFrame, in sample order (only ``columns`` and
    ``sample`` when given: Parquet reads just those columns)."""
    if columns is not None:
        columns = ["sample", *(c for c in columns if c != "sample")]
    table = pq.read_table(Path(folder) / SAMPLES, columns=columns)
    return table.to_pandas().sort_values("sample").reset_index(drop=True)


def scan(folder: str | Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """``sample`` and ``columns`` of a stored sweep, one record batch at a time (chunk by
    chunk, any order): memory holds one chunk of those columns, not the sweep."""
    dataset = ds.dataset(Path(folder) / SAMPLES, format="parquet")
    yield from dataset.to_batches(columns=["sample", *(c for c in columns if c != "sample")])
