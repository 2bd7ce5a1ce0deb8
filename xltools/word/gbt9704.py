"""GB/T 9704-2012 on python-docx: page, type area, fonts, footers and the parts of a 公文.

A4 (210 x 297 mm), top margin 37 mm, left 28 mm, type area 156 x 225 mm, 22 lines of
28 characters (a 文档网格 and an exact 28.95 pt line pitch, so Word and LibreOffice both
set 22 lines); title 2号 方正小标宋简体, body 3号 仿宋_GB2312, first-level headings 黑体,
second-level 楷体_GB2312; page numbers "— 1 —" in 4号 宋体, right on odd pages and left on
even ones. Fonts are named as official documents name them: a machine without one
substitutes, which the standard's users accept.
"""
from __future__ import annotations

from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from .ooxml import bottom_rule, default_size, doc_grid, east_asia_font, page_field

PAGE_W, PAGE_H = 210, 297  # mm, A4
TOP, LEFT, TYPE_W, TYPE_H = 37, 28, 156, 225  # mm
LINES = 22
TITLE_FONT, BODY_FONT = "方正小标宋简体", "仿宋_GB2312"
H1_FONT, H2_FONT, PAGE_FONT = "黑体", "楷体_GB2312", "宋体"
TITLE_PT, BODY_PT, PAGE_PT = 22, 16, 14  # 2号, 3号, 4号
LINE_PT = 28.95  # pt: 22 lines in the 225 mm type area (637.8 pt), with room for rounding
# The character pitch for 28 a line would be charSpace (156 mm / 28 - 16 pt) * 4096 = -848;
# LibreOffice 7.4 reads a negative charSpace as a wider pitch (17 characters a line), so
# the grid counts plain 16 pt characters: LibreOffice sets 28 a line, Word 27.
CHAR_SPACE = 0
DASH = "\u2014"  # 一字线 either side of the page number
COMMA, COLON = "\uff0c", "\uff1a"
RED = RGBColor(0xFF, 0x00, 0x00)
_DIGITS = "\u3007一二三四五六七八九"  # 〇 … 九: the year's digits as the standard prints them


def chinese_date(d: date) -> str:
    """成文日期 in Chinese numerals: 2019-03-15 -> 二〇一九年三月十五日."""
    return f"{''.join(_DIGITS[int(ch)] for ch in str(d.year))}年{_small(d.month)}月{_small(d.day)}日"


def _small(n: int) -> str:
    """1..31 in Chinese numerals: 十, 十一, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def set_font(target, name: str, size: float) -> None:
    """Font of a run or a style, ASCII and East Asian alike (the one place that does it)."""
    target.font.name = name
    east_asia_font(target._r if hasattr(target, "_r") else target.element, name)
    target.font.size = Pt(size)


def new_document():
    """An empty document on the standard's page, with its styles and page-number footers."""
    doc = Document()
    default_size(doc, BODY_PT)  # the grid's characters are counted in this size
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_PT)
    pf = normal.paragraph_format
    pf.line_spacing = Pt(LINE_PT)  # a length: exact line spacing
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = False  # the standard fills every line of a page
    section = doc.sections[0]
    set_page(section)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_numbers(section)
    return doc


def set_page(section, wide: bool = False) -> None:
    """A4 with the standard's margins, upright, or turned for a wide table (the margins
    turn with the page); the 22-line grid."""
    section.orientation = WD_ORIENT.LANDSCAPE if wide else WD_ORIENT.PORTRAIT
    w, h = Mm(PAGE_W), Mm(PAGE_H)
    section.page_width, section.page_height = (h, w) if wide else (w, h)
    sides = ("left", "top", "right", "bottom") if wide else ("top", "left", "bottom", "right")
    for side, mm in zip(sides, (TOP, LEFT, PAGE_H - TOP - TYPE_H, PAGE_W - LEFT - TYPE_W)):
        setattr(section, f"{side}_margin", Mm(mm))
    section.footer_distance = Mm(22)  # the number's line starts ~7 mm under the type area
    doc_grid(section, int(TYPE_H / 25.4 * 1440 / LINES), CHAR_SPACE)


def type_width_mm(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / Mm(1)


def _page_numbers(section) -> None:
    """"— N —" in 4号 宋体: right with one character's indent on odd pages, left on even."""
    for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right_indent"),
                                  (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left_indent")):
        p = footer.paragraphs[0]
        p.alignment = align
        pf = p.paragraph_format
        pf.line_spacing, pf.first_line_indent = Pt(PAGE_PT + 2), Pt(0)
        setattr(pf, indent, Pt(PAGE_PT))  # one character in from the page's outer edge
        set_font(p.add_run(f"{DASH} "), PAGE_FONT, PAGE_PT)
        page_field(p)
        set_font(p.runs[-1], PAGE_FONT, PAGE_PT)
        set_font(p.add_run(f" {DASH}"), PAGE_FONT, PAGE_PT)


def new_section(doc, wide: bool):
    """A new section starting on a new page (an annex), upright or turned."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    set_page(section, wide)
    doc_grid(section, None)  # tables keep their own line pitch; the grid is the body's
    return section


def paragraph(doc, text: str = "", font: str = BODY_FONT, size: float = BODY_PT,
              indent_chars: float = 2, align=None):
    """One paragraph in one font; first line indented by `indent_chars` characters."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(size * indent_chars) if indent_chars else Pt(0)
    if align is not None:
        p.alignment = align
    if text:
        set_font(p.add_run(text), font, size)
    return p


def title(doc, text: str):
    """The title: 2号 方正小标宋简体, centred, a blank line after it."""
    p = paragraph(doc, text, TITLE_FONT, TITLE_PT, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(LINE_PT)  # one grid line per title line
    paragraph(doc)
    return p


def masthead(doc, issuer: str, doc_number: str) -> None:
    """发文机关标志 in red and the 发文字号 over a red rule, when the plan has them."""
    if issuer:
        p = paragraph(doc, f"{issuer}文件", TITLE_FONT, 36, indent_chars=0,
                      align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.line_spacing = Pt(60)
        p.runs[0].font.color.rgb = RED
    if doc_number:
        paragraph(doc)
        p = paragraph(doc, doc_number, indent_chars=0, align=WD_ALIGN_PARAGRAPH.CENTER)
        bottom_rule(p)
    paragraph(doc)


def addressee(doc, names: list[str]):
    """主送机关: flush left, names joined by full-width commas, ending with a colon."""
    return paragraph(doc, COMMA.join(names) + COLON, indent_chars=0)


def annex_note(doc, titles: list[str]) -> None:
    """附件说明: 附件:1.… with the later items aligned under the first."""
    if not titles:
        return
    paragraph(doc)
    lead = f"附件{COLON}"
    for i, t in enumerate(titles, start=1):  # later ones start under "1.", past 附件:
        paragraph(doc, f"{lead if i == 1 else ''}{i}.{t}", indent_chars=2 if i == 1 else 2 + len(lead))


def signature(doc, issuer: str, when: date) -> None:
    """落款 and 成文日期: the date four characters from the right, the issuer centred over it."""
    when_text = chinese_date(when)
    paragraph(doc)
    paragraph(doc)
    for text, right in ((issuer, 4 + (len(when_text) - len(issuer)) / 2), (when_text, 4)):
        if not text:
            continue
        p = paragraph(doc, text, indent_chars=0, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * max(0.0, right))
