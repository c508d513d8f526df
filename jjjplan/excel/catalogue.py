"""The one bilingual catalogue: every word and message a planner sees, Chinese first.

Why one module: the texts are long, bilingual and reviewed by people who do not read the
parsing or writing code, and every part of jjjplan that talks to a planner (reading a workbook,
writing results and comparisons, the CLI, the dashboard) should name a thing with the same
words. Each entry is ``key -> (中文, English)``; :func:`bilingual` joins a pair the one way
every sheet does (Chinese first). The tables:

- :data:`WORDS` — column and row labels of written workbooks (:func:`word`), plus region names
  (:func:`region_name`) and enabled pathways (:func:`pathways_on`);
- :data:`DASHBOARD` — the dashboard's captions, legends, tab titles and its own messages,
  :data:`NATIONAL_PATHS` — names of the national growth paths;
- :data:`MESSAGES` — errors found while reading a workbook, :data:`NOTES` — notices (accepted
  normalisations), :data:`HINTS` — why a text is not a number; all filled in with
  ``str.format``, and turned into an :class:`~jjjplan.errors.Issue` by :func:`make_issue`.

Shared by every stage of :mod:`jjjplan.excel` (guard, read, write), so it imports none of them.
"""

from __future__ import annotations

import functools
from typing import Any

from jjjplan import baseline
from jjjplan.errors import Issue
from jjjplan.scenario import PATHWAY_LABELS, Scenario

__all__ = [
    "DASHBOARD",
    "HINTS",
    "MESSAGES",
    "NATIONAL_PATHS",
    "NOTES",
    "WORDS",
    "Where",
    "bilingual",
    "make_issue",
    "pathways_on",
    "region_name",
    "word",
]

#: Where a problem is: (sheet, cell), either of which may be unknown.
Where = tuple[str | None, str | None]

_FIX_NAME = (
    "请在 公式 > 名称管理器 中重新定义，或把数据复制到新模板中",
    "re-create it in Formulas > Name Manager, or copy your values into a fresh template",
)
_FIX_TABLE = (
    "请在 表设计 > 表名称 中改回原名，或把数据复制到新模板中",
    "rename it back in Table Design > Table Name, or copy your values into a fresh template",
)

#: Every message a planner can see, (Chinese, English), filled in with ``str.format``.
MESSAGES: dict[str, tuple[str, str]] = {
    "outside_table": (
        "第 {row} 行是表格 {name} 中 {key} 的行，但在表格范围之外，其数值不会被读取；"
        "请在 表设计 > 调整表格大小 中把它包括进表格",
        "row {row} holds the row for {key} of Table {name} but is outside the Table, so its "
        "values would not be read; include it with Table Design > Resize Table",
    ),
    "unreadable": ("文件无法打开：{detail}", "the file could not be opened: {detail}"),
    "excel_error": ("单元格包含 Excel 错误 {found}", "the cell contains the Excel error {found}"),
    "no_cache": (
        "公式没有保存的计算结果——请在 Excel/LibreOffice 中打开并保存该文件",
        "formula without a cached value — open and save the file in Excel/LibreOffice",
    ),
    "empty": ("此单元格不能为空", "this cell must not be empty"),
    "not_number": ("这里应填数字，实际为 {found}", "expected a number, found {found}"),
    "no_percent": (
        "这里应填数字，此处不接受百分号，实际为 {found}",
        "expected a number (a percent sign is not allowed here), found {found}",
    ),
    "not_bool": (
        "这里应填 TRUE 或 FALSE（是/否），实际为 {found}",
        "expected TRUE or FALSE, found {found}",
    ),
    "not_choice": (
        "这里应填 {expected} 之一，实际为 {found}",
        "expected one of {expected}, found {found}",
    ),
    "not_text": ("这里应填文本，实际为 {found}", "expected text, found {found}"),
    "bad_name": (
        "名称 {name} 指向无效位置 {found}；"
        "请在 公式 > 名称管理器 中把它指向“{label_zh}”的取值单元格",
        "defined name {name} points nowhere valid ({found}); point it at the value cell of "
        "'{label_en}' in Formulas > Name Manager",
    ),
    "range_name": (
        "名称 {name} 指向区域 {found}，应只指向一个单元格",
        "defined name {name} refers to the range {found}; it must refer to one cell",
    ),
    "missing_sheet": (
        "缺少工作表“{sheet}”（其中应有：{names}）；请从新模板（jjjplan template）复制该工作表",
        "sheet '{sheet}' is missing (it should hold: {names}); copy it from a fresh template "
        "(jjjplan template)",
    ),
    "missing_table": (
        f"工作表“{{sheet}}”中缺少表格 {{name}}；{_FIX_TABLE[0]}",
        f"Excel Table {{name}} is missing (expected on sheet '{{sheet}}'); {_FIX_TABLE[1]}",
    ),
    "missing_name": (
        f"工作表“{{sheet}}”中缺少名称 {{name}}；{_FIX_NAME[0]}",
        f"defined name {{name}} is missing (expected on sheet '{{sheet}}'); {_FIX_NAME[1]}",
    ),
    "bad_table_ref": (
        "表格 {name} 的范围 {found} 无效（文件已损坏）；请在 Excel 中重新创建该表格",
        "Table {name} has an invalid range {found} (file damaged); re-create the Table in Excel",
    ),
    "no_header_row": (
        "表格 {name} 没有标题行；请在 表设计 中勾选“标题行”",
        "Table {name} has no header row; turn on Header Row in Table Design",
    ),
    "dup_header": (
        "表头“{expected}”出现两次（{found}）；请删除或改名其中一列",
        "header '{expected}' appears twice ({found}); delete or rename one of the columns",
    ),
    "missing_column": (
        "表格 {name} 缺少列“{expected}”（表头被删除或改名）；请把表头改回“{expected}”",
        "Table {name} has no column '{expected}' (header deleted or renamed); rename the "
        "header back to '{expected}'",
    ),
    "unknown_key": (
        "未知的{what_zh} {found}；应为：{expected}",
        "unknown {what_en} {found}; expected one of: {expected}",
    ),
    "dup_row": (
        "{found} 出现了多次；请删除重复行",
        "{found} appears more than once; delete the duplicate row",
    ),
    "missing_row": (
        "表格 {name} 缺少 {expected} 行（行被删除？）；请撤销删除，或从新模板（jjjplan template）"
        "复制该行补上",
        "Table {name} has no row for {expected} (row deleted?); undo the deletion or copy the "
        "row back from a fresh template (jjjplan template)",
    ),
    "version": (
        "模板版本 {found} 与本程序（{expected}）不兼容；请把数据复制到新模板中",
        "template version {found} is not supported (this is {expected}); copy your values "
        "into a fresh template",
    ),
    "weights_sum": (
        "增长极权重合计应为 100%（±0.1 个百分点），实际为 {found}（单元格 {cells}）",
        "growth-pole weights must sum to 100% (±0.1 point); they sum to {found} (cells {cells})",
    ),
    "destinations_sum": (
        "技术流向分配合计应为 100%（±0.1 个百分点），实际为 {found}（单元格 {cells}）；"
        "全部留空表示现行政策",
        "technology-flow destination shares must sum to 100% (±0.1 point); they sum to "
        "{found} (cells {cells}); leave all blank for current policy",
    ),
    "weights_bj": (
        "除北京外至少需要一个增长极有权重（疏解增加值需要去处）",
        "at least one pole other than Beijing needs a weight (relocated value added needs a "
        "destination)",
    ),
    "range": (
        "{label_zh}应在 {expected} 之间，实际为 {found}",
        "{label_en} must be in {expected}, found {found}",
    ),
    "whole": (
        "{label_zh}应为整数，实际为 {found}",
        "{label_en} must be a whole number, found {found}",
    ),
    "invalid": ("{label_zh}：情景参数无效（{detail}）", "{label_en}: {detail}"),
    "bad_target": ("目标无效：{detail_zh}", "invalid target: {detail_en}"),
    "not_number_hint": (
        "这里应填数字，实际为 {found}（{hint_zh}）",
        "expected a number, found {found} ({hint_en})",
    ),
    "stored_not_number": (
        "文件中保存的值 {found} 不是数字（文件已损坏，或由有缺陷的工具写入）",
        "stored value {found} is not a number (file damaged or written by a faulty tool)",
    ),
    "bad_shared_string": (
        "引用了第 {index} 条文本，但工作簿只有 {count} 条（文件已损坏）",
        "refers to text #{index} but the workbook has {count} (file damaged)",
    ),
    "too_long": (
        "文本长度为 {n:,} 个字符，Excel 每个单元格最多 32,767 个",
        "text is {n:,} characters, Excel allows 32,767",
    ),
    "control_char": (
        "文本含有控制字符 U+{cp:04X}，Excel 文件无法保存；请删除",
        "the text contains the control character U+{cp:04X}, which an Excel file cannot hold; "
        "remove it",
    ),
    "rounded_id": (
        "数字 {found} 超过 15 位有效数字，Excel 已将其舍入；请以文本形式输入（先输入 ' ）",
        "the number {found} has more than 15 significant digits, so Excel has already rounded "
        "it; store it as text (type ' first)",
    ),
    "dup_sheet": (
        "工作表“{a}”和“{b}”的名称只差大小写，Excel 视为同名；请改名其中一个",
        "sheets '{a}' and '{b}' differ only in case, which Excel treats as the same name; "
        "rename one",
    ),
    "chartsheet": (
        "“{sheet}”是图表工作表，不是数据工作表；请把数据工作表改回这个名称",
        "'{sheet}' is a chart sheet, not a data sheet; give the data sheet this name again",
    ),
    "merged": (
        "单元格 {found} 已合并；请取消合并并在每一行填写",
        "{found} is merged; unmerge and fill each row",
    ),
}
#: Hints for a text that is not a number: (Chinese, English).
HINTS: dict[str, tuple[str, str]] = {
    "magnitude": (
        "请去掉“{suffix}”：本单元格的单位是 {unit}，只填数字",
        "remove {suffix}: the cell is in {unit}; type the number only",
    ),
    "magnitude_note": (
        "请去掉“{suffix}”：单位见批注，只填数字",
        "remove {suffix}: the unit is in the cell's note; type the number only",
    ),
    "chinese": (
        "不会自动转换中文数字，请输入阿拉伯数字",
        "Chinese numerals are not converted; type the digits",
    ),
    "ambiguous": (
        "千位/小数分隔符有歧义，不猜测地区格式；小数点请用“.”，千位分隔符用“,”",
        "ambiguous separators; the locale is not guessed — use '.' for decimals and ',' only "
        "for thousands",
    ),
    "accounting": (
        "括号表示的负数不被接受，请写成 -1234",
        "accounting negatives in brackets are not accepted; write -1234",
    ),
    "currency": (
        "请去掉货币符号，单位见批注",
        "remove the currency symbol; the unit is in the cell's note",
    ),
    "unit": ("请去掉单位，单位见批注", "remove the unit; the unit is in the cell's note"),
    "underscore": ("不接受下划线分隔", "underscores are not accepted in numbers"),
    "exponent": (
        "不接受科学计数法，请写出完整数字",
        "scientific notation is not accepted; write the number out",
    ),
    "not_finite": ("不是有限的数字", "not a finite number"),
    "digits": ("只接受数字 0–9", "only the digits 0–9 are accepted"),
}
NOTES: dict[str, tuple[str, str]] = {
    "invisible": (
        "文本 {found} 含有不可见字符：{chars}；已原样保留（对比时忽略这些字符）",
        "text {found} contains invisible characters: {chars}; kept as typed (comparisons "
        "ignore them)",
    ),
    "local_name": (
        "名称 {name} 仅在工作表“{sheet}”内有效（工作表级名称），已按它读取",
        "defined name {name} is scoped to the sheet '{sheet}' (a sheet-level name); it was read",
    ),
    "default_name": (
        "旧版模板中没有名称 {name}，使用默认值 {value}",
        "defined name {name} is not in this older template; the default {value} is used",
    ),
    "text_number": (
        "文本 {found} 已按数字 {value} 读取",
        "text {found} read as the number {value}",
    ),
    "text_word": ("文本 {found} 已按 {value} 读取", "text {found} read as {value}"),
    "number_text": ("数字 {found} 已按文本读取", "the number {found} was read as text"),
    "default_row": (
        "表格 {name} 缺少 {expected} 行，使用默认值",
        "Table {name} has no row for {expected}; the default value is used",
    ),
    "text_normalised": (
        "文本 {found} 已规范化为 {value}（换行符统一、_xHHHH_ 转义已解码）",
        "text {found} was normalised to {value} (line breaks unified, _xHHHH_ decoded)",
    ),
    "sheet_matched": (
        "工作表“{wanted}”不存在，已按名称相近的工作表“{sheet}”读取（忽略空格、全半角和大小写）",
        "sheet '{wanted}' not found; read '{sheet}' instead, which matches it when spaces, "
        "width and case are ignored",
    ),
    "optional_table": (
        "工作表“{sheet}”中没有表格 {name}（旧版模板）；该项按现行政策计算",
        "sheet '{sheet}' has no Table {name} (older template); it uses current policy",
    ),
    "hidden_sheet": (
        "工作表“{sheet}”已隐藏（{state}），仍按输入读取",
        "sheet '{sheet}' is hidden ({state}); its inputs were read anyway",
    ),
    "hidden_rows": (
        "表格 {name} 中有 {n} 行被隐藏或筛选掉，仍已读取",
        "Table {name}: {n} hidden or filtered row(s) were included",
    ),
    "filter": (
        "表格 {name} 设置了筛选；所有行均已读取",
        "Table {name} has an active filter; all its rows were read",
    ),
    "external_link": (
        "工作簿链接了外部文件 {targets}；单元格 {cells} 中的值是上次保存的副本，可能已过时"
        "（不会打开外部文件）",
        "the workbook links to the external file {targets}; the values in {cells} are copies "
        "saved earlier and may be out of date (the linked file is never opened)",
    ),
    "external_link_unused": (
        "工作簿链接了外部文件 {targets}；没有输入单元格使用它（不会打开外部文件）",
        "the workbook links to the external file {targets}; no input cell uses it (the linked "
        "file is never opened)",
    ),
    "stale": (
        "工作簿最后由 {app} 保存，公式单元格 {cells} 的计算结果可能已过时；"
        "请在 Excel 中打开并保存后再读取",
        "the workbook was last saved by {app}; the formula results in {cells} may be out of "
        "date — open and save it in Excel first",
    ),
}


def make_issue(
    book: str,
    where: Where,
    field: str | None,
    code: str,
    expected: str = "",
    found: Any = "",
    notice: bool = False,
    **kw: Any,
) -> Issue:
    """The Issue for message ``code`` (of ``NOTES`` if ``notice``, else ``MESSAGES``) at
    ``where`` in workbook ``book``; ``expected``, ``found`` and ``kw`` fill in the text."""
    zh, en = (NOTES if notice else MESSAGES)[code]
    kw = {"expected": expected, "found": found, **kw}
    return Issue(
        book,
        *where,
        field,
        expected,
        str(kw["found"]),
        zh.format(**kw),
        en.format(**kw),
        "notice" if notice else "error",
    )


#: Words of the dashboard (captions, legends, tab titles, its own messages).
DASHBOARD: dict[str, tuple[str, str]] = {
    "title": ("京津冀协同发展情景规划", "Beijing–Tianjin–Hebei coordination scenarios"),
    "subtitle": (
        "在左侧调整政策措施，右侧即时显示到2035年的区域差距（实线：本情景；虚线：基准情景）。",
        "Adjust the policy levers on the left; the regional gaps to 2035 update on the right "
        "(solid: this scenario; dashed: baseline).",
    ),
    "current": ("当前情景", "Scenario"),
    "source": ("来源", "from"),
    "not_saved": ("未保存的修改", "unsaved changes"),
    "start_baseline": ("基准情景（现行政策）", "baseline (current policy)"),
    "weights_total": ("增长极权重合计", "Pole weights total"),
    "load_failed": (
        "未能读取工作簿，仍显示原来的情景（{name}），未作任何更改：",
        "The workbook could not be loaded; still showing the previous scenario ({name}), "
        "nothing changed:",
    ),
    "dismiss": ("关闭提示", "Dismiss"),
    "confirm_replace": ("文件已存在，是否替换？", "The file exists. Replace it?"),
    "replace": ("替换", "Replace"),
    "cancel": ("取消", "Cancel"),
    "cancelled": ("已取消，未写入文件", "cancelled, nothing written"),
    "save_name": ("另存为情景名称", "save as scenario name"),
    "add_pole": ("添加增长极", "Add pole"),
    "remove_pole": ("移除", "remove"),
    "upload_limit": ("（最大 {mb} MB）", "(up to {mb} MB)"),
    "tab_compare": ("情景比较", "Compare"),
    "compare_title": ("已加入比较的情景：泰尔指数T", "Scenarios in the comparison: Theil T"),
    "compare_empty": (
        "比较列表为空：在下方“工作簿”中点击“加入比较”，可并排比较已保存的情景。",
        "The comparison list is empty: press “Add to comparison” below to compare scenarios "
        "side by side.",
    ),
    "language": ("语言", "Language"),
    "scenario": ("情景", "scenario"),
    "baseline": ("基准", "baseline"),
    "year": ("年份", "year"),
    "total": ("合计", "total"),
    "settings": ("情景设置", "Scenario settings"),
    "pathway_on": ("启用（关闭 = 现行政策）", "on (off = current policy)"),
    "pathways": ("路径开关", "Pathways"),
    "lock": ("锁定", "lock"),
    "milestones": ("里程碑（2025/2030）", "Milestones (2025/2030)"),
    "target_2035": ("2035年目标", "2035 target"),
    "chain": ("产业链", "chain"),
    "chain_target": ("2035年目标配套水平", "target presence 2035"),
    "chain_rule": (
        "所选产业链各环节中，配套水平低于目标的省份在2035年提高到目标值，2025/2030年按基期至"
        "2035年的直线插值（不低于原值）；高于目标的环节不变。",
        "In the selected chain, every province–segment whose presence is below the target is "
        "raised to it in 2035, with 2025/2030 on the straight line from the base year (never "
        "below the loaded value); segments already above the target are left unchanged.",
    ),
    "weights_rule": (
        "权重合计始终为100%：移动一个滑块时，按比例调整其余未锁定的增长极。",
        "Weights always sum to 100%: moving one slider rescales the unlocked other poles "
        "proportionally.",
    ),
    "tab_gaps": ("区域差距", "Gaps"),
    "tab_ratios": ("京冀/津冀比", "Ratios"),
    "tab_percap": ("2035人均GDP", "Per capita 2035"),
    "tab_ledger": ("财政账户", "Fiscal ledger"),
    "tab_contrib": ("路径贡献", "Contributions"),
    "tab_map": ("地图", "Map"),
    "seek": ("目标反推", "Goal seek"),
    "seek_indicator": ("指标", "indicator"),
    "seek_year": ("年份", "year"),
    "seek_value": ("目标值", "value"),
    "seek_button": ("反推杠杆", "Seek"),
    "seek_busy": ("正在反推（可能需要几十秒）…", "Seeking (may take tens of seconds)…"),
    "code": ("情景代码", "Scenario code"),
    "code_paste": ("粘贴代码", "paste a code"),
    "code_load": ("读取代码", "Load code"),
    "code_failed": (
        "未能读取情景代码，仍显示原来的情景（{name}），未作任何更改：",
        "The scenario code could not be read; still showing the previous scenario ({name}), "
        "nothing changed:",
    ),
    "map_title": ("2035年各市人均GDP地图", "GDP per capita by unit, 2035 (map)"),
    "key_figures": ("关键指标", "Key figures"),
    "change": ("较基准", "vs baseline"),
    "contrib_title": (
        "各路径对2035年泰尔指数T变化的贡献（Shapley分解）",
        "Contributions to the 2035 change in Theil T (Shapley)",
    ),
    "contrib_button": ("计算路径贡献", "Compute contributions"),
    "contrib_stale": (
        "设置已改变：切换到本页或点击按钮以重新计算（16次模型运行）。",
        "Settings changed: open this tab or press the button to recompute (16 model runs).",
    ),
    "contrib_busy": ("正在计算路径贡献…", "Computing contributions…"),
    "ledger_title": (
        "2023–2035年累计分享税收与补助（亿元）",
        "Shared taxes and compensation, 2023–2035 cumulative (亿元)",
    ),
    "ledger_delta": ("净收入较基准变化", "net revenue vs baseline"),
    "gains": ("净得", "gains"),
    "pays": ("净付", "pays"),
    "percap_title": ("2035年各市人均GDP（万元/人）", "GDP per capita by unit, 2035 (10k yuan)"),
    "ratio_title": ("人均GDP比值", "Per-capita GDP ratios"),
    "gaps_title": ("泰尔指数T及其分解", "Theil T and its decomposition"),
    "actions": ("工作簿", "Workbooks"),
    "path": ("路径", "path"),
    "load": ("读取工作簿", "Load workbook"),
    "upload": ("上传 .xlsx", "Upload .xlsx"),
    "save": ("另存为情景工作簿", "Save as scenario workbook"),
    "name": ("情景名称", "scenario name"),
    "add": ("加入比较", "Add to comparison"),
    "clear": ("清空比较", "Clear comparison"),
    "export": ("导出比较工作簿", "Export comparison workbook"),
    "comparison": ("比较列表", "Comparison list"),
    "empty": ("（空）", "(empty)"),
    "log": ("日志", "Log"),
    "ok": ("完成", "done"),
    "draws": ("不确定性抽样次数", "uncertainty draws"),
    "draws_off": ("关闭", "off"),
    "band_90": ("5–95%区间", "5–95% band"),
    "band_50": ("25–75%区间", "25–75% band"),
    "p_better": ("P(优于基准)", "P(better than baseline)"),
    "p_better_note": (
        "2035年，同一组假设抽样下本情景差距小于基准情景的概率",
        "2035, share of assumption draws in which this scenario's gap is below the baseline's",
    ),
    "data_vintage": ("数据版本", "data vintage"),
    "base_year": ("基期", "base year"),
    "policy_start": ("政策起始年", "policy start"),
    "data_file": ("基期数据工作簿", "Baseline-data workbook"),
    "data_load": ("读取数据工作簿", "Load data workbook"),
    "data_upload": ("上传数据 .xlsx", "Upload data .xlsx"),
    "data_reset": ("改用内置数据", "Use bundled data"),
    "data_bundled": ("内置数据", "bundled data"),
    "data_failed": (
        "未能读取基期数据工作簿，仍使用原来的数据（{data}），未作任何更改：",
        "The baseline-data workbook could not be loaded; still using the previous data "
        "({data}), nothing changed:",
    ),
    # -- goal seek panel (目标反推)
    "seek_free": ("搜索的杠杆", "levers to search"),
    "seek_own": ("反推本情景的全部目标（目标表）", "seek the scenario's own targets (table below)"),
    "seek_objective": ("目标函数", "objective"),
    "seek_cancel": ("取消", "Cancel"),
    "seek_running": ("求解中…", "Seeking…"),
    "seek_progress": (
        "正在反推：第 {batches} 批（{evaluations} 次模型运行），目前最佳余量 {margin}",
        "seeking: batch {batches} ({evaluations} projections), best margin so far {margin}",
    ),
    "seek_cancelling": ("正在取消…", "cancelling…"),
    "seek_cancelled": ("已取消", "cancelled"),
    "seek_unchanged": ("滑块未改变", "sliders unchanged"),
    "seek_failed": ("目标反推失败", "goal seek failed"),
    "seek_moved": (
        "求解期间设置有改动；已应用从按下“反推”时的设置求得的杠杆",
        "the settings changed while seeking; the levers found from the settings when Seek "
        "was pressed have been applied",
    ),
    "seek_no_free": ("请至少选择一个要搜索的杠杆", "choose at least one lever to search"),
    "seek_busy_already": ("目标反推正在运行", "a goal seek is already running"),
    "seek_took": (
        "用时 {seconds:.1f} 秒，{evaluations} 次模型运行",
        "{seconds:.1f} s, {evaluations} projections",
    ),
    # -- the scenario's targets table
    "targets_caption": ("本情景的目标", "The scenario's targets"),
    "targets_none": (
        "本情景未设定目标（在情景工作簿的“目标 Targets”工作表中填写）",
        "this scenario has no targets (fill the scenario workbook's 目标 Targets sheet)",
    ),
    "targets_indicator": ("指标", "indicator"),
    "targets_year": ("年份", "year"),
    "targets_required": ("要求", "required"),
    "targets_projected": ("预测", "projected"),
    "targets_met": ("达到", "met"),
    "targets_margin": ("余量", "margin"),
    "targets_p_met": ("达到概率", "P(met)"),
    "targets_yes": ("达到", "met"),
    "targets_no": ("未达到", "missed"),
    "targets_summary": ("{met}/{n} 个目标达到", "{met} of {n} target(s) met"),
    "targets_draws_note": (
        "达到概率：与不确定性区间相同的 {draws} 次参数抽样中达到目标的比例；余量为正表示达到目标",
        "P(met): share of the same {draws} assumption draws as the bands that meet the "
        "target; a positive margin means met",
    ),
    "targets_margin_note": (
        "余量为正表示达到目标；“=”目标允许 ±0.5% 的误差",
        "a positive margin means met; '=' targets allow ±0.5%",
    ),
    "targets_not_kept": ("抽样未保留该指标", "not kept by the draws"),
    # -- the briefing and chart-image row
    "briefing_caption": ("简报与图片", "Briefing and images"),
    "briefing_brief": ("生成简报（PDF）", "Briefing (PDF)"),
    "briefing_images": ("导出图表（PNG/SVG）", "Chart images (PNG/SVG)"),
    "briefing_busy_brief": ("正在生成简报……", "writing the briefing…"),
    "briefing_busy_images": ("正在导出图表……", "exporting the charts…"),
    "briefing_download": ("下载", "download"),
    "briefing_saved": ("已保存", "saved"),
    "briefing_no_kaleido": (
        "未安装 kaleido 或找不到 Chrome/Chromium，已改为导出简报图表（matplotlib）；"
        '要导出仪表盘图表请安装：pip install "jjjplan[images]"',
        "kaleido or Chrome/Chromium is not available, so the briefing's charts "
        "(matplotlib) were written instead; for the dashboard's charts: "
        'pip install "jjjplan[images]"',
    ),
}

#: National growth paths (low/central/high).
NATIONAL_PATHS: dict[str, tuple[str, str]] = {
    "low": ("低", "low"),
    "central": ("中", "central"),
    "high": ("高", "high"),
}


#: Words that appear only in result workbooks: key -> (中文, English).
WORDS: dict[str, tuple[str, str]] = {
    "year": ("年份", "Year"),
    "code": ("代码", "Code"),
    "name_zh": ("中文名称", "Name (Chinese)"),
    "name_en": ("英文名称", "Name (English)"),
    "province": ("省份", "Province"),
    "region": ("地区", "Region"),
    "unit": ("单位", "Unit"),
    "indicator": ("指标", "Indicator"),
    "scenario": ("情景", "Scenario"),
    "baseline": ("基准", "Baseline"),
    "delta": ("差值", "Δ"),
    "pct_delta": ("变化率", "%Δ"),
    "total": ("合计", "Total"),
    "key": ("键", "Key"),
    "value": ("取值", "Value"),
    "default": ("默认值", "Default"),
    "low": ("下限", "Low"),
    "high": ("上限", "High"),
    "source": ("来源", "Source"),
    "flag": ("标记", "Flag"),
    "changed": ("已修改", "Changed"),
    "current_policy": ("现行政策", "Current policy"),
    "field": ("字段", "Field"),
    "variable": ("变量", "Variable"),
    "status": ("状态", "Status"),
    "confidence": ("可信度", "Confidence"),
    "method": ("方法", "Method"),
    "pathway": ("路径", "Pathway"),
    "measure": ("差距指标", "Gap measure"),
    "none": ("无", "none"),
    "index": ("指数", "index"),
    "ratio": ("比值", "ratio"),
}

#: Region display names: the 13 units, Hebei as a province, and the JJJ total.
_JJJ = ("京津冀", "Beijing–Tianjin–Hebei")


def region_name(code: str) -> tuple[str, str]:
    """(中文, English) name of a unit, a province or ``JJJ``."""
    if code == "JJJ":
        return _JJJ
    if code in baseline.PROVINCE_NAMES:
        return baseline.PROVINCE_NAMES[code]
    return _unit_names()[code]


@functools.cache
def _unit_names() -> dict[str, tuple[str, str]]:
    """(中文, English) per unit code, read once: writers ask for hundreds of names per
    workbook and a pandas ``.loc`` per name cost more than the cells themselves."""
    u = baseline.units()
    return {
        code: (zh, en) for code, zh, en in zip(u.index, u["name_zh"], u["name_en"], strict=True)
    }


def bilingual(zh: str, en: str) -> str:
    """One label, Chinese first: the convention of every sheet (and of the template)."""
    return f"{zh} {en}"


def word(key: str) -> str:
    """The bilingual label of a :data:`WORDS` key."""
    return bilingual(*WORDS[key])


def pathways_on(scenario: Scenario) -> str:
    """The scenario's enabled pathways, bilingual and ``；``-separated, or "无 none"."""
    on = [bilingual(*PATHWAY_LABELS[p]) for p in scenario.pathways.enabled()]
    return "；".join(on) if on else word("none")
