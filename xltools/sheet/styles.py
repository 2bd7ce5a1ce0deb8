"""The official look in one place: fonts, sizes, borders, fills, number formats.

Styles are plain dicts of format properties keyed by name; the writer turns them into
workbook formats once per workbook. Fill-in cells are the only unlocked ones.
"""
from __future__ import annotations

from itertools import product

from ..model.glossary import text_width

TITLE_FONT = "方正小标宋简体"
HEAD_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"

_BODY = {"font_name": BODY_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}
_BOX = {**_BODY, "border": 1}
_INPUT = {**_BOX, "locked": False, "bg_color": "#FFFDE7"}
# headings and titles: wrapped, centred vertically (a title in its own font)
_HEAD = {"font_name": HEAD_FONT, "font_size": 11, "valign": "vcenter", "text_wrap": True}

# Left-aligned text stands one indent off the border (Excel's indent: about two units wide)
INDENT_UNITS = 2
_TEXT = {"indent": 1}

STYLES: dict[str, dict] = {
    "title": {**_HEAD, "font_name": TITLE_FONT, "font_size": 18, "align": "center"},
    "subtitle": {**_HEAD, "font_size": 12, "align": "center"},
    "annex": {"font_name": HEAD_FONT, "font_size": 14, "valign": "vcenter"},
    "note": {**_BODY, "font_size": 10},
    "label": {**_BODY, "bold": False},
    "label_right": {**_BODY, "align": "right"},
    "header": {**_HEAD, "align": "center", "border": 1, "bg_color": "#F2F2F2"},
    "section": {**_HEAD, "border": 1},
    "section_sub": {**_HEAD, "border": 1, "indent": 1},  # a nested heading: (一)聚焦产业升级
    "body": {**_BOX, **_TEXT},
    "body_center": {**_BOX, "align": "center"},
    "body_number": {**_BOX, "align": "right", "num_format": "General"},
    "total": {**_BOX, "bold": True, "align": "center"},
    "input": {**_INPUT, **_TEXT},
    "input_center": {**_INPUT, "align": "center"},
    "input_number": {**_INPUT, "align": "right", "num_format": "#,##0.##"},
    "input_line": {**_BODY, "locked": False, "bottom": 1, "bg_color": "#FFFDE7"},
    "computed_percent": {**_BOX, "align": "center", "num_format": "0.0%"},
    "plain": {"font_name": BODY_FONT, "font_size": 11},
    # summary and validation reports
    "heading": {"font_name": HEAD_FONT, "font_size": 12, "valign": "vcenter"},
    "link": {**_BOX, **_TEXT, "font_color": "#0563C1", "underline": 1},
    "body_error": {**_BOX, **_TEXT, "bg_color": "#FDE9E7"},
    "body_error_center": {**_BOX, "align": "center", "bg_color": "#FDE9E7"},
    "link_error": {**_BOX, **_TEXT, "font_color": "#0563C1", "underline": 1, "bg_color": "#FDE9E7"},
    "body_alert": {**_BOX, "align": "center", "bold": True, "font_color": "#C00000"},
    "blocked": {**_BOX, "align": "center", "italic": True, "font_color": "#C00000"},
    "body_int": {**_BOX, "align": "center", "num_format": "0"},
    "body_progress": {**_BOX, "align": "center", "num_format": "0.##"},
    "body_delta": {**_BOX, "align": "center", "num_format": "+0.##;-0.##;0"},
    "body_rate": {**_BOX, "align": "center", "num_format": "0.0%"},
    "body_amount": {**_BOX, "align": "right", "num_format": "#,##0.####"},
    "total_amount": {**_BOX, "align": "right", "bold": True, "num_format": "#,##0.####"},
    "total_rate": {**_BOX, "align": "center", "bold": True, "num_format": "0.0%"},
    "total_left": {**_BOX, **_TEXT, "bold": True},
}

# Feedback to units: a fill-in cell with a problem, highlighted and still unlocked
# ("input" -> "input_fix", one variant per fill-in style).
FIX_FILL = "#FFC7CE"
FIX_BORDER = "#C00000"
for _name in ("input", "input_center", "input_number", "input_line"):
    STYLES[_name + "_fix"] = {**STYLES[_name], "bg_color": FIX_FILL, "border": 2,
                              "border_color": FIX_BORDER}

# Row heights (points) for text that wraps: Chinese at 11 pt needs ~14.5 pt a line.
LINE_HEIGHT = 14.5
TITLE_HEIGHT = 36


def wrapped_height(text: str, width_chars: float) -> float:
    """A row height that shows `text` wrapped in a column `width_chars` wide (CJK = 2 units)."""
    per_line = max(1.0, width_chars - 1.5 - INDENT_UNITS)
    lines = max(1, -(-int(text_width(text)) // int(per_line)))
    return round(lines * LINE_HEIGHT + 4, 1)


# Numbers printed as the notice prints them (247,779 / 1140229.68 / 3.50%): one style per
# shape, so a value keeps its decimals, thousands separators and percent sign.
MAX_DECIMALS = 6


def number_format(decimals: int = 0, thousands: bool = False, percent: bool = False) -> str:
    """An Excel number format: 0, #,##0.00, 0.0% ..."""
    fmt = ("#,##0" if thousands else "0") + ("." + "0" * decimals if decimals > 0 else "")
    return fmt + ("%" if percent else "")


def value_style(decimals: int = 0, thousands: bool = False, percent: bool = False,
                total: bool = False) -> str:
    """The name of the centred, boxed style that prints a number in this shape."""
    d = max(0, min(MAX_DECIMALS, decimals))
    return f"value{'_total' if total else ''}_{'c' if thousands else ''}{d}{'%' if percent else ''}"


for _d, _t, _p, _total in product(range(MAX_DECIMALS + 1), *[(False, True)] * 3):
    STYLES[value_style(_d, _t, _p, _total)] = {**_BOX, "align": "center", "bold": _total,
                                               "num_format": number_format(_d, _t, _p)}
