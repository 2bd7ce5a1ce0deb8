"""Word's automatic numbering as the text Word shows before a paragraph.

A task list numbered by Word itself (a "List Number" style, or numbering applied to the
paragraphs) stores no digits in the text: python-docx reads the runs only, so such a notice
had no numbered task at all. Here each numbered paragraph's label ("1.", "(一)", "①") is
worked out from numbering.xml the way Word counts: one count per list definition
(w:abstractNum), shared by the lists (w:num) over it unless a list restarts it
(w:startOverride) where it is first used; from the level's start value, a level's count
restarting after any shallower level. Formats other than the ones notices use are shown as
arabic digits; bullets give no label.
"""
from __future__ import annotations

import re

_CN_DIGITS = "〇一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_FULL_WIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_NO_LABEL = ("bullet", "none")


def _chinese(n: int, digits: str = _CN_DIGITS, ten: str = "十") -> str:
    """1-99 as Chinese numerals (十一, 二十, 九十九); larger as arabic digits."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else digits[tens]) + ten if tens else "") + (digits[ones] if ones else "")


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def format_number(n: int, fmt: str) -> str:
    """A count in one of Word's number formats (ST_NumberFormat)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographDigital",
               "japaneseCounting", "taiwaneseCounting", "taiwaneseCountingThousand"):
        return _chinese(n)
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾")
    if fmt in ("ideographTraditional", "ideographZodiac") and 0 < n <= len(_STEMS):
        return _STEMS[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 0 < n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("decimalEnclosedParen", "decimalEnclosedFullstop") and 0 < n <= 20:  # (1) and 1. in one
        return chr((0x2473 if fmt.endswith("Paren") else 0x2487) + n)  # character: structure reads them
    if fmt.startswith("decimalFullWidth"):
        return str(n).translate(_FULL_WIDTH)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter", "lowerRoman", "upperRoman") and n > 0:
        s = _roman(n) if fmt.endswith("Roman") else chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt.startswith("upper") else s
    return str(n)


class Numbering:
    """The lists of one document, counted in document order (call label() on every
    paragraph, in order)."""

    def __init__(self, numbering_xml, styles_xml) -> None:
        # numId -> {ilvl: (start, numFmt, lvlText)}, after the list's own overrides
        self.lists: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.shared: dict[str, str] = {}  # numId -> the definition whose count it shares
        self.restarts: dict[str, set[int]] = {}  # numId -> levels it restarts (startOverride)
        self._used: set[str] = set()
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        if numbering_xml is not None:
            for a in numbering_xml.findall("w:abstractNum", _W):
                abstract[_val(a, "@w:abstractNumId")] = {
                    int(_val(lvl, "@w:ilvl") or 0): _level(lvl) for lvl in a.findall("w:lvl", _W)}
            for num in numbering_xml.findall("w:num", _W):
                num_id, abstract_id = _val(num, "@w:numId"), _val(num, "w:abstractNumId/@w:val")
                levels = dict(abstract.get(abstract_id, {}))
                for o in num.findall("w:lvlOverride", _W):
                    ilvl = int(_val(o, "@w:ilvl") or 0)
                    lvl = o.findall("w:lvl", _W)
                    start, fmt, text = _level(lvl[0]) if lvl else levels.get(ilvl, (1, "decimal", ""))
                    if restart := _val(o, "w:startOverride/@w:val"):
                        self.restarts.setdefault(num_id, set()).add(ilvl)
                    levels[ilvl] = (int(restart) if restart else start, fmt, text)
                self.lists[num_id] = levels
                self.shared[num_id] = abstract_id
        # paragraph style id -> (numId, ilvl) it numbers its paragraphs with, through basedOn
        self._style_num: dict[str, tuple[str, int] | None] = {}
        self._styles = {_val(s, "@w:styleId"): s for s in styles_xml.findall("w:style", _W)} \
            if styles_xml is not None else {}
        self.counts: dict[str, list[int]] = {}

    def _of_style(self, style_id: str, depth: int = 0) -> tuple[str, int] | None:
        if style_id in self._style_num or depth > 20:
            return self._style_num.get(style_id)
        s = self._styles.get(style_id)
        found = None
        if s is not None:
            if num := _val(s, "w:pPr/w:numPr/w:numId/@w:val"):
                found = (num, int(_val(s, "w:pPr/w:numPr/w:ilvl/@w:val") or 0))
            elif based := _val(s, "w:basedOn/@w:val"):
                found = self._of_style(based, depth + 1)
        self._style_num[style_id] = found
        return found

    def label(self, p) -> str:
        """The label Word shows before paragraph element `p` (a w:p), "" when none."""
        num = _val(p, "w:pPr/w:numPr/w:numId/@w:val")
        ilvl = _val(p, "w:pPr/w:numPr/w:ilvl/@w:val")
        style = self._of_style(_val(p, "w:pPr/w:pStyle/@w:val")) if not num else None
        if style is not None:
            num, ilvl = style[0], ilvl or str(style[1])
        levels, level = self.lists.get(num or ""), int(ilvl or 0)
        # (no levels for numId 0: numbering taken off a paragraph of a numbered style)
        if not levels or level not in levels:
            return ""
        counts = self.counts.setdefault(self.shared.get(num, num), [0] * 9)
        if num not in self._used:  # a list restarting the count it shares, where it begins
            self._used.add(num)
            for restarted in self.restarts.get(num, ()):
                counts[restarted] = 0
        counts[level] = counts[level] + 1 if counts[level] else levels[level][0]
        counts[level + 1:] = [0] * (len(counts) - level - 1)
        start, fmt, text = levels[level]
        if fmt in _NO_LABEL:
            return ""

        def one(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            at = levels.get(k, (1, "decimal", ""))
            return format_number(counts[k] or at[0], at[1]) if 0 <= k < len(counts) else ""
        return re.sub(r"%([1-9])", one, text)


def _level(lvl) -> tuple[int, str, str]:
    return (int(_val(lvl, "w:start/@w:val") or 1), _val(lvl, "w:numFmt/@w:val") or "decimal",
            _val(lvl, "w:lvlText/@w:val"))


_W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}


def _val(el, path: str) -> str:
    """The w: attribute at the end of `path` ("w:start/@w:val"; "@w:ilvl" on el itself)."""
    where, _, attr = path.rpartition("@")
    node = el.find(where.rstrip("/"), _W) if where.rstrip("/") else el
    got = node.get("{%s}%s" % (_W["w"], attr.removeprefix("w:"))) if node is not None else None
    return got or ""
