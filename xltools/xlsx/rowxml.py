"""The <c> elements of a streamed row, byte for byte as xlsxwriter's constant_memory mode
writes them (inline strings), for the plain cells that make up nearly all of a 汇总表: text,
number, blank, each with a style. xlsxwriter's own per-cell path costs about ten times more,
and the 汇总表 is the long pole of collect (issue 18). tests/test_rowxml.py writes the same
layouts both ways and compares the parts byte for byte; anything else (links, comments,
formulas, over-long text, NaN) goes through xlsxwriter (text_tail and number_xml
return None).

One deliberate difference: xlsxwriter writes a string that starts with "<r>" and ends with
"</r>" unescaped, as rich-text markup; here it is text like any other (compat.plain_text_only
does the same for xlsxwriter's own path)."""
from __future__ import annotations

import functools
import math
import re
from xml.sax.saxutils import escape

from ..model.glossary import col_letter
from .compat import control_escaped

# what xlsxwriter turns into _xHHHH_ escapes (control characters, non-characters) or escapes
# again (a literal "_xHHHH_"): rare, so those strings take its own function
_CONTROL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
# either of them, in one search (nearly every text has neither)
_SPECIAL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]")
# longer text may pass Excel's 32,767 UTF-16 units, which xlsxwriter cuts: its path decides
_LONG = 16383


# 0 -> "A", as xlsxwriter names columns in cell references (xl_col_to_name: the same letters)
column_name = functools.cache(col_letter)


def text_tail(xf: int, s: str) -> str | None:
    """An inline-string cell after its reference (the cell is '<c r="' + ref + this): the
    same for every cell of that style and text, so a writer may keep it; None when
    xlsxwriter must write it (over-long)."""
    if len(s) > _LONG:
        return None
    if _SPECIAL.search(s):
        s = escape(control_escaped(s) if _CONTROL.search(s) else s)
    space = ' xml:space="preserve"' if s and (s[0].isspace() or s[-1].isspace()) else ""
    return f'" s="{xf}" t="inlineStr"><is><t{space}>{s}</t></is></c>'


def number_xml(ref: str, xf: int, v: float) -> str | None:
    """A number cell; None for NaN and infinities (xlsxwriter refuses them)."""
    return f'<c r="{ref}" s="{xf}"><v>{v:.16G}</v></c>' if math.isfinite(v) else None


def blank_xml(ref: str, xf: int) -> str:
    """A styled empty cell."""
    return f'<c r="{ref}" s="{xf}"/>'
