"""The 来源 Provenance sheet of both workbooks: what produced the numbers, and from what.

A circulated workbook must let anyone trace and reproduce its numbers: program versions, the
input workbook (path and SHA-256), the scenario, its levers, every assumption and the
base-year data flags. The results workbook records its one scenario in full; the comparison
workbook records each scenario's identity side by side plus the assumptions that differ from
the defaults. Both sheets open with the same run-information block, written here once. Rows
are ``key | 中文 | English | value`` with stable keys in column A, which tests (and the golden
digest's volatile-value masking) rely on.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections import namedtuple
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

import jjjplan
from jjjplan import baseline
from jjjplan.assumptions import ASSUMPTIONS
from jjjplan.excel.catalogue import bilingual, pathways_on, region_name, word
from jjjplan.excel.layout import TEMPLATE_VERSION
from jjjplan.excel.write import styles
from jjjplan.excel.write.indicators import BASELINE_NOTE
from jjjplan.excel.write.levers import lever_rows, unchanged_presence_count
from jjjplan.excel.write.sheetio import add_table, header, note, put, put_row, section, title
from jjjplan.results import VARIABLES, Results
from jjjplan.scenario import Scenario

__all__ = [
    "PROVENANCE",
    "data_info",
    "dataset_of",
    "file_sha256",
    "run_info",
    "source_info",
    "write_comparison_provenance",
    "write_key_values",
    "write_results_provenance",
]

#: Sheet name, the same in both workbooks.
PROVENANCE = "来源 Provenance"

KeyValue = tuple[str, str, str, Any]


# --------------------------------------------------------------------------------------------
# Facts and the key | 中文 | English | value rows they are written as
# --------------------------------------------------------------------------------------------
def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_info() -> list[KeyValue]:
    """Versions and time: (key, 中文, English, value). Keys are stable for tests."""
    return [
        (
            "template_version",
            "模板版本（本程序）",
            "template version (this jjjplan)",
            TEMPLATE_VERSION,
        ),
        ("jjjplan_version", "jjjplan 版本", "jjjplan version", jjjplan.__version__),
        ("python_version", "Python 版本", "Python version", platform.python_version()),
        ("openpyxl_version", "openpyxl 版本", "openpyxl version", openpyxl.__version__),
        ("pandas_version", "pandas 版本", "pandas version", pd.__version__),
        ("numpy_version", "numpy 版本", "numpy version", np.__version__),
        (
            "generated_utc",
            "生成时间（UTC）",
            "generated (UTC)",
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    ]


def source_info(source_path: str | os.PathLike[str] | None) -> list[KeyValue]:
    """The input workbook's absolute path and SHA-256, or "未提供 not given" for both."""
    if source_path is None:
        missing = "未提供 not given"
        return [
            ("source_path", "输入文件", "input file", missing),
            ("source_sha256", "输入文件 SHA-256", "input file SHA-256", missing),
        ]
    path = Path(source_path)
    return [
        ("source_path", "输入文件", "input file", str(path.resolve())),
        ("source_sha256", "输入文件 SHA-256", "input file SHA-256", file_sha256(path)),
    ]


def write_key_values(ws: Worksheet, row: int, rows: Sequence[KeyValue]) -> int:
    """Key | 项目 | Item | value rows; returns the next free row. Keys sit in column A."""
    for i, (key, zh, en, value) in enumerate(rows, start=row):
        put_row(ws, i, 1, [key, zh, en, value])
    return row + len(rows)


def _run_information(ws: Worksheet, title_text: str, width: int, rows: Sequence[KeyValue]) -> int:
    """The opening of both Provenance sheets: title, then a run-information section of
    key/value rows from row 5 (header in row 4). Returns the next free row."""
    title(ws, title_text)
    section(ws, 3, "运行信息 Run information", width)
    header(ws, 4, 1, [word("key"), "项目", "Item", word("value")])
    return write_key_values(ws, 5, rows)


# --------------------------------------------------------------------------------------------
# Results workbook: one scenario in full
# --------------------------------------------------------------------------------------------
def _write_levers(ws: Worksheet, row: int, s: Scenario) -> int:
    ref = {r.path: r.value for r in lever_rows(Scenario.baseline(), all_chain_presence=True)}
    section(ws, row, "情景杠杆 Scenario levers", 11)
    note(
        ws,
        row + 1,
        "关闭的路径按现行政策杠杆计算 / a switched-off pathway is projected with current-policy "
        f"levers. 另有 {unchanged_presence_count(s)} 个产业链环节水平保持基期值，未列出 / "
        f"{unchanged_presence_count(s)} further chain-segment presence values are held at their "
        "base-year level and not listed.",
    )
    top = row + 2
    header(
        ws,
        top,
        1,
        [
            word("field"),
            "杠杆",
            "Lever",
            word("unit"),
            word("value"),
            word("current_policy"),
            word("changed"),
        ],
    )
    rows = lever_rows(s)
    for i, lr in enumerate(rows, start=top + 1):
        current = ref.get(lr.path)
        put_row(ws, i, 1, [lr.path, lr.zh, lr.en, lr.unit])
        put(ws, i, 5, lr.value, lr.number_format)
        put(ws, i, 6, current, lr.number_format)
        put(ws, i, 7, current is not None and lr.value != current)
    add_table(ws, "Levers", top, top + len(rows), 7)
    return top + len(rows) + 2


def _write_assumptions(ws: Worksheet, row: int, s: Scenario) -> int:
    section(
        ws, row, "模型参数（本次运行使用的全部参数） Assumptions (every one used in this run)", 11
    )
    top = row + 1
    header(
        ws,
        top,
        1,
        [
            "参数代码 Id",
            "参数",
            "Assumption",
            word("value"),
            word("default"),
            word("low"),
            word("high"),
            word("unit"),
            word("source"),
            word("flag"),
            word("changed"),
        ],
    )
    for i, a in enumerate(ASSUMPTIONS, start=top + 1):
        value = float(s.assumptions[a.id])
        put_row(ws, i, 1, [a.id, a.name_zh, a.name_en, value, a.value, a.low, a.high])
        put_row(ws, i, 8, [a.unit, a.source, a.flag, value != a.value])
    add_table(ws, "Assumptions", top, top + len(ASSUMPTIONS), 11)
    return top + len(ASSUMPTIONS) + 2


def dataset_of(results: Results) -> baseline.Dataset:
    """The Dataset a projection ran on (the engine keeps its vintage label)."""
    label = results.projection.data.vintage
    found = baseline.dataset_named(label)
    if found is None:  # only if the Dataset was built outside resolve(): say so, never guess
        raise ValueError(f"the data {label!r} of this projection is not known to jjjplan")
    return found


def data_info(data: baseline.Dataset, s: Scenario) -> list[KeyValue]:
    """Which data the run used: vintage, base year, price basis, policy start, data file."""
    bundled = baseline.VINTAGES.get(data.vintage)
    label = f"{bundled.label_zh} / {bundled.label_en}" if bundled else data.vintage
    missing = "未使用 none (bundled data)"
    return [
        ("data_vintage", "基期数据版本", "baseline data vintage", data.vintage),
        ("data_vintage_label", "数据版本说明", "vintage description", label),
        ("base_year", "基期", "base year", data.base_year),
        ("observed_years", "观测年份", "observed years", ", ".join(map(str, data.years))),
        ("price_basis", "价格基准", "price basis", data.price_basis),
        ("policy_start_year", "政策起始年份", "policy start year", s.policy_start_year),
        ("data_file", "基期数据文件", "baseline-data file", data.source_file or missing),
        (
            "data_sha256",
            "基期数据文件 SHA-256",
            "baseline-data file SHA-256",
            data.source_sha256 or missing,
        ),
        ("data_notices", "基期数据提示", "baseline-data notices", len(data.notices)),
    ]


def _write_data_sources(ws: Worksheet, row: int, data: baseline.Dataset) -> int:
    """Every value of the dataset with its vintage, status, confidence, source and method."""
    section(ws, row, f"基期数据及来源 Baseline data and sources（{data.vintage}）", 11)
    top = row + 1
    header(
        ws,
        top,
        1,
        [
            word("code"),
            word("year"),
            word("variable"),
            word("value"),
            word("unit"),
            "价格基准 Price basis",
            "版本代码 Vintage code",
            word("status"),
            word("confidence"),
            word("source"),
            word("method"),
        ],
    )
    records = sorted(
        _table_records(data), key=lambda r: (r.variable, r.region, r.year)
    )  # sorted() is stable, like the pandas sort it replaces
    i = top
    for r in records:
        i += 1
        put_row(ws, i, 1, [r.region, int(r.year), r.variable])
        if np.isfinite(r.value):
            put(ws, i, 4, float(r.value), styles.DECIMAL)
        put_row(ws, i, 5, [r.unit, r.price_basis, str(r.vintage_code), r.status, r.confidence])
        put_row(ws, i, 10, [r.source, r.method])
    add_table(ws, "DataSources", top, i, 11)
    return i + 2


def _table_records(data: baseline.Dataset) -> list[Any]:
    """The dataset's table as plain row records (attribute per column, like ``itertuples``):
    a pandas filter, sort or ``itertuples`` on its string columns costs milliseconds each,
    more than the few hundred rows are worth."""
    t = data.table
    row = namedtuple("row", list(t.columns))  # the columns are known only here
    columns = [t[c].tolist() for c in t.columns]
    return [row(*values) for values in zip(*columns, strict=True)]


def _write_data_flags(ws: Worksheet, row: int, s: Scenario, data: baseline.Dataset) -> int:
    table = data.base_table()
    status = pd.concat([table["gdp_status"], table["population_status"]])
    counts = status.value_counts().to_dict()
    total = sum(counts.values())
    section(ws, row, f"基期数据标记 Base-year data flags（{data.base_year}）", 11)
    summary = [
        (
            f"base_{status}",
            f"基期数值：{status}",
            f"base-year values: {status}",
            f"{n} / {total}",
        )
        for status, n in sorted(counts.items())
    ]
    nxt = write_key_values(ws, row + 1, summary)
    if s.baseline_overrides:
        pasted = "; ".join(
            f"{u}.{v} = {x:g}" for u, vals in s.baseline_overrides.items() for v, x in vals.items()
        )
        nxt = write_key_values(
            ws,
            nxt,
            [
                (
                    "baseline_overrides",
                    "规划人员粘贴的基期数值",
                    "planner-pasted base-year values",
                    pasted,
                )
            ],
        )
    top = nxt + 1
    header(
        ws,
        top,
        1,
        [
            word("code"),
            word("name_zh"),
            word("variable"),
            word("value"),
            word("status"),
            word("confidence"),
            word("source"),
            word("method"),
        ],
    )
    i = top
    for unit, rec in table.iterrows():
        for var in ("gdp", "population"):
            i += 1
            vzh, ven, vunit = VARIABLES[var]
            put_row(ws, i, 1, [unit, region_name(unit)[0], f"{bilingual(vzh, ven)}（{vunit}）"])
            put(ws, i, 4, float(rec[var]), styles.DECIMAL)
            put_row(
                ws,
                i,
                5,
                [
                    rec[f"{var}_status"],
                    rec[f"{var}_confidence"],
                    rec[f"{var}_source"],
                    rec[f"{var}_method"],
                ],
            )
    add_table(ws, "BaseYearData", top, i, 8)
    return i + 2


def write_results_provenance(
    ws: Worksheet, results: Results, source_path: str | os.PathLike[str] | None
) -> None:
    """The results workbook's Provenance sheet: run, input file, scenario, every lever,
    every assumption and the base-year data flags."""
    s = results.scenario
    data = dataset_of(results)
    scenario_rows = [
        ("scenario_name", "情景名称", "scenario name", s.name),
        ("scenario_description", "情景说明", "scenario description", s.description),
        ("scenario_author", "作者", "author", s.author),
        *data_info(data, s),
        ("baseline_definition", "基准情景定义", "baseline definition", BASELINE_NOTE),
    ]
    row = _run_information(
        ws,
        "来源与参数 Provenance",
        11,
        [*source_info(source_path), *run_info(), *scenario_rows],
    )
    row = _write_levers(ws, row + 1, s)
    row = _write_assumptions(ws, row, s)
    row = _write_data_flags(ws, row, s, data)
    _write_data_sources(ws, row, data)
    ws.freeze_panes = "B5"
    styles.set_widths(
        ws,
        {"A": 34, "B": 30, "C": 40, "D": 16, "E": 14, "F": 14, "G": 40, "H": 16, "I": 60},
    )
    styles.set_widths(ws, {"J": 14, "K": 10})


# --------------------------------------------------------------------------------------------
# Comparison workbook: each scenario's identity side by side
# --------------------------------------------------------------------------------------------
def _scenario_facts(r: Results, source: Any, is_base: bool) -> list[KeyValue]:
    s = r.scenario
    pasted = sum(len(v) for v in s.baseline_overrides.values())
    facts = [
        ("scenario_name", "情景名称", "scenario name", s.name),
        ("scenario_description", "情景说明", "description", s.description),
        ("scenario_author", "作者", "author", s.author),
        *source_info(source),
        *data_info(dataset_of(r), s),
        ("is_baseline", "是否为基准", "is the baseline", is_base),
        ("national_path", "全国增长路径", "national growth path", s.national_path),
        ("pathways_on", "启用路径", "pathways on", pathways_on(s)),
        ("baseline_overrides", "粘贴的基期数值个数", "planner-pasted base-year values", pasted),
    ]
    return facts


def _write_changed_assumptions(ws: Worksheet, row: int, results_list: Sequence[Results]) -> None:
    section(ws, row, "与默认值不同的参数 Assumptions that differ from the defaults", 8)
    rows = [
        (r.scenario.name, a, float(r.scenario.assumptions[a.id]))
        for r in results_list
        for a in ASSUMPTIONS
        if float(r.scenario.assumptions[a.id]) != a.value
    ]
    if not rows:
        note(ws, row + 1, "所有情景均使用默认参数 / every scenario uses the default assumptions")
        return
    top = row + 1
    labels = [word("scenario"), "参数代码 Id", "参数", "Assumption", word("value"), word("default")]
    header(ws, top, 1, [*labels, word("unit"), word("flag")])
    for i, (name, a, value) in enumerate(rows, start=top + 1):
        put_row(ws, i, 1, [name, a.id, a.name_zh, a.name_en, value, a.value, a.unit, a.flag])
    add_table(ws, "ChangedAssumptions", top, top + len(rows), 8)


def write_comparison_provenance(
    ws: Worksheet, results_list: Sequence[Results], sources: Sequence[Any], base: int
) -> None:
    """The comparison workbook's Provenance sheet: run, one column of facts per scenario
    (``sources`` aligned with ``results_list``; ``base`` is the baseline's index), and the
    assumptions any scenario changed."""
    row = _run_information(ws, "来源 Provenance", 8, run_info()) + 1
    section(ws, row, "情景 Scenarios", 8)
    facts = [
        _scenario_facts(r, src, i == base)
        for i, (r, src) in enumerate(zip(results_list, sources, strict=True))
    ]
    header(ws, row + 1, 1, [word("key"), "项目", "Item", *(f"#{i + 1}" for i in range(len(facts)))])
    for k, (key, zh, en, _) in enumerate(facts[0]):
        r = row + 2 + k
        put_row(ws, r, 1, [key, zh, en])
        put_row(ws, r, 4, [f[k][3] for f in facts])
    row += 3 + len(facts[0])
    _write_changed_assumptions(ws, row, results_list)
    ws.freeze_panes = "D5"
    styles.set_widths(ws, {"A": 22, "B": 22, "C": 30})
    styles.set_widths(ws, dict.fromkeys(range(4, 4 + max(len(facts), 5)), 24))
