"""发送清单.xlsx: which files go to which unit, its contacts, and when they are due."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..model.plan import Period, Plan, Unit
from ..model.glossary import text_width
from ..sheet.blocks import split_lines
from ..sheet.layout import Workbook
from ..sheet.styles import LINE_HEIGHT
from . import listing

FILENAME = "发送清单.xlsx"
SHEET_NAME = "发送清单"
LABELS = ["序号", "单位名称", "单位类型", "联系人", "联系电话", "电子邮箱", "文件名", "报送周期",
          "报送截止日期"]
MIN_WIDTHS = [6, 14, 9, 9, 12, 16, 30, 12, 14]
MAX_WIDTHS = [6, 26, 9, 14, 18, 32, 60, 18, 14]


@dataclass
class SendingEntry:
    """One unit's files for one period (None: files without a period, such as 办理方案)."""

    unit: Unit
    period: Period | None = None
    files: list[str] = field(default_factory=list)


def sending_list(plan: Plan, entries: list[SendingEntry]) -> Workbook:
    """发送清单: one row per entry, file names one per line, autofilter and frozen header."""
    rows = [_row(i, e) for i, e in enumerate(entries, start=1)]
    widths = _widths(rows)
    wb, sheet, row = listing(plan, FILENAME, f"{plan.title}发送清单", SHEET_NAME, LABELS, widths,
                             True, subtitle=plan.issuer and f"发送单位:{plan.issuer}")
    head = row - 1
    styles = ["body_center", "body", "body_center", "body_center", "body_center", "body",
              "body", "body_center", "body_center"]
    for values in rows:
        for col, (value, style) in enumerate(zip(values, styles)):
            sheet.write(row, col, value if value != "" else None, style,
                        kind="number" if col == 0 else "string")
        # file names start on their own lines, so count lines per line of each value
        lines = max(sum(split_lines(part, int(w)) for part in str(v).split("\n"))
                    for v, w in zip(values, widths))
        sheet.row_heights[row] = max(20, min(409, lines * LINE_HEIGHT + 6))
        row += 1
    sheet.autofilter = (head, 0, max(head, row - 1), len(LABELS) - 1)
    return wb


def _row(i: int, e: SendingEntry) -> list:
    p = e.period
    return [i, e.unit.name, e.unit.kind, e.unit.contact, e.unit.phone, e.unit.email,
            "\n".join(e.files), (p.name or p.id) if p else "", p.deadline if p else ""]


def _widths(rows: list[list]) -> list[float]:
    """Each column as wide as its longest line, within sensible bounds."""
    out = []
    for col, (lo, hi) in enumerate(zip(MIN_WIDTHS, MAX_WIDTHS)):
        longest = max((text_width(line) for r in rows for line in str(r[col]).split("\n")),
                      default=0)
        out.append(float(min(hi, max(lo, round(longest * 1.1) + 4))))
    return out
