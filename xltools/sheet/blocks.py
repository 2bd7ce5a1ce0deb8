"""Pieces every official table shares: title rows, header rows, file names, widths."""
from __future__ import annotations

import hashlib
import re

from ..model.glossary import text_width
from .layout import PageSetup, Sheet, Validation
from .styles import TITLE_HEIGHT, wrapped_height

_BAD_FILENAME_CHARS = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
# Windows allows 259 characters in a path. With an output folder of up to OUT_DIR_MAX
# characters, the deepest thing xltools writes (汇总/<周期>/反馈/<unit>/.<file>.part) holds
# two unit-derived names of MAX_NAME characters each and still fits (tests/test_platform.py).
WINDOWS_PATH_MAX = 259
OUT_DIR_MAX = 120
MAX_NAME = 50  # characters of one file or folder name, extension included
ELLIPSIS = "\u2026"  # marks a shortened name: <head>…<6 hex of the full name's hash>
_SHORTENED = re.compile(ELLIPSIS + r"[0-9a-f]{6}(?![0-9a-f])")  # a suffix may follow


def safe_filename(name: str, ext: str = ".xlsx") -> str:
    """A file name safe on Windows: no reserved characters or names, no trailing dots, and
    at most MAX_NAME characters: a longer name keeps its head and gets a short hash of the
    whole (deterministic, and two long names stay apart); shortened() tells it was."""
    s = _BAD_FILENAME_CHARS.sub("_", str(name))
    s = " ".join(s.split()).strip(" .") or "未命名"
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    if len(s) + len(ext) > MAX_NAME:
        tag = hashlib.sha256(s.encode("utf-8")).hexdigest()[:6]
        s = s[:MAX_NAME - len(ext) - len(tag) - 1].rstrip(" .") + ELLIPSIS + tag
    return s + ext


def shortened(name: str) -> bool:
    """Whether safe_filename shortened this file or folder name (extension allowed)."""
    return bool(_SHORTENED.search(name.rsplit("/", 1)[-1]))


def safe_sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    s = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "Sheet"
    return s[:31]


def title_block(sheet: Sheet, ncols: int, title: str, subtitle: str = "", annex: str = "",
                row: int = 0) -> int:
    """Annex mark, title and subtitle rows across `ncols` columns; returns the next row."""
    if annex:
        sheet.merge(row, 0, row, ncols - 1, annex, "annex")
        sheet.row_heights[row] = 22
        row += 1
    sheet.merge(row, 0, row, ncols - 1, title, "title")
    sheet.row_heights[row] = TITLE_HEIGHT if len(title) < 40 else TITLE_HEIGHT * 1.6
    row += 1
    if subtitle:
        sheet.merge(row, 0, row, ncols - 1, subtitle, "subtitle")
        sheet.row_heights[row] = 22
        row += 1
    return row


def header_row(sheet: Sheet, row: int, labels: list[str], height: float = 30) -> int:
    """One row of column headers; returns the next row."""
    for col, label in enumerate(labels):
        sheet.write(row, col, label, "header")
    sheet.row_heights[row] = height
    return row + 1


def fit_row(sheet: Sheet, row: int, texts_and_widths: list[tuple[str, float]],
            minimum: float = 20) -> None:
    """Make a row tall enough for the longest wrapped text in it."""
    h = max([minimum] + [wrapped_height(t, w) for t, w in texts_and_widths])
    sheet.row_heights[row] = min(h, 409)  # Excel's maximum row height


def official_page(landscape: bool, header_rows: tuple[int, int] | None) -> PageSetup:
    """A4, fit to width, header rows repeated, 第 N 页 共 M 页."""
    return PageSetup(landscape=landscape, repeat_rows=header_rows)


def split_lines(text: str, width_chars: int) -> int:
    """How many printed lines a text needs in a column (CJK counts double)."""
    return max(1, -(-text_width(text) // max(1, width_chars - 2)))


def header_fields(sh: Sheet, row: int, unit_name: str) -> tuple[tuple[int, int], ...]:
    """填报单位 (guarded), 填报人, 联系电话, 填报日期 over 8 columns; returns the fill-in cells.

    The unit fills A:C; labels sit in D and G, inputs in E:F and H, so that every form with eight
    columns gets the same header whatever its column widths.
    """
    sh.merge(row, 0, row, 2, f"填报单位:{unit_name}", "label", kind="string", guard=True)
    sh.write(row, 3, "填报人:", "label_right")
    sh.merge(row, 4, row, 5, "", "input_line")
    sh.write(row, 6, "联系电话:", "label_right")
    sh.write(row, 7, "", "input_line")
    sh.write(row + 1, 3, "填报日期:", "label_right")
    sh.merge(row + 1, 4, row + 1, 5, "", "input_line")
    sh.row_heights[row] = sh.row_heights[row + 1] = 24
    prompts = [(row, 4, "填报人", "请填写填报人姓名。"),
               (row, 7, "联系电话", "请填写填报人的联系电话(手机或座机)。"),
               (row + 1, 4, "填报日期", "请填写填报日期,例如 2019-04-08。")]
    for r, c, title, text in prompts:
        sh.validate(Validation(r, c, r, c, "any", prompt_title=title, prompt=text))
    return tuple((r, c) for r, c, _, _ in prompts)


def notes(sh: Sheet, row: int, ncols: int, lines: list[str]) -> int:
    """A 填报说明 block of merged full-width rows; returns the row after it."""
    sh.merge(row, 0, row, ncols - 1, "填报说明:", "note", kind="string")
    sh.row_heights[row] = 18
    for i, text in enumerate(lines, start=1):
        sh.merge(row + i, 0, row + i, ncols - 1, f"{i}. {text}", "note", kind="string")
        sh.row_heights[row + i] = 30
    return row + len(lines) + 2


def approval(sh: Sheet, row: int, ncols: int) -> None:
    """The 主要领导审核 line for the signed and stamped paper copy."""
    sh.merge(row, 0, row, 3, "主要领导审核(签字):", "label")
    sh.merge(row, 4, row, ncols - 1, "(单位盖章)          年    月    日", "label_right")
    sh.row_heights[row] = 36


def submit_line(plan, period) -> str:
    """Where and by when to send the form, for the instructions block."""
    issuer = plan.issuer or "督办室"
    return (f"请于 {date_cn(period.deadline)} 前将本表电子版报送{issuer};"
            "纸质版经本单位主要领导审核签字并加盖公章后报送。")


def date_cn(iso: str) -> str:
    """2019-04-10 -> 2019年4月10日 (text kept as is when not ISO)."""
    try:
        y, m, d = (int(x) for x in str(iso).split("-"))
    except ValueError:
        return iso or "规定时间"
    return f"{y}年{m}月{d}日"


def seq_value(number: str) -> int | str:
    """A task number for its cell: 14 as a number (Excel flags digits as text), (三)2 as text."""
    s = str(number).strip()
    return int(s) if s.isascii() and s.isdigit() and not (len(s) > 1 and s[0] == "0") else s


WRAP_SLACK = 0.9  # CJK glyphs run ~5% wider than two units, and line-break rules waste more


def fit_text_row(sheet: Sheet, row: int, texts_and_widths: list[tuple[str, float]],
                 minimum: float = 20) -> None:
    """fit_row with room to spare, for long Chinese text that must never be cut off."""
    fit_row(sheet, row, [(t, w * WRAP_SLACK) for t, w in texts_and_widths], minimum)


def finish_form(sh: Sheet, row: int, ncols: int, head: int, freeze_col: int, plan, period,
                instructions: list[str]) -> None:
    """The end every fill-in form shares: 填报说明, approval line, freeze, print, protection."""
    row = notes(sh, row, ncols, [*instructions, submit_line(plan, period)])
    approval(sh, row, ncols)
    sh.freeze = (head + 1, freeze_col)
    sh.page = official_page(landscape=True, header_rows=(head, head))
    sh.protect = True
