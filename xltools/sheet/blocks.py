"""Pieces every official table shares: title rows, header rows, file names, widths."""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..model.glossary import text_width
from .layout import PageSetup, Sheet
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
    if _device_name(s):
        s = "_" + s
    if len(s) + len(ext) > MAX_NAME:
        tag = hashlib.sha256(s.encode("utf-8")).hexdigest()[:6]
        s = s[:MAX_NAME - len(ext) - len(tag) - 1].rstrip(" .") + ELLIPSIS + tag
    return s + ext


def _device_name(name: str) -> bool:
    return name.split(".")[0].strip().upper() in _RESERVED


def windows_refuses(name: str) -> bool:
    """Whether Windows cannot give a file or folder this name: a reserved character, a
    device name (CON, NUL.txt, COM1) or a trailing dot or space (Windows drops them, and
    the folder would have another name)."""
    return bool(_BAD_FILENAME_CHARS.search(name)) or _device_name(name) or name != name.rstrip(" .")


def out_dir_over(folder: str | os.PathLike) -> int:
    """How many characters an output folder's absolute path runs over OUT_DIR_MAX (zero or
    less: within it, everything xltools writes in the folder fits Windows' paths)."""
    return len(str(Path(folder).absolute())) - OUT_DIR_MAX


def shortened(name: str) -> bool:
    """Whether safe_filename shortened this file or folder name (extension allowed)."""
    return bool(_SHORTENED.search(name.rsplit("/", 1)[-1]))


def safe_sheet_name(name: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return (re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'") or "Sheet")[:31]


def title_block(sheet: Sheet, ncols: int, title: str, subtitle: str = "", annex: str = "",
                row: int = 0) -> int:
    """Annex mark, title and subtitle rows across `ncols` columns; returns the next row."""
    title_height = TITLE_HEIGHT if len(title) < 40 else TITLE_HEIGHT * 1.6
    for text, style, height in ((annex, "annex", 22), (title, "title", title_height),
                                (subtitle, "subtitle", 22)):
        if text or style == "title":  # (the title's row is there even without a title)
            sheet.merge(row, 0, row, ncols - 1, text, style)
            sheet.row_heights[row] = height
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


def fit_block(sheet: Sheet, first: int, last: int, need: float) -> None:
    """Grow the last row of a vertical merge (rows first..last, 20 points where unset) when
    its text needs `need` points."""
    have = sum(sheet.row_heights.get(r, 20) for r in range(first, last + 1))
    if need > have:
        sheet.row_heights[last] = sheet.row_heights.get(last, 20) + need - have
