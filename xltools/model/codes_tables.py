"""Finding codes of reading a notice's tables (flattened text tables and .docx grids)."""
from __future__ import annotations

WARNING = "警告"
INFO = "提示"

CODES: dict[str, tuple[str, str]] = {
    "table-cell-unplaced": (WARNING, "{where}第{line}行:表格中的“{value}”对应不到任务 {task} 的任何一列(表头:{columns}),没有放入其他栏目。请核对原文,必要时在计划中补上。"),
    "matrix-value-empty": (INFO, "{where}第{line}行:附件3第{table}表“{row}”的“{column}”一格是空的,该项没有记录目标值(其余各列位置不变)。请核对原件。"),
}
