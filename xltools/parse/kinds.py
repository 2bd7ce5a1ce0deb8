"""One vocabulary of task kinds by meaning: target sections and 民生实事, whatever their length.

Used for headings, annex and table titles and a table's 分类 column alike. Works on
either punctuation form (the text is folded first).
"""
from __future__ import annotations

import re

from .fold import fold

NUMERALS = "一二三四五六七八九十百零〇"  # the numerals of headings: 一、 (二) 第三部分
# A numbering prefix: 一、 (一) 1. 1、 (1) ① 第一部分 附件1:
_PREFIX_RE = re.compile(rf"^\s*(?:附\s*件\s*\d*\s*:?|第[{NUMERALS}\d]+(?:部分|章|节|条)|"
                        rf"\(\s*[{NUMERALS}\d]+\s*\)\s*[、.]?|[{NUMERALS}\d]+\s*(?:[、]|\.(?!\d))|"
                        r"[\u2460-\u249b\u3220-\u3229])\s*")
_PRACTICAL_RE = re.compile(rf"民生实事|为民办实事|惠民实事|实事项目|[{NUMERALS}\d]+件(?:民生)?实事|民生项目")
# A target section by its words: 主要目标, 主要(预期)指标, 预期(性)目标/指标, 约束性指标,
# (经济社会)发展(主要)目标, 主要经济指标, 目标指标 … at the end of the heading.
_TARGET_RE = re.compile(r"(?:主要|预期性?|约束性|发展|经济|社会|量化|考核|核心|年度|总体|目标|工作)"
                        r"(?:预期性?|经济|社会|发展|主要|工作)*(?:目标|指标)(?:体系|值)?$")
_TAIL_RE = re.compile(r"\s*(?:\([^()]*\)|如下|是|为)?\s*[:.。,;]?\s*$")


def kind_of_heading(text: str) -> str | None:
    """"indicator" for a target section, "practical_matter" for 民生实事, else None."""
    s = _PREFIX_RE.sub("", fold(text or "").strip(), count=1).strip()  # ("" names no kind)
    if _PRACTICAL_RE.search(s):
        return "practical_matter"
    head = _TAIL_RE.sub("", s.split(":", 1)[0].strip())
    if any(w in head for w in ("任务", "举措", "措施")):  # 主要目标任务 is a task section
        return None
    return "indicator" if _TARGET_RE.search(head) else None


def kind_of_section(section: list[str]) -> str:
    """The kind of an item from its enclosing headings (innermost that says one wins)."""
    return next((k for h in reversed(section) if (k := kind_of_heading(h))), "task")
