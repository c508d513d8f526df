"""Lossy-feature detection: what an openpyxl load + save would drop or alter.

Why: planners edit workbooks that also carry macros, charts, sparklines, slicers, comments
and other content openpyxl does not round-trip. The pre-flight reports each such feature as
a :class:`LossyFeature` (with Chinese + English labels and the parts holding it), so callers
can warn before a write-back silently loses it. Sheet-level findings (sparklines, x14
extensions, formulas) come from :class:`~jjjplan.excel.guard.xmlscan.SheetScan`; drawings are
scanned here; everything else is recognised by part name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jjjplan.excel.guard.xmlscan import WorkbookScan
from jjjplan.excel.guard.xmlstream import split_name

__all__ = ["DrawingScan", "FeatureTally", "LossyFeature", "part_features"]


@dataclass(frozen=True)
class LossyFeature:
    """A feature present in the file that an openpyxl load + save would drop or alter."""

    key: str  # stable identifier, e.g. "vba", "shapes", "sparklines"
    count: int
    parts: tuple[str, ...]
    label_zh: str
    label_en: str

    def __str__(self) -> str:
        return f"{self.count} × {self.label_zh} / {self.label_en} ({', '.join(self.parts)})"


XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"


class DrawingScan:
    """A drawing part: shapes, text boxes, pictures and charts anchored on a sheet."""

    def __init__(self) -> None:
        self.shapes = 0
        self.textboxes = 0
        self.pictures = 0
        self.charts = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = split_name(name)
        if ns == XDR_NS:
            if local in ("sp", "cxnSp"):
                self.shapes += 1
            elif local == "pic":
                self.pictures += 1
            elif local == "cNvSpPr" and attrs.get("txBox") in ("1", "true"):
                self.textboxes += 1
        elif ns == CHART_NS and local == "chart":
            self.charts += 1


_FEATURE_LABELS: dict[str, tuple[str, str]] = {
    "vba": ("VBA 宏", "VBA macros"),
    "shapes": ("形状/文本框", "shapes/text boxes"),
    "textboxes": ("文本框", "text boxes"),
    "pictures": (
        "图片（属性可能丢失；未安装 Pillow 时全部丢失）",
        "pictures (properties may be lost; all lost without Pillow)",
    ),
    "images": ("图片文件", "image files"),
    "charts": ("图表（格式可能改变）", "charts (formatting may change)"),
    "sparklines": ("迷你图", "sparklines"),
    "x14_validations": (
        "扩展数据验证（如引用其他工作表的下拉列表）",
        "x14 data validations (e.g. drop-down lists from other sheets)",
    ),
    "x14_conditional_formats": (
        "扩展条件格式（数据条、图标集）",
        "x14 conditional formats (data bars, icon sets)",
    ),
    "extensions": ("其他 Excel 扩展 (extLst)", "other Excel extensions (extLst)"),
    "slicers": ("切片器", "slicers"),
    "timelines": ("日程表", "timelines"),
    "pivot_tables": (
        "数据透视表/缓存（扩展与刷新状态可能丢失）",
        "pivot tables/caches (extensions and refresh state may be lost)",
    ),
    "threaded_comments": ("会话式批注", "threaded comments"),
    "comments": ("批注（框的大小和显示状态会丢失）", "comments (box size and visibility are lost)"),
    "in_cell_pictures": ("单元格内图片/数据类型", "in-cell pictures/data types"),
    "dynamic_arrays": ("动态数组元数据", "dynamic-array metadata"),
    "form_controls": ("表单控件", "form controls"),
    "checkboxes": ("复选框", "checkboxes"),
    "embedded_objects": ("嵌入对象/ActiveX", "embedded objects/ActiveX"),
    "custom_xml": ("自定义 XML 部件", "custom XML parts"),
    "rich_text": (
        "富文本格式（仅 rich_text=True 时保留）",
        "rich text formatting (kept only with rich_text=True)",
    ),
    "formula_cache": (
        "公式的缓存结果（保存后需 Excel 重新计算）",
        "cached formula results (lost on save until Excel recalculates)",
    ),
}
_FEATURE_ORDER = {key: i for i, key in enumerate(_FEATURE_LABELS)}

# part-name prefix -> feature key
_PART_FEATURES = (
    ("xl/vbaProject.bin", "vba"),
    ("xl/media/", "images"),
    ("xl/slicers/", "slicers"),
    ("xl/slicerCaches/", "slicers"),
    ("xl/timelines/", "timelines"),
    ("xl/timelineCaches/", "timelines"),
    ("xl/pivotCache/", "pivot_tables"),
    ("xl/pivotTables/", "pivot_tables"),
    ("xl/threadedComments/", "threaded_comments"),
    ("xl/richData/", "in_cell_pictures"),
    ("xl/metadata.xml", "dynamic_arrays"),
    ("xl/ctrlProps/", "form_controls"),
    ("xl/featurePropertyBag/", "checkboxes"),
    ("xl/embeddings/", "embedded_objects"),
    ("xl/activeX/", "embedded_objects"),
    ("customXml/", "custom_xml"),
)


_COMMENTS_PART = re.compile(r"^xl/(comments/)?comments?\d*\.xml$")  # Excel / openpyxl naming


class FeatureTally:
    """Count each lossy feature and note the parts it was found in; call it per finding."""

    def __init__(self) -> None:
        self._counts: dict[str, list[Any]] = {}

    def __call__(self, key: str, count: int, part: str) -> None:
        if count:
            entry = self._counts.setdefault(key, [0, []])
            entry[0] += count
            if part not in entry[1]:
                entry[1].append(part)

    def features(self) -> tuple[LossyFeature, ...]:
        """The features found, in the fixed order of the label table."""
        return tuple(
            LossyFeature(key, count, tuple(parts), *_FEATURE_LABELS[key])
            for key, (count, parts) in sorted(
                self._counts.items(), key=lambda kv: _FEATURE_ORDER[kv[0]]
            )
        )


def part_features(
    names: set[str], lossy: Callable[[str, int, str], None], wb: WorkbookScan
) -> None:
    """Features recognised by part name alone (VBA, media, slicers...), plus workbook extLst."""
    for part in sorted(names):
        if "/_rels/" in part:
            continue
        for prefix, key in _PART_FEATURES:
            if part.startswith(prefix):
                lossy(key, 1, part)
                break
        else:
            if _COMMENTS_PART.match(part):
                lossy("comments", 1, part)
    lossy("extensions", wb.extensions, wb.part)
